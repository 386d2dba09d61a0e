/**
 * The `openai` provider: `POST {baseUrl}/v1/chat/completions` of any OpenAI-compatible server.
 *
 * Rules: each call has a time limit; 429 and 5xx answers are tried again (up to `maxAttempts`
 * in all), after the answer's Retry-After or a doubling delay; other 4xx answers and answers that
 * are not a chat completion fail at once. Token usage is taken from the response's `usage`.
 * With tracing on, each attempt is a client span and sends its `traceparent` (httpClientSpan.ts).
 */
import { httpClientSpanStart } from '../net/httpClientSpan.ts';
import { LlmError, type GenerateRequest, type Generated, type TextProvider } from './provider.ts';

export interface OpenAiOptions {
  baseUrl: string;
  apiKey: string | null;
  model: string;
  timeoutMs: number;
  maxAttempts: number;
  /** First retry delay when the server gives no Retry-After. */
  retryBaseMs?: number;
}

interface ChatCompletion {
  choices?: { message?: { content?: unknown } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
}

function retryAfterMs(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

export function openAiProvider(options: OpenAiOptions): TextProvider {
  const url = `${options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/chat/completions`;
  return {
    name: 'openai',
    async generate(request: GenerateRequest): Promise<Generated> {
      const body = JSON.stringify({
        model: options.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.prompt },
        ],
        max_tokens: request.maxTokens,
        temperature: 0.4,
      });
      let last = '';
      for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
        const timeout = AbortSignal.timeout(options.timeoutMs);
        const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
        let response: Response;
        const span = httpClientSpanStart('POST', new URL(url), attempt);
        try {
          response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...span.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
            body,
            signal,
          });
          span.end({ status: response.status });
        } catch (error) {
          span.end({ error });
          if (request.signal?.aborted) throw error;
          if (timeout.aborted) throw new LlmError('LLM_TIMEOUT', `The text-generation service did not answer within ${options.timeoutMs} ms.`);
          last = `could not reach the text-generation service: ${(error as Error).message}`;
          if (attempt < options.maxAttempts) await sleep((options.retryBaseMs ?? 500) * 2 ** (attempt - 1), request.signal);
          continue;
        }
        if (response.status === 429 || response.status >= 500) {
          last = `the text-generation service answered ${response.status}`;
          await response.body?.cancel();
          if (attempt < options.maxAttempts) {
            await sleep(retryAfterMs(response.headers.get('retry-after')) ?? (options.retryBaseMs ?? 500) * 2 ** (attempt - 1), request.signal);
          }
          continue;
        }
        const text = await response.text();
        if (!response.ok) throw new LlmError('LLM_REFUSED', `The text-generation service refused the request (${response.status}): ${text.slice(0, 200)}`);
        let completion: ChatCompletion;
        try {
          completion = JSON.parse(text) as ChatCompletion;
        } catch {
          throw new LlmError('LLM_BAD_RESPONSE', 'The text-generation service answered with something that is not JSON.');
        }
        const content = completion.choices?.[0]?.message?.content;
        if (typeof content !== 'string' || content.trim() === '')
          throw new LlmError('LLM_BAD_RESPONSE', 'The text-generation service answered without a message.');
        const usage = completion.usage;
        const tokensUsed = usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0);
        return { text: content.trim(), tokensUsed };
      }
      throw new LlmError(last.includes('429') ? 'LLM_RATE_LIMITED' : 'LLM_UNAVAILABLE', `Gave up after ${options.maxAttempts} attempts: ${last}.`);
    },
  };
}
