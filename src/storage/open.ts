/**
 * Builds the storage driver a configuration names, once per process (the composition root and
 * `longrun storage check` call this).
 */
import path from 'node:path';
import type { StorageConfig } from '../config.ts';
import { FileStorage } from './fileStorage.ts';
import { S3Storage } from './s3Storage.ts';
import type { Storage } from './storage.ts';

export function openStorage(config: StorageConfig, dataDir: string): Storage {
  if (config.driver === 'file') return new FileStorage(config.dir);
  return new S3Storage(config, path.join(dataDir, 'tmp'));
}
