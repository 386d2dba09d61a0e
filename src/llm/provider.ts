/**
 * Text generation, behind one small interface, chosen by configuration (`LONGRUN_LLM_PROVIDER`):
 * `local` (the default: deterministic composition from the material given, needs nothing) or
 * `openai` (any OpenAI-compatible /v1/chat/completions endpoint: OpenAI, llama.cpp, vLLM,
 * Ollama). Failures are typed with a code, so a job can fail with a clear reason.
 */

export interface GenerateRequest {
  /** What the writer is, and the rules it must keep. */
  system: string;
  /** The task and its material. */
  prompt: string;
  maxTokens: number;
  signal?: AbortSignal;
}

export interface Generated {
  text: string;
  /** Prompt and completion tokens together. */
  tokensUsed: number;
}

export interface TextProvider {
  name: 'local' | 'openai';
  generate(request: GenerateRequest): Promise<Generated>;
}

export type LlmErrorCode = 'LLM_TIMEOUT' | 'LLM_RATE_LIMITED' | 'LLM_UNAVAILABLE' | 'LLM_BAD_RESPONSE' | 'LLM_REFUSED';

export class LlmError extends Error {
  override name = 'LlmError';
  constructor(
    readonly code: LlmErrorCode,
    message: string,
  ) {
    super(message);
  }
}
