/**
 * A local S3-speaking server for the storage tests: s3rver (SigV4, multipart, ranged GETs,
 * presigned URLs) on a loopback port of its own, over a temporary directory, with one bucket.
 * `env` is what a longrun process needs to use it; `close` stops it and removes its files.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { tempDir } from './testServer.ts';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** LONGRUN_STORAGE_URL and the AWS variables, for a longrun process or loadConfig. */
  env(prefix?: string): Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'longrun'): Promise<LocalS3> {
  const directory = tempDir('longrun-s3-');
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    env: (prefix = 'test') => ({
      LONGRUN_STORAGE_URL: `s3://${bucket}/${prefix}`,
      LONGRUN_STORAGE_PATH_STYLE: '1',
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      // s3rver's built-in account.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    }),
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
