/**
 * `longrun submit <kind>`: submits work to a running server and prints the job ID alone on
 * stdout, so `JOB=$(longrun submit …)` works. The request body comes from `--file input.json`
 * (`-` for stdin), from the kind's flags, or both (flags win). The server validates the body;
 * its answer to a bad one is the one-line error. `--watch` then follows the job (see watch.ts).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { LongrunClient } from '../../client/index.ts';
import { CliError, print } from '../context.ts';
import { clientFrom, exitCodeFor, intFlag, repeated, withServerOptions } from '../remote.ts';
import { watchJob } from './watch.ts';

type Body = Record<string, unknown>;

interface CommonOptions {
  file?: string;
  idempotencyKey?: string;
  json?: boolean;
  watch?: boolean;
}

interface KindSpec<Flags> {
  name: string;
  description: string;
  /** Declares the kind's own flags. */
  flags(command: Command): Command;
  /** Sends the request; returns the server's answer and the job ID in it. */
  send(client: LongrunClient, body: Body, flags: Flags, idempotencyKey: string | undefined): Promise<{ answer: unknown; jobId: string }>;
}

function readBody(file: string | undefined): Body {
  if (file === undefined) return {};
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CliError(`--file ${file}: ${(error as Error).message}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--file ${file} is not JSON: ${(error as Error).message}`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new CliError(`--file ${file} must hold a JSON object`);
  return body as Body;
}

/** The flags that were given, without the undefined ones, so they do not hide the file's values. */
function given(values: Body): Body {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

function required(body: Body, field: string, flag: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new CliError(`${flag} is required (or "${field}" in --file)`);
  return value;
}

const sourcing: KindSpec<{ title?: string; jobDescription?: string; location?: string; query?: string; limit?: number; webhook?: string }> = {
  name: 'sourcing',
  description: "a sourcing run: search the organisation's talent pool for a role and score the best matches",
  flags: (c) =>
    c
      .option('--title <title>', 'the role, e.g. "Senior Backend Engineer"')
      .option('--job-description <text>', 'the job description requirements are read from')
      .option('--location <location>', 'e.g. "Berlin, Germany or Remote (EU)"')
      .option('--query <words>', 'extra search words')
      .option('--limit <n>', 'candidates to return (1–50, default 10); also the credits reserved', intFlag('--limit'))
      .option('--webhook <id>', 'a webhook endpoint (wh_…) to notify'),
  async send(client, body, f, idempotencyKey) {
    const input = {
      ...body,
      ...given({ title: f.title, jobDescription: f.jobDescription, location: f.location, query: f.query, limit: f.limit, webhookId: f.webhook }),
    };
    const answer = await client.sourcing.start(input as Parameters<LongrunClient['sourcing']['start']>[0], { idempotencyKey });
    return { answer, jobId: answer.requestId };
  },
};

const enrich: KindSpec<{ profile?: string[]; webhook?: string }> = {
  name: 'enrich',
  description: 'an enrichment run over 1–10 profiles returned by sourcing runs',
  flags: (c) => c.option('--profile <id>', 'a profile ID (prof_…); repeat for more', repeated).option('--webhook <id>', 'a webhook endpoint (wh_…) to notify'),
  async send(client, body, f, idempotencyKey) {
    const input = { ...body, ...given({ profileIds: f.profile, webhookId: f.webhook }) };
    const answer = await client.sourcing.enrich(input as Parameters<LongrunClient['sourcing']['enrich']>[0], { idempotencyKey });
    return { answer, jobId: answer.requestId };
  },
};

const idea: KindSpec<{ title?: string; hook?: string; angle?: string; platform?: string[]; kb?: string }> = {
  name: 'idea',
  description: 'drafts of an idea for 1–5 platforms (POST /ideas/enrich)',
  flags: (c) =>
    c
      .option('--title <title>', "the idea's title")
      .option('--hook <text>', 'its opening hook')
      .option('--angle <text>', 'its angle')
      .option('--platform <platform[:mode]>', 'twitter, linkedin, instagram, youtube or threads, e.g. twitter:thread; repeat for more', repeated)
      .option('--kb <kbId>', 'a knowledge base to find and cite passages from'),
  async send(client, body, f, idempotencyKey) {
    const ideaFields = { ...(body.idea as Body | undefined), ...given({ title: f.title, hook: f.hook, angle: f.angle }) };
    const platforms = f.platform?.map((p) => {
      const [platform, mode] = p.split(':', 2);
      return { platform, ...(mode ? { mode } : {}) };
    });
    const input = { ...body, idea: ideaFields, ...given({ platforms, kbId: f.kb }) };
    const answer = await client.ideas.enrich(input as Parameters<LongrunClient['ideas']['enrich']>[0], { idempotencyKey });
    return { answer, jobId: answer.jobId };
  },
};

const agentRun: KindSpec<{ agent?: string }> = {
  name: 'agent-run',
  description: 'a run of an agent now (its posts are written as drafts); --file may hold {"agentId": …}',
  flags: (c) => c.option('--agent <id>', 'the agent (agent_…)'),
  async send(client, body, f, idempotencyKey) {
    const agentId = required({ ...body, ...given({ agentId: f.agent }) }, 'agentId', '--agent');
    const answer = await client.agents.run(agentId, { idempotencyKey });
    return { answer, jobId: answer.runId };
  },
};

const render: KindSpec<{ clip?: string; candidate?: string; template?: string; captions?: boolean }> = {
  name: 'render',
  description: 'a render of a clip\'s candidate segment to MP4; --file may hold {"clipId", "candidateId", "template", "captions"}',
  flags: (c) =>
    c
      .option('--clip <id>', 'the clip (clip_…)')
      .option('--candidate <id>', 'the candidate segment (cand_…)')
      .option('--template <name>', 'default, vertical or square')
      .option('--captions', "burn in the clip's captions"),
  async send(client, body, f, idempotencyKey) {
    const { clipId: rawClipId, ...rest } = { ...body, ...given({ clipId: f.clip, candidateId: f.candidate, template: f.template, captions: f.captions }) };
    const clipId = required({ clipId: rawClipId }, 'clipId', '--clip');
    const answer = await client.clips.render(clipId, rest as Parameters<LongrunClient['clips']['render']>[1], { idempotencyKey });
    return { answer, jobId: answer.jobId };
  },
};

const sleep: KindSpec<{ items?: number; ms?: number; fail?: string[]; flaky?: string[]; hang?: string[] }> = {
  name: 'sleep',
  description: 'the demonstration kind (servers started with LONGRUN_DEMO_KINDS=1): items that sleep',
  flags: (c) =>
    c
      .option('--items <n>', 'how many items (default 1)', intFlag('--items'))
      .option('--ms <n>', 'how long each item sleeps (default 100)', intFlag('--ms'))
      .option('--fail <key>', 'an item that fails, e.g. item-2; repeat for more', repeated)
      .option('--flaky <key>', 'an item whose first attempt fails; repeat for more', repeated)
      .option('--hang <key>', 'an item that never finishes on its own; repeat for more', repeated),
  async send(client, body, f, idempotencyKey) {
    const input = { ...body, ...given({ items: f.items, ms: f.ms, fail: f.fail, flaky: f.flaky, hang: f.hang }) };
    const answer = await client.demo.sleep(input, { idempotencyKey });
    return { answer, jobId: answer.jobId };
  },
};

function registerKind<Flags>(submit: Command, kind: KindSpec<Flags>): void {
  const command = kind.flags(submit.command(kind.name).description(kind.description));
  withServerOptions(command)
    .option('--file <path>', 'the request body as JSON (- for stdin); flags override its fields')
    .option('--idempotency-key <key>', 'submit at most once for this key (the same answer again on a repeat)')
    .option('--json', "print the server's answer as JSON instead of the job ID")
    .option('--watch', 'then follow the job until it ends, as longrun watch does')
    .action(async (opts: CommonOptions & Flags, cmd: Command) => {
      const client = clientFrom(cmd);
      const { answer, jobId } = await kind.send(client, readBody(opts.file), opts, opts.idempotencyKey);
      print(opts.json ? JSON.stringify(answer, null, 2) : jobId);
      if (opts.watch) process.exitCode = exitCodeFor(await watchJob(client, jobId));
    });
}

export function registerSubmit(program: Command): void {
  const submit = program
    .command('submit')
    .description('submit work to a running server; prints the job ID')
    .addHelpText('after', '\nEach kind takes --file input.json (the request body, - for stdin) and/or its own flags; see longrun submit <kind> --help.');
  registerKind(submit, sourcing);
  registerKind(submit, enrich);
  registerKind(submit, idea);
  registerKind(submit, agentRun);
  registerKind(submit, render);
  registerKind(submit, sleep);
}
