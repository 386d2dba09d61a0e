/**
 * The serialized answers of a status route for finished jobs, kept per process and per route.
 * A finished job never changes (no statement updates a job once it has ended: every update of
 * a job's row asks for its lease or an unfinished status; its items are final), and pruning
 * deletes the job, which the lookup before the cache notices. So a client polling a finished
 * job costs one job lookup — which also checks the organisation — instead of building and
 * serializing its answer again: reading, parsing and serializing every item of an enrichment
 * run, or the job's view for `GET /jobs/{id}` (about a third of that route's CPU per request:
 * `npm run bench -- http`, docs/performance.md). Bounded by total size; the least recently used answer goes first.
 */
import type { FastifyReply } from 'fastify';
import { isFinished, type JobRow } from '../engine/index.ts';

export class FinishedBodies {
  private readonly bodies = new Map<string, string>();
  private bytes = 0;

  /** `maxBytes`: the answers kept at most, in characters of JSON; one over a quarter of it is not kept. */
  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  /**
   * Answers with the job's body: from the cache when the job is finished and was answered
   * before; else built by `build` (which sets the status code), and — once finished — serialized
   * with the route's own response schema and kept.
   */
  async send<Body>(reply: FastifyReply, job: JobRow, build: (job: JobRow) => Promise<Body>): Promise<Body | FastifyReply> {
    const finished = isFinished(job);
    const cached = finished ? this.bodies.get(job.id) : undefined;
    if (cached !== undefined) {
      this.bodies.delete(job.id); // re-inserted: most recently used last
      this.bodies.set(job.id, cached);
      return reply.type('application/json; charset=utf-8').send(cached);
    }
    const body = await build(job);
    if (!finished) return body;
    const text = String(reply.serialize(body)); // the route's JSON serializer returns a string
    this.keep(job.id, text);
    return reply.type('application/json; charset=utf-8').send(text);
  }

  private keep(id: string, text: string): void {
    if (text.length > this.maxBytes / 4 || this.bodies.has(id)) return;
    this.bodies.set(id, text);
    this.bytes += text.length;
    for (const [oldId, old] of this.bodies) {
      if (this.bytes <= this.maxBytes) break;
      this.bodies.delete(oldId);
      this.bytes -= old.length;
    }
  }
}
