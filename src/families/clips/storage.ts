/**
 * Where clip files live: `<clips dir>/<org>/<clip>/source<ext>` for the upload and
 * `…/renders/<job>.mp4` for outputs. Rows keep paths relative to the clips directory, so the
 * directory can move. Deleting a clip deletes its folder.
 */
import fs from 'node:fs';
import path from 'node:path';

export class ClipStorage {
  constructor(readonly root: string) {}

  clipDir(orgId: string, clipId: string): string {
    return path.join(this.root, orgId, clipId);
  }

  /** Absolute path of a stored relative path (refuses anything outside the root). */
  resolve(relative: string): string {
    const full = path.resolve(this.root, relative);
    if (!full.startsWith(this.root + path.sep)) throw new Error(`path ${relative} escapes the clips directory`);
    return full;
  }

  relative(absolute: string): string {
    return path.relative(this.root, absolute);
  }

  sourcePath(orgId: string, clipId: string, originalName: string): string {
    const ext = path
      .extname(originalName)
      .toLowerCase()
      .replace(/[^.a-z0-9]/g, '')
      .slice(0, 8);
    return path.join(this.clipDir(orgId, clipId), `source${ext}`);
  }

  renderPath(orgId: string, clipId: string, jobId: string): string {
    return path.join(this.clipDir(orgId, clipId), 'renders', `${jobId}.mp4`);
  }

  /** A private folder for uploads in progress. */
  uploadsDir(): string {
    return path.join(this.root, '.uploads');
  }

  removeClip(orgId: string, clipId: string): void {
    fs.rmSync(this.clipDir(orgId, clipId), { recursive: true, force: true });
  }
}
