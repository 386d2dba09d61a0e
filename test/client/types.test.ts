/**
 * Compile-time checks (enforced by `tsc --noEmit`, which covers test/): the client's types are
 * the server's schemas — bodies refuse what the schema refuses, answers narrow by status.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Clip, EnrichmentResults, Job, JobEvent, LongrunClient, SourcingInput, SourcingResults } from '../../src/client/index.ts';

describe('client types', () => {
  it('types bodies and answers from the route schemas', () => {
    expectTypeOf<LongrunClient['account']['credits']>().returns.resolves.toEqualTypeOf<{ available: number; reserved: number }>();
    // A default of the schema (limit: 10) may be left out; a required field may not.
    expectTypeOf<{ title: string; jobDescription: string; location: string }>().toMatchTypeOf<SourcingInput>();
    expectTypeOf<{ title: string; location: string }>().not.toMatchTypeOf<SourcingInput>();
    expectTypeOf<Parameters<LongrunClient['sourcing']['start']>[0]>().toEqualTypeOf<SourcingInput>();
    // Results narrow by status: candidates exist only once completed, the error only once failed.
    expectTypeOf<Extract<SourcingResults, { status: 'completed' }>['candidates'][number]['matchScore']>().toBeNumber();
    expectTypeOf<Extract<SourcingResults, { status: 'failed' }>['errorCode']>().toBeString();
    expectTypeOf<Extract<EnrichmentResults, { status: 'processing' }>>().not.toHaveProperty('data');
    // Events narrow by type.
    expectTypeOf<Extract<JobEvent, { type: 'item.failed' }>['data']>().toEqualTypeOf<{ key: string; errorCode: string; errorMessage: string }>();
    expectTypeOf<Extract<JobEvent, { type: 'item.retrying' }>['data']>().toEqualTypeOf<{
      key: string;
      attempt: number;
      errorCode: string;
      errorMessage: string;
      retryAt: string;
    }>();
    expectTypeOf<LongrunClient['agents']['create']>().parameter(0).toHaveProperty('platforms');
    // Statuses are their literals, not any string.
    expectTypeOf<Job['status']>().toEqualTypeOf<'queued' | 'running' | 'completed' | 'failed' | 'canceled'>();
    expectTypeOf<Clip['status']>().toEqualTypeOf<'uploading' | 'processing' | 'ready' | 'rendering' | 'rendered' | 'failed'>();
  });
});
