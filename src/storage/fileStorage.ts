/**
 * The file driver (`file:<dir>`, the default `<data dir>/clips`): objects are files under one
 * directory, at their key's path — exactly where longrun kept them before storage drivers
 * existed, so a data directory from an older version needs nothing moved.
 *
 * Guarantees: a put writes `<key>.<random>.tmp` (or moves a scratch file from inside the root)
 * and renames it into place, so a reader never sees half an object; multipart parts live in
 * `<dir>/.uploads/<handle>/<n>.part` and are joined in order on completion. It cannot sign URLs
 * (`presignedUrl` is null): longrun's own signed routes serve the files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertKey, assertPrefix, type ByteRange, type Storage, type StorageCheck, StorageNotFoundError, type StoredObject } from './storage.ts';

export class FileStorage implements Storage {
  readonly driver = 'file' as const;
  readonly minPartBytes = 0;
  readonly scratchDir: string;
  readonly target: string;

  constructor(readonly root: string) {
    this.root = path.resolve(root);
    this.target = `file:${this.root}`;
    this.scratchDir = path.join(this.root, '.tmp');
  }

  /** Absolute path of a key (refuses anything outside the root). */
  pathOf(key: string): string {
    assertKey(key);
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new Error(`key ${key} escapes the storage directory`);
    return full;
  }

  private partsDir(handle: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(handle)) throw new Error(`invalid multipart handle "${handle}"`);
    return path.join(this.root, '.uploads', handle);
  }

  async put(key: string, body: Readable | Buffer | { file: string }, opts: { signal?: AbortSignal } = {}): Promise<{ size: number }> {
    const file = this.pathOf(key);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    if (!Buffer.isBuffer(body) && !(body instanceof Readable)) {
      await moveFile(body.file, file);
      return { size: (await fs.promises.stat(file)).size };
    }
    const tmp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, fs.createWriteStream(tmp), { signal: opts.signal });
      await fs.promises.rename(tmp, file);
    } catch (error) {
      await fs.promises.rm(tmp, { force: true });
      throw error;
    }
    return { size: (await fs.promises.stat(file)).size };
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject> {
    const file = this.pathOf(key);
    const size = await this.size(key);
    if (size === null) throw new StorageNotFoundError(key);
    return { body: fs.createReadStream(file, range ? { start: range.start, end: range.end } : {}), size };
  }

  async size(key: string): Promise<number | null> {
    try {
      const stat = await fs.promises.stat(this.pathOf(key));
      return stat.isFile() ? stat.size : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertPrefix(prefix);
    await fs.promises.rm(this.pathOf(prefix.slice(0, -1)), { recursive: true, force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = base ? this.pathOf(base) : this.root;
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        const key = path.relative(this.root, full).split(path.sep).join('/');
        if (key.startsWith('.uploads') || key.startsWith('.tmp')) continue;
        if (entry.isDirectory()) await walk(full);
        else if (key.startsWith(prefix) && !key.endsWith('.tmp')) keys.push(key);
      }
    };
    await walk(start);
    return keys.sort();
  }

  async multipartStart(_key: string, id: string): Promise<string> {
    await fs.promises.mkdir(this.partsDir(id), { recursive: true });
    return id;
  }

  async multipartPut(_key: string, handle: string, n: number, file: string): Promise<string> {
    const dir = this.partsDir(handle);
    await fs.promises.mkdir(dir, { recursive: true });
    await moveFile(file, path.join(dir, `${n}.part`));
    return `${n}`;
  }

  async multipartComplete(key: string, handle: string, tags: string[]): Promise<void> {
    const count = tags.length;
    const dir = this.partsDir(handle);
    // One pipeline over every part in order (a pipeline per part into one file stream left a
    // listener behind per part: MaxListenersExceededWarning past ten parts).
    async function* partsInOrder() {
      for (let n = 1; n <= count; n++) yield* fs.createReadStream(path.join(dir, `${n}.part`));
    }
    await this.put(key, Readable.from(partsInOrder()));
    await fs.promises.rm(dir, { recursive: true, force: true });
  }

  async multipartAbort(_key: string, handle: string): Promise<void> {
    await fs.promises.rm(this.partsDir(handle), { recursive: true, force: true });
  }

  async mediaInput(key: string): Promise<string> {
    return this.pathOf(key);
  }

  async presignedUrl(): Promise<string | null> {
    return null;
  }

  async check(opts: { write?: boolean } = {}): Promise<StorageCheck> {
    try {
      await fs.promises.mkdir(this.root, { recursive: true });
      await fs.promises.access(this.root, fs.constants.R_OK | fs.constants.W_OK);
      await fs.promises.readdir(this.root);
      if (opts.write) {
        const key = `.probe-${crypto.randomBytes(6).toString('hex')}`;
        await this.put(key, Buffer.from('longrun storage check'));
        try {
          await fs.promises.readFile(this.pathOf(key));
        } finally {
          await this.delete(key);
        }
      }
      return { ok: true, target: this.target };
    } catch (error) {
      return { ok: false, target: this.target, error: (error as Error).message };
    }
  }
}

/** Renames `from` to `to`, copying across filesystems (EXDEV). */
async function moveFile(from: string, to: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(to), { recursive: true });
  try {
    await fs.promises.rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    const tmp = `${to}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    await fs.promises.copyFile(from, tmp);
    await fs.promises.rename(tmp, to);
    await fs.promises.rm(from, { force: true });
  }
}
