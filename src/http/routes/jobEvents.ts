/**
 * `GET /jobs/{id}/events`: a job's events as Server-Sent Events. Replays what came after
 * `Last-Event-ID` (the event's sequence number), then streams new events as they commit, and
 * closes after the job's terminal event. Reads the database when the engine signals a change
 * (in this process, or in another through LISTEN/NOTIFY), and once per keep-alive.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Engine, eventsAfter, TERMINAL_EVENTS } from '../../engine/index.ts';
import type { Db } from '../../store/database.ts';

const KEEPALIVE_MS = 15_000;

export function streamJobEvents(request: FastifyRequest, reply: FastifyReply, db: Db, engine: Engine, jobId: string, afterSeq: number): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  raw.write(': stream of job events\n\n');

  let lastSeq = afterSeq;
  let pumping = false;
  let again = false;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    unsubscribeShutdown();
    clearInterval(keepalive);
    raw.end();
  };

  const pump = async (): Promise<void> => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        for (const event of await eventsAfter(db, jobId, lastSeq)) {
          if (closed) return;
          const payload = { seq: event.seq, type: event.type, jobId, data: JSON.parse(event.data) as unknown, createdAt: event.created_at };
          raw.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(payload)}\n\n`);
          lastSeq = event.seq;
          if (TERMINAL_EVENTS.has(event.type)) return close();
        }
      } while (again && !closed);
    } catch (err) {
      request.log.error({ err, jobId }, 'event stream failed');
      close();
    } finally {
      pumping = false;
    }
  };

  const unsubscribe = engine.signals.onJobChanged(jobId, () => void pump());
  const unsubscribeShutdown = engine.signals.onShutdown(close);
  // The keep-alive also looks once: a signal from another process can be lost while the
  // LISTEN connection is down (see engine/signalRelay.ts); this bounds the delay to 15 s.
  const keepalive = setInterval(() => {
    raw.write(': keep-alive\n\n');
    void pump();
  }, KEEPALIVE_MS);
  raw.on('close', close);
  void pump();
}
