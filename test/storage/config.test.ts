/**
 * LONGRUN_STORAGE_URL and its companions, as config.ts reads them: the default under the data
 * directory, `file:` and `s3://` forms with the standard AWS variables, and a refusal naming
 * the setting for each wrong value.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

const storageOf = (env: Record<string, string>) => loadConfig({ dataDir: '/srv/longrun' }, env).storage;

describe('LONGRUN_STORAGE_URL', () => {
  it('defaults to the clips directory under the data directory, and takes file:<dir>', () => {
    expect(storageOf({})).toEqual({ driver: 'file', dir: '/srv/longrun/clips', publicUrls: 'signed' });
    expect(storageOf({ LONGRUN_CLIPS_DIR: '/mnt/clips' })).toMatchObject({ driver: 'file', dir: '/mnt/clips' });
    expect(storageOf({ LONGRUN_STORAGE_URL: 'file:/mnt/files' })).toMatchObject({ dir: '/mnt/files' });
    expect(storageOf({ LONGRUN_STORAGE_URL: 'file:///mnt/files' })).toMatchObject({ dir: '/mnt/files' });
    expect(storageOf({ LONGRUN_STORAGE_URL: 'file:relative' })).toMatchObject({ dir: path.resolve('relative') });
  });

  it('takes s3://<bucket>/<prefix> with the AWS variables and path style', () => {
    expect(
      storageOf({
        LONGRUN_STORAGE_URL: 's3://media.example/longrun/prod/',
        AWS_ENDPOINT_URL: 'https://minio.internal:9000',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIA',
        AWS_SECRET_ACCESS_KEY: 'secret',
        LONGRUN_STORAGE_PATH_STYLE: '1',
        LONGRUN_STORAGE_PUBLIC_URLS: 'presigned',
      }),
    ).toEqual({
      driver: 's3',
      bucket: 'media.example',
      prefix: 'longrun/prod/',
      endpoint: 'https://minio.internal:9000',
      region: 'eu-west-1',
      accessKeyId: 'AKIA',
      secretAccessKey: 'secret',
      pathStyle: true,
      publicUrls: 'presigned',
    });
    // AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL; no prefix, no keys (the SDK's chain), us-east-1.
    expect(storageOf({ LONGRUN_STORAGE_URL: 's3://bucket', AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://b:2' })).toMatchObject({
      bucket: 'bucket',
      prefix: '',
      endpoint: 'http://b:2',
      region: 'us-east-1',
      accessKeyId: null,
      pathStyle: false,
    });
  });

  it('keeps a prefix as a folder: with or without its slashes, or none', () => {
    const prefixOf = (url: string) => (storageOf({ LONGRUN_STORAGE_URL: url }) as { prefix: string }).prefix;
    expect(prefixOf('s3://bucket')).toBe('');
    expect(prefixOf('s3://bucket/')).toBe('');
    expect(prefixOf('s3://bucket/longrun')).toBe('longrun/');
    expect(prefixOf('s3://bucket/longrun/')).toBe('longrun/');
    expect(prefixOf('s3://bucket//longrun/prod//')).toBe('longrun/prod/');
  });

  it('refuses wrong values, naming the setting', () => {
    const refused = (env: Record<string, string>) => () => storageOf(env);
    expect(refused({ LONGRUN_STORAGE_URL: 'gs://bucket' })).toThrow(/LONGRUN_STORAGE_URL must be file:<directory> or s3:\/\/<bucket>\/<prefix>/);
    expect(refused({ LONGRUN_STORAGE_URL: 's3://UPPER/x' })).toThrow(/LONGRUN_STORAGE_URL must be/);
    expect(refused({ LONGRUN_STORAGE_URL: 's3://bucket/a/../b' })).toThrow(/must not contain \. or \.\. segments/);
    expect(refused({ LONGRUN_STORAGE_URL: 's3://bucket/a//b' })).toThrow(/must not contain an empty segment/);
    expect(refused({ LONGRUN_STORAGE_URL: 's3://bucket', AWS_ENDPOINT_URL_S3: 'minio:9000' })).toThrow(
      /AWS_ENDPOINT_URL_S3 \/ AWS_ENDPOINT_URL must be an http/,
    );
    expect(refused({ LONGRUN_STORAGE_URL: 's3://bucket', AWS_ACCESS_KEY_ID: 'AKIA' })).toThrow(/must be given together/);
    expect(refused({ LONGRUN_STORAGE_URL: 's3://bucket', LONGRUN_STORAGE_PATH_STYLE: 'yes' })).toThrow(
      /LONGRUN_STORAGE_PATH_STYLE must be 1, true, 0 or false/,
    );
    expect(refused({ LONGRUN_STORAGE_PUBLIC_URLS: 'public' })).toThrow(/LONGRUN_STORAGE_PUBLIC_URLS must be signed or presigned/);
    expect(refused({ LONGRUN_STORAGE_PUBLIC_URLS: 'presigned' })).toThrow(/needs an s3:\/\/ LONGRUN_STORAGE_URL/);
    expect(refused({ LONGRUN_STORAGE_URL: 's3://bucket', LONGRUN_STORAGE_PUBLIC_URLS: 'presigned', LONGRUN_RENDER_URL_TTL_SECONDS: '700000' })).toThrow(
      /LONGRUN_RENDER_URL_TTL_SECONDS must be at most 604800/,
    );
  });
});
