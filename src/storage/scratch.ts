/**
 * The scratch directory's leftovers: files on their way into the storage (an upload being
 * received, a part being checked, a render being written) are deleted by whoever made them,
 * except when the process dies first. Each process sweeps at its start what no one has written
 * to for `idleMs` — longer than any render or upload takes between two writes, so a file another
 * live process on the same machine is still writing is never taken.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Two render time budgets: nothing that still runs leaves a scratch file untouched this long. */
export const SCRATCH_IDLE_MS = 4 * 3_600_000;

/** Deletes the files in `dir` not modified for `idleMs`; returns how many. A missing directory has none. */
export async function scratchSweep(dir: string, idleMs = SCRATCH_IDLE_MS, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let deleted = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat?.isFile() || now - stat.mtimeMs < idleMs) continue;
    await fs.promises.rm(file, { force: true });
    deleted += 1;
  }
  return deleted;
}
