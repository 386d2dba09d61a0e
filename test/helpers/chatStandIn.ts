/**
 * A small local server that speaks the OpenAI chat-completions protocol, standing in for a
 * remote text-generation service (the one part of the system outside this machine). Each test
 * says how it answers; every request body is kept.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body, or raw text when a string. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer once this settles: a test holds the answers until it has seen what it waits for. */
  after?: Promise<unknown>;
}

export interface ChatStandIn {
  baseUrl: string;
  requests: { headers: http.IncomingHttpHeaders; body: { model: string; messages: { role: string; content: string }[]; max_tokens?: number } }[];
  answer: (n: number) => StandInAnswer;
  close(): Promise<void>;
}

/** A chat completion as the real API shapes it. */
export function completion(content: string, usage = { prompt_tokens: 50, completion_tokens: 20 }) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'stand-in',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

export async function startChatStandIn(): Promise<ChatStandIn> {
  const requests: ChatStandIn['requests'] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return res.writeHead(404).end();
      requests.push({ headers: req.headers, body: JSON.parse(raw) });
      const answer = standIn.answer(requests.length);
      const send = () => {
        if (res.destroyed) return;
        const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? completion('ok'));
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers }).end(body);
      };
      if (answer.after) void answer.after.then(send);
      else if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const standIn: ChatStandIn = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer: () => ({ body: completion('ok') }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standIn;
}
