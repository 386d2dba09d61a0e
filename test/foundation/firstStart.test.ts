import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startServeProcess, type ServeProcess } from '../helpers/cli.ts';
import { call, tempDir } from '../helpers/testServer.ts';

const KEY = /lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}/;

describe('first start', () => {
  const dirs: string[] = [];
  let running: ServeProcess | undefined;

  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  // Two process starts, each allowed 20 s.
  it('prints a working key on an empty data dir, and no secret on the next start', { timeout: 90_000 }, async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);

    running = await startServeProcess(['--data-dir', dataDir]);
    const key = KEY.exec(running.output())?.[0];
    expect(key, running.output()).toBeDefined();
    expect(running.output()).toContain(`curl -H "Authorization: Bearer ${key}" ${running.url}/me`);

    const me = await call(`${running.url}/me`, { key });
    expect(me.status).toBe(200);
    expect(me.body.data.organisation.name).toBe('default');
    const credits = await call(`${running.url}/credits`, { key });
    expect(credits.body.data).toEqual({ available: 100, reserved: 0 });

    // SIGTERM is a graceful shutdown: exit code 0.
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);

    running = await startServeProcess(['--data-dir', dataDir]);
    expect(running.output()).not.toMatch(/lr_/);
    // The first key still works after the restart.
    expect((await call(`${running.url}/me`, { key })).status).toBe(200);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  it('reads the data dir from LONGRUN_DATA_DIR', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    running = await startServeProcess([], { LONGRUN_DATA_DIR: dataDir });
    expect(running.output()).toContain(dataDir);
    expect(fs.existsSync(`${dataDir}/longrun.db`)).toBe(true);
  });
});
