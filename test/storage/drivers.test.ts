/**
 * One conformance suite for every storage driver (src/storage): the file driver on a temporary
 * directory and the S3 driver on s3rver (started here). Puts (a buffer, a stream, a file that
 * is consumed), whole and ranged reads, sizes, listing, deletes of one key and of a prefix,
 * multipart uploads invisible until completed, presigned GETs where the driver signs, the
 * readiness check with a probe object; and the sweep of a scratch directory a dead process left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../src/app/families.ts';
import { loadConfig } from '../../src/config.ts';
import { openStorage } from '../../src/storage/open.ts';
import { SCRATCH_IDLE_MS, scratchSweep } from '../../src/storage/scratch.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3.ts';
import { tempDir, testStore } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

let s3: LocalS3;
let dir: string;
beforeAll(async () => {
  s3 = await startLocalS3();
  dir = tempDir('longrun-storage-');
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const bytesOf = async (stream: NodeJS.ReadableStream) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const drivers: [string, () => Storage][] = [
  ['file', () => openStorage(loadConfig({ dataDir: path.join(dir, 'file') }, {}).storage, path.join(dir, 'file'))],
  ['s3', () => openStorage(loadConfig({ dataDir: path.join(dir, 's3') }, s3.env('conformance')).storage, path.join(dir, 's3'))],
];

describe.each(drivers)('the %s driver', (driver, open) => {
  let storage: Storage;
  beforeAll(() => {
    storage = open();
  });

  it('puts a buffer, a stream and a file (consumed), reads them whole and by range, lists, deletes one and a prefix', async () => {
    expect(storage.driver).toBe(driver);
    expect((await storage.put('a/b/one.txt', Buffer.from('hello, storage'))).size).toBe(14);
    await storage.put('a/b/streamed.txt', Readable.from([Buffer.from('in '), Buffer.from('pieces')]));
    fs.mkdirSync(storage.scratchDir, { recursive: true });
    const file = path.join(storage.scratchDir, 'two.txt');
    fs.writeFileSync(file, 'second object');
    await storage.put('a/b/two.txt', { file });
    expect(fs.existsSync(file)).toBe(false);
    const whole = await storage.get('a/b/one.txt');
    expect(whole.size).toBe(14);
    expect((await bytesOf(whole.body)).toString()).toBe('hello, storage');
    const range = await storage.get('a/b/one.txt', { start: 7, end: 13 });
    expect(range.size).toBe(14);
    expect((await bytesOf(range.body)).toString()).toBe('storage');
    expect((await bytesOf((await storage.get('a/b/streamed.txt')).body)).toString()).toBe('in pieces');
    expect(await storage.list('a/')).toEqual(['a/b/one.txt', 'a/b/streamed.txt', 'a/b/two.txt']);
    await storage.delete('a/b/one.txt');
    await storage.delete('a/b/one.txt'); // deleting what is not there succeeds
    expect(await storage.size('a/b/one.txt')).toBeNull();
    await expect(storage.get('a/b/one.txt')).rejects.toThrow(/No stored object a\/b\/one.txt/);
    await storage.deletePrefix('a/');
    expect(await storage.list('a/')).toEqual([]);
    await expect(storage.size('../escape')).rejects.toThrow(/invalid storage key/);
    for (const key of ['a/../../escape', '/abs', 'a//b', 'a\\b', '']) await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow(/invalid storage key/);
    // Never everything, nor a name's prefix: a folder of the keys only.
    await storage.put('clip_1/source.mp4', Buffer.from('kept'));
    for (const prefix of ['', 'clip_', 'clip_1', '../', '/']) await expect(storage.deletePrefix(prefix)).rejects.toThrow(/invalid storage (prefix|key)/);
    expect(await storage.list('')).toEqual(['clip_1/source.mp4']);
    await storage.deletePrefix('clip_1/');
    expect(await storage.list('')).toEqual([]);
  });

  it('joins multipart parts, in order, only on completion; parts sent again replace the earlier ones', async () => {
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.alloc(1000, 2)];
    const handle = await storage.multipartStart('m/joined.bin', 'upl_conformance');
    const tags: string[] = [];
    const send = async (n: number, body: Buffer) => {
      const file = path.join(dir, `part-${driver}-${n}`);
      fs.writeFileSync(file, body);
      const tag = await storage.multipartPut('m/joined.bin', handle, n, file, body.length);
      expect(fs.existsSync(file)).toBe(false);
      return tag;
    };
    tags[1] = await send(2, Buffer.alloc(1000, 9));
    tags[0] = await send(1, parts[0]!);
    tags[1] = await send(2, parts[1]!); // the last one sent wins
    expect(await storage.size('m/joined.bin')).toBeNull(); // nothing until completed
    await storage.multipartComplete('m/joined.bin', handle, tags);
    expect(await storage.size('m/joined.bin')).toBe(5 * 1024 * 1024 + 1000);
    const seam = await storage.get('m/joined.bin', { start: 5 * 1024 * 1024 - 1, end: 5 * 1024 * 1024 });
    expect([...(await bytesOf(seam.body))]).toEqual([1, 2]);
    expect(await storage.list('m/')).toEqual(['m/joined.bin']);
    await storage.deletePrefix('m/');
  });

  it('signs a GET a client without credentials can read by range, where the driver can sign', async () => {
    await storage.put('p/signed.txt', Buffer.from('0123456789'));
    const url = await storage.presignedUrl('p/signed.txt', 60, 'text/plain');
    if (driver === 'file') {
      expect(url).toBeNull(); // longrun's own signed routes serve files
      expect(await storage.mediaInput('p/signed.txt', 60)).toBe(path.join(dir, 'file', 'clips', 'p', 'signed.txt'));
    } else {
      expect(url).toMatch(/X-Amz-Signature=/);
      const ranged = await fetch(url!, { headers: { range: 'bytes=2-4' } });
      expect(ranged.status).toBe(206);
      expect(await ranged.text()).toBe('234');
      expect(await storage.mediaInput('p/signed.txt', 60)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/longrun\/conformance\/p\/signed\.txt\?/);
    }
    await storage.deletePrefix('p/');
  });

  it('passes its check with a probe object, which it does not leave behind', async () => {
    const target = driver === 'file' ? `file:${path.join(dir, 'file', 'clips')}` : 's3://longrun/conformance/';
    expect(await storage.check({ write: true })).toEqual({ ok: true, target });
    expect(await storage.list('')).toEqual([]);
  });
});

// A directory is its own root: prefixes are the S3 driver's.
describe("the S3 driver's prefix", () => {
  it('keeps its keys under its own prefix, apart from a sibling prefix and from the bucket root', async () => {
    const beside = (url: string) =>
      openStorage(loadConfig({ dataDir: path.join(dir, 's3') }, { ...s3.env(), LONGRUN_STORAGE_URL: url }).storage, path.join(dir, 's3'));
    const storage = drivers[1]![1]();
    const sibling = beside('s3://longrun/conformance-other'); // shares the string `conformance`, not the folder
    const root = beside('s3://longrun/');
    await storage.put('x/mine.txt', Buffer.from('mine'));
    await sibling.put('x/theirs.txt', Buffer.from('theirs'));
    expect(await storage.list('')).toEqual(['x/mine.txt']);
    expect(await sibling.list('x/')).toEqual(['x/theirs.txt']);
    expect(await root.list('conformance/')).toEqual(['conformance/x/mine.txt']);
    await storage.deletePrefix('x/');
    expect(await sibling.list('')).toEqual(['x/theirs.txt']);
    await sibling.deletePrefix('x/');
    expect(await root.list('conformance')).toEqual([]);
  });
});

describe('the scratch directory', () => {
  it('loses at a process start what no one has written to for hours (a process died), never a file in use', async () => {
    const { store, dataDir, databaseUrl, drop } = await testStore();
    try {
      const config = loadConfig({ dataDir, databaseUrl, port: 0, logLevel: 'silent' }, s3.env('scratch'));
      const scratch = path.join(dataDir, 'tmp');
      fs.mkdirSync(scratch, { recursive: true });
      const old = path.join(scratch, 'job_1.partial.mp4');
      const fresh = path.join(scratch, 'clip_2-upload');
      fs.writeFileSync(old, 'left by a process that died');
      fs.writeFileSync(fresh, 'being received');
      const hoursAgo = (Date.now() - SCRATCH_IDLE_MS - 60_000) / 1000;
      fs.utimesSync(old, hoursAgo, hoursAgo);
      expect(compose(config, store, pino({ level: 'silent' })).deps.storage.scratchDir).toBe(scratch);
      await until('the old scratch file is deleted', () => !fs.existsSync(old));
      expect(fs.existsSync(fresh)).toBe(true);
      expect(await scratchSweep(path.join(dataDir, 'no-such-dir'))).toBe(0);
    } finally {
      await store.close();
      await drop();
    }
  });
});
