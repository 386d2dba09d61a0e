import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { call, tempDir } from '../helpers/testServer.ts';
import { startServeProcess } from '../helpers/cli.ts';

describe('longrun CLI', () => {
  let dataDir: string;
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dataDir]);

  beforeAll(() => {
    dataDir = tempDir();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('migrates, then says the database is up to date', async () => {
    const first = await cli('migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('applied 0001_foundation');
    const second = await cli('migrate');
    expect(second.stdout.trim()).toBe('database is up to date');
  });

  it('creates and lists organisations; refuses a duplicate with a one-line error', async () => {
    const created = await cli('orgs', 'create', 'acme');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^org_[0-9A-Z]{26}\tacme\n$/);
    const duplicate = await cli('orgs', 'create', 'acme');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe('longrun: an organisation named "acme" already exists\n');
    const listed = await cli('orgs', 'list');
    expect(listed.stdout).toContain('acme');
  });

  it('creates a key that works against a server on the same data dir, lists and revokes it', async () => {
    const created = await cli('keys', 'create', '--org', 'acme', '--scopes', 'sourcing:read,enrich:write', '--name', 'ci');
    expect(created.code).toBe(0);
    const key = created.stdout.trimEnd().split('\n').at(-1)!;
    expect(key).toMatch(/^lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    const keyId = `key_${key.split('_')[1]}`;

    const listed = await cli('keys', 'list', '--org', 'acme');
    expect(listed.stdout).toContain(keyId);
    expect(listed.stdout).toContain('sourcing:read,enrich:write');
    // The secret is base64url and may itself contain "_": take everything after the key ID.
    expect(listed.stdout).not.toContain(key.split('_').slice(2).join('_'));

    expect((await cli('credits', 'grant', '--org', 'acme', '25')).stdout).toContain('available 25');

    const server = await startServeProcess(['--data-dir', dataDir]);
    try {
      const me = await call(`${server.url}/me`, { key });
      expect(me.status).toBe(200);
      expect(me.body.data.key.scopes).toEqual(['sourcing:read', 'enrich:write']);
      expect((await call(`${server.url}/credits`, { key })).body.data.available).toBe(25);

      const revoked = await cli('keys', 'revoke', keyId);
      expect(revoked.code).toBe(0);
      expect((await call(`${server.url}/me`, { key })).status).toBe(401);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const again = await cli('keys', 'revoke', keyId);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`longrun: API key ${keyId} is already revoked\n`);
  });

  it('grants and shows credits by organisation ID or name', async () => {
    const orgId = (await cli('orgs', 'create', 'globex')).stdout.split('\t')[0]!;
    expect((await cli('credits', 'grant', '--org', orgId, '10')).code).toBe(0);
    expect((await cli('credits', 'grant', '--org', 'globex', '5')).code).toBe(0);
    const shown = await cli('credits', 'show', '--org', 'globex');
    expect(shown.stdout.trim()).toBe(`globex (${orgId}): available 15, reserved 0`);
  });

  it('reads the database from LONGRUN_DATABASE_URL', async () => {
    const dir = tempDir();
    try {
      const result = await runCli(['orgs', 'create', 'via-env'], { LONGRUN_DATABASE_URL: `sqlite:${dir}/other.db` });
      expect(result.code).toBe(0);
      expect(fs.existsSync(`${dir}/other.db`)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with one line and exit code 1 on bad input', async () => {
    const cases: [string[], string][] = [
      [['credits', 'grant', '--org', 'acme', '-3'], 'amount must be a positive integer'],
      [['credits', 'grant', '--org', 'nobody', '3'], 'no organisation with ID or name "nobody"'],
      [['keys', 'create', '--org', 'acme', '--scopes', 'root'], 'unknown scope root'],
      [['keys', 'revoke', 'key_nope'], 'no API key with ID "key_nope"'],
      [['orgs', 'create', 'org_sneaky'], 'invalid organisation name'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
    const unknownDb = await runCli(['orgs', 'list'], { LONGRUN_DATABASE_URL: 'mysql://x' });
    expect(unknownDb.code).toBe(1);
    expect(unknownDb.stderr).toContain('LONGRUN_DATABASE_URL must start with');
  });

  it('has --help on every command', async () => {
    const commands = [
      [],
      ['serve'],
      ['migrate'],
      ['orgs'],
      ['orgs', 'create'],
      ['orgs', 'list'],
      ['keys'],
      ['keys', 'create'],
      ['keys', 'list'],
      ['keys', 'revoke'],
      ['credits'],
      ['credits', 'grant'],
      ['credits', 'show'],
      ['throttle'],
      ['throttle', 'set'],
      ['throttle', 'list'],
      ['throttle', 'clear'],
    ];
    const results = await Promise.all(commands.map((command) => runCli([...command, '--help'])));
    results.forEach((result, i) => {
      expect(result.code, commands[i]!.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: longrun');
    });
  });
});
