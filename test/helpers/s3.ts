/**
 * A local S3-speaking server for the storage tests: s3rver (SigV4, multipart, ranged GETs,
 * presigned URLs) on a loopback port of its own, over a temporary directory, with one bucket.
 * `env` is what a longrun process needs to use it; `close` stops it and removes its files.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
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

export interface OutageProxy {
  /** Where to point AWS_ENDPOINT_URL_S3: every request passes through here. */
  endpoint: string;
  /** From now on, connections are refused at once (and open ones cut): the bucket is down. */
  down(): void;
  /** Connections pass again. */
  up(): void;
  /** Bytes a second from the bucket to each client from now on, or null for no limit (the start). */
  slow(bytesPerSecond: number | null): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of `endpoint` that can drop every connection, as a network outage would. */
export async function startOutageProxy(endpoint: string): Promise<OutageProxy> {
  const target = new URL(endpoint);
  let isDown = false;
  let rate: number | null = null;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (isDown) return client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream);
    // The bucket's answers pass in slices of a twentieth of the rate, one every 50 ms, when slowed.
    upstream.on('data', (chunk: Buffer) => {
      upstream.pause();
      void (async () => {
        for (let at = 0; at < chunk.length && !client.destroyed;) {
          const size = rate ? Math.max(1, Math.floor(rate / 20)) : chunk.length - at;
          const flowing = client.write(chunk.subarray(at, at + size));
          at += size;
          if (!flowing) await new Promise((resolve) => client.once('drain', resolve).once('close', resolve));
          if (rate) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        upstream.resume();
      })();
    });
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    down() {
      isDown = true;
      for (const socket of open) socket.destroy();
    },
    up() {
      isDown = false;
    },
    slow(bytesPerSecond) {
      rate = bytesPerSecond;
    },
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
