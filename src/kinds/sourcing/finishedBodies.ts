/**
 * The serialized result bodies of finished runs, kept per process. A finished run never changes
 * (its items are final, and pruning deletes the job, which the lookup before the cache notices),
 * so a client polling its results costs one job lookup — which also checks the organisation —
 * instead of reading, parsing and serializing every item again (`npm run bench -- http`: the
 * enrichment results route was the furthest from plain Fastify). Bounded by total size; the
 * least recently used body goes first.
 */
import type { FastifyReply } from 'fastify';
import type { JobRow } from '../../engine/sql/jobsClaim.ts';
import { isFinished } from '../../engine/views.ts';

const MAX_BYTES = 32 * 1024 * 1024;

export class FinishedBodies {
  private readonly bodies = new Map<string, string>();
  private bytes = 0;

  /**
   * Answers with the run's body: from the cache when the run is finished and was answered
   * before; else built by `build` (which sets the status code), and — once finished — serialized
   * with the route's own response schema and kept.
   */
  async send<Body>(reply: FastifyReply, job: JobRow, build: () => Promise<Body>): Promise<Body | FastifyReply> {
    const finished = isFinished(job);
    const cached = finished ? this.bodies.get(job.id) : undefined;
    if (cached !== undefined) {
      this.bodies.delete(job.id); // re-inserted: most recently used last
      this.bodies.set(job.id, cached);
      return reply.type('application/json; charset=utf-8').send(cached);
    }
    const body = await build();
    if (!finished) return body;
    const text = String(reply.serialize(body)); // the route's JSON serializer returns a string
    this.keep(job.id, text);
    return reply.type('application/json; charset=utf-8').send(text);
  }

  private keep(id: string, text: string): void {
    if (text.length > MAX_BYTES / 4 || this.bodies.has(id)) return;
    this.bodies.set(id, text);
    this.bytes += text.length;
    for (const [oldId, old] of this.bodies) {
      if (this.bytes <= MAX_BYTES) break;
      this.bodies.delete(oldId);
      this.bytes -= old.length;
    }
  }
}
