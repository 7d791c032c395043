/**
 * A real S3-compatible server for tests: s3rver 3.7.1 in a child process (run with
 * `--openssl-legacy-provider`, so truncated ListObjectsV2 works) on a fresh temp dir with a fresh
 * bucket per call, or the server at `S3_ENDPOINT` (bucket `S3_BUCKET`, else a fresh one created
 * there and emptied and deleted by `stop()`; credentials from `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY`, region from `AWS_REGION`, default us-east-1).
 *
 * Clients are made with `forcePathStyle` and `WHEN_REQUIRED` checksums: with the SDK's default
 * checksums s3rver stores stream bodies with their aws-chunked framing. Use Buffer bodies.
 * s3rver also ignores `If-None-Match`, answers AbortMultipartUpload with 405 and
 * ListMultipartUploads with NotImplemented (see fault-proxy.ts, which emulates those two).
 *
 * @example
 * ```ts
 * const s3 = useTestS3();
 * it('writes', async () => {
 *   await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'a', Body: Buffer.from('x') }));
 *   expect(await s3.listKeys()).toEqual(['a']);
 * });
 * ```
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type BucketLocationConstraint,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { makeTempDir, removeTempDir } from '../temp-dir.js';

export interface TestS3 {
  /** `s3rver` for the child-process server, `external` for `S3_ENDPOINT`. */
  readonly kind: 's3rver' | 'external';
  /** Base URL of the server, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  readonly region: string;
  /** The bucket for this test file (fresh unless `S3_BUCKET` names one). */
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /**
   * An SDK client for this server (path style, `WHEN_REQUIRED` checksums). Without overrides the
   * same client is returned each time; with overrides (`endpoint` of a fault proxy, `maxAttempts`)
   * a new one. All are destroyed by `stop()`.
   */
  client(overrides?: Partial<S3ClientConfig>): S3Client;
  /** Confluent S3 sink keys pointing at this server, or at `endpoint` (a fault proxy) if given. */
  sinkConfig(endpoint?: string): Record<string, string>;
  /** Every key in the bucket under `prefix`, sorted, across all ListObjectsV2 pages. */
  listKeys(prefix?: string): Promise<string[]>;
  getObject(key: string): Promise<Buffer>;
  /** Stops the child server and removes its directory, or deletes the bucket if we created it. */
  stop(): Promise<void>;
}

/** Starts s3rver in a child process, or uses `S3_ENDPOINT` when set. */
export async function startS3(opts: { bucket?: string } = {}): Promise<TestS3> {
  const endpoint = process.env.S3_ENDPOINT;
  return endpoint ? useExternal(endpoint, opts.bucket) : startS3rver(opts.bucket ?? uniqueBucketName());
}

/** A bucket name unique to this process and call (lower case, < 63 characters). */
function uniqueBucketName(prefix = 'tributary-test'): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

// Beside this file, or in the source tree when this runs compiled from dist/ (the demo, benches).
const CHILD_SCRIPT = [new URL('./s3rver-child.mjs', import.meta.url), new URL('../../../../test/support/s3/s3rver-child.mjs', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p))!;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

async function startS3rver(bucket: string): Promise<TestS3> {
  const dir = await makeTempDir('tributary-s3rver-');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD_SCRIPT, dir, bucket], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`s3rver did not start in ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited with ${code} before listening: ${stderr}`));
      });
    });
    const conn = { kind: 's3rver' as const, endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    return make(conn, async () => {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
      await removeTempDir(dir);
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    await removeTempDir(dir);
    throw err;
  }
}

async function useExternal(endpoint: string, bucketOpt: string | undefined): Promise<TestS3> {
  const base = {
    kind: 'external' as const,
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
  };
  const given = bucketOpt ?? process.env.S3_BUCKET;
  const bucket = given ?? uniqueBucketName();
  const admin = newClient({ ...base, bucket });
  try {
    if (!given) {
      const location = base.region === 'us-east-1' ? undefined : { LocationConstraint: base.region as BucketLocationConstraint };
      await admin.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: location }));
    }
  } finally {
    admin.destroy();
  }
  return make({ ...base, bucket }, async (c) => {
    if (given) return;
    await emptyBucket(c, bucket);
    await c.send(new DeleteBucketCommand({ Bucket: bucket }));
  });
}

type Conn = Omit<TestS3, 'client' | 'sinkConfig' | 'listKeys' | 'getObject' | 'stop'>;

function newClient(conn: Conn, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: conn.endpoint,
    region: conn.region,
    forcePathStyle: true,
    credentials: { accessKeyId: conn.accessKeyId, secretAccessKey: conn.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });
}

async function listAll(c: S3Client, bucket: string, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** Aborts open multipart uploads and deletes every object (an unversioned bucket on a real server). */
async function emptyBucket(c: S3Client, bucket: string): Promise<void> {
  // A server without ListMultipartUploads (s3rver as S3_ENDPOINT) has no uploads to abort for us.
  const uploads = await c.send(new ListMultipartUploadsCommand({ Bucket: bucket })).catch((err: Error) => {
    if (err.name === 'NotImplemented') return { Uploads: [] };
    throw err;
  });
  for (const u of uploads.Uploads ?? []) {
    await c.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
  }
  const keys = await listAll(c, bucket);
  for (let i = 0; i < keys.length; i += 1000) {
    const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
    await c.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects, Quiet: true } }));
  }
}

function make(conn: Conn, shutdown: (c: S3Client) => Promise<void>): TestS3 {
  const main = newClient(conn);
  const extra = new Set<S3Client>();
  return {
    ...conn,
    client: (overrides) => {
      if (!overrides) return main;
      const c = newClient(conn, overrides);
      extra.add(c);
      return c;
    },
    sinkConfig: (endpoint = conn.endpoint) => ({
      's3.bucket.name': conn.bucket,
      's3.region': conn.region,
      'store.url': endpoint,
      's3.path.style.access.enabled': 'true',
      'aws.access.key.id': conn.accessKeyId,
      'aws.secret.access.key': conn.secretAccessKey,
    }),
    listKeys: (prefix) => listAll(main, conn.bucket, prefix),
    getObject: async (key) => {
      const r = await main.send(new GetObjectCommand({ Bucket: conn.bucket, Key: key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    },
    stop: async () => {
      for (const c of extra) c.destroy();
      extra.clear();
      try {
        await shutdown(main);
      } finally {
        main.destroy();
      }
    },
  };
}

/**
 * Starts a resource before a file's tests and stops it after them; the returned object forwards to
 * the running instance, so use it inside tests and hooks only (as `useTestPostgres` does).
 */
export function useStarted<T extends { stop(): Promise<void> }>(what: string, start: () => Promise<T>): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => started?.stop());
  return new Proxy({} as T, {
    get: (_, key) => {
      if (!started) throw new Error(`${what} is not started yet: use it inside tests and hooks`);
      const v = (started as unknown as Record<string | symbol, unknown>)[key];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(started) : v;
    },
  });
}

/** One S3 server and bucket for a test file: started before its tests, stopped after them. */
export function useTestS3(opts: { bucket?: string } = {}): TestS3 {
  return useStarted('the test S3 server', () => startS3(opts));
}
