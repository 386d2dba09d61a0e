/** The `openai` provider against a local stand-in that speaks the chat-completions protocol. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAiProvider } from '../../src/llm/openai.ts';
import { countTokens } from '../../src/llm/tokens.ts';
import { completion, startChatStandIn, type ChatStandIn } from '../helpers/chatStandIn.ts';

let standIn: ChatStandIn;
beforeAll(async () => {
  standIn = await startChatStandIn();
});
afterAll(() => standIn?.close());
afterEach(() => {
  standIn.requests.length = 0;
  standIn.answer = () => ({ body: completion('ok') });
});

const provider = (over: Partial<Parameters<typeof openAiProvider>[0]> = {}) =>
  openAiProvider({ baseUrl: standIn.baseUrl, apiKey: 'sk-test', model: 'small-model', timeoutMs: 2000, maxAttempts: 3, retryBaseMs: 20, ...over });
const request = { system: 'You write posts.', prompt: 'Write one about onboarding.', maxTokens: 300 };

describe('the openai provider', () => {
  it('sends a chat completion and takes the text and the token usage from the answer', async () => {
    standIn.answer = () => ({ body: completion('Onboarding is where trust starts.', { prompt_tokens: 61, completion_tokens: 9 }) });
    expect(await provider().generate(request)).toEqual({ text: 'Onboarding is where trust starts.', tokensUsed: 70 });
    const sent = standIn.requests[0]!;
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body).toMatchObject({
      model: 'small-model',
      max_tokens: 300,
      messages: [
        { role: 'system', content: 'You write posts.' },
        { role: 'user', content: 'Write one about onboarding.' },
      ],
    });
  });

  it('waits out a 429 with its Retry-After, then succeeds', async () => {
    standIn.answer = (n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '0.3' }, body: { error: { message: 'slow down' } } } : { body: completion('second time lucky') };
    const started = Date.now();
    expect((await provider().generate(request)).text).toBe('second time lucky');
    expect(standIn.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('gives up with a clear code: rate limited, unavailable, timed out, malformed, refused', async () => {
    standIn.answer = () => ({ status: 429, body: { error: {} } });
    await expect(provider().generate(request)).rejects.toMatchObject({ code: 'LLM_RATE_LIMITED' });
    expect(standIn.requests).toHaveLength(3);
    standIn.answer = () => ({ status: 503 });
    await expect(provider().generate(request)).rejects.toMatchObject({ code: 'LLM_UNAVAILABLE' });
    standIn.answer = () => ({ delayMs: 1000 });
    await expect(provider({ timeoutMs: 200 }).generate(request)).rejects.toMatchObject({ code: 'LLM_TIMEOUT' });
    standIn.answer = () => ({ body: 'this is not json' });
    await expect(provider().generate(request)).rejects.toMatchObject({ code: 'LLM_BAD_RESPONSE' });
    standIn.answer = () => ({ body: { choices: [] } });
    await expect(provider().generate(request)).rejects.toMatchObject({ code: 'LLM_BAD_RESPONSE' });
    standIn.answer = () => ({ status: 401, body: { error: { message: 'bad key' } } });
    await expect(provider().generate(request)).rejects.toMatchObject({ code: 'LLM_REFUSED', message: expect.stringMatching(/401.*bad key/) });
  });

  it('counts tokens with a real tokenizer', () => {
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('')).toBe(0);
    expect(countTokens('Onboarding 🚀 日本語')).toBeGreaterThan(3);
  });
});
