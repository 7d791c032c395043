/**
 * The S3 test support against a real server (s3rver in a child process, or `S3_ENDPOINT`), driven
 * with the real AWS SDK v3 through the fault proxy.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../kit/checks.js';
import { useFaultProxy } from '../support/s3/fault-proxy.js';
import { startS3, useTestS3 } from '../support/s3/s3-server.js';

const s3 = useTestS3();
const proxy = useFaultProxy(s3);
const run = randomUUID().slice(0, 8); // key prefix, so a shared S3_BUCKET does not mix runs
const MiB = 1024 * 1024;

let client: S3Client;
let once: S3Client; // no retries: the client sees the first failure
beforeAll(() => {
  client = s3.client({ endpoint: proxy.endpoint });
  once = s3.client({ endpoint: proxy.endpoint, maxAttempts: 1 });
});
beforeEach(() => proxy.resetCounts());

const put = (key: string, body: Buffer | string, c = client) =>
  c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: Buffer.from(body) }));

async function get(key: string, c = client): Promise<Buffer> {
  const r = await c.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

async function createUpload(key: string): Promise<string> {
  const r = await client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: key }));
  return r.UploadId!;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('expected the call to fail'),
    (err: Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; code?: string }) => err,
  );

describe('S3 test server through the proxy', () => {
  it('puts, gets, heads and deletes an object, byte for byte', async () => {
    const body = randomBytes(64 * 1024);
    await put(`${run}/a.bin`, body);
    expect((await get(`${run}/a.bin`)).equals(body)).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${run}/a.bin` }));
    expect(head.ContentLength).toBe(body.length);
    expect((await s3.getObject(`${run}/a.bin`)).equals(body)).toBe(true);
    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `${run}/a.bin` }));
    expect(await s3.listKeys(`${run}/`)).toEqual([]);
    expect(proxy.counts()).toEqual({ PutObject: 1, GetObject: 1, HeadObject: 1, DeleteObject: 1 });
  });

  it('lists more than 1000 keys across pages (s3rver runs with the legacy OpenSSL provider)', async () => {
    const keys = Array.from({ length: 1050 }, (_, i) => `${run}/many/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => put(k, k)));
    proxy.resetCounts();
    const seen: string[] = [];
    for await (const page of paginateListObjectsV2({ client }, { Bucket: s3.bucket, Prefix: `${run}/many/` })) {
      for (const o of page.Contents ?? []) seen.push(o.Key!);
    }
    expect(seen).toEqual(keys);
    expect(proxy.count('ListObjectsV2')).toBe(2);
    expect(await s3.listKeys(`${run}/many/`)).toEqual(keys);
  });

  it('completes a multipart upload of two 5 MiB parts', async () => {
    const key = `${run}/mpu/whole.bin`;
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB)];
    const uploadId = await createUpload(key);
    expect(proxy.openUploads(s3.bucket).map((u) => u.uploadId)).toContain(uploadId);
    const etags = [];
    for (const [i, Body] of parts.entries()) {
      const r = await client.send(new UploadPartCommand({ Bucket: s3.bucket, Key: key, UploadId: uploadId, PartNumber: i + 1, Body }));
      etags.push({ ETag: r.ETag!, PartNumber: i + 1 });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket: s3.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: etags } }));
    expect((await s3.getObject(key)).equals(Buffer.concat(parts))).toBe(true);
    expect(proxy.openUploads().map((u) => u.uploadId)).not.toContain(uploadId);
    expect(proxy.counts()).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 2, CompleteMultipartUpload: 1 });
  });

  it('lists and aborts open multipart uploads', async () => {
    const prefix = `${run}/open/`;
    const a = await createUpload(`${prefix}a`);
    const b = await createUpload(`${prefix}b`);
    const list = async () => (await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: prefix }))).Uploads ?? [];
    const before = await list();
    expect(before.map((u) => [u.Key, u.UploadId])).toEqual([[`${prefix}a`, a], [`${prefix}b`, b]]);
    expect(before[0]!.Initiated).toBeInstanceOf(Date);

    const abort = await client.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: `${prefix}a`, UploadId: a }));
    expect(abort.$metadata.httpStatusCode).toBe(204);
    expect((await list()).map((u) => u.UploadId)).toEqual([b]);
    expect(proxy.openUploads(s3.bucket).map((u) => u.uploadId)).not.toContain(a);

    const unknown = await failure(client.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: `${prefix}a`, UploadId: 'nope' })));
    expect(unknown.name).toBe('NoSuchUpload');
    const late = await failure(client.send(new UploadPartCommand({ Bucket: s3.bucket, Key: `${prefix}a`, UploadId: a, PartNumber: 1, Body: Buffer.from('x') })));
    expect(late.name).toBe('NoSuchUpload');
    await client.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: `${prefix}b`, UploadId: b }));
    expect(proxy.counts()).toMatchObject({ ListMultipartUploads: 2, AbortMultipartUpload: 3 });
  });
});

describe('faults', () => {
  it('503 SlowDown is retried by the SDK and surfaces with maxAttempts=1', async () => {
    proxy.slowDown({ kind: 'PutObject', key: `${run}/slow` }, 2);
    await put(`${run}/slow`, 'ok');
    expect(proxy.count('PutObject')).toBe(3);
    expect((await get(`${run}/slow`)).toString()).toBe('ok');

    const rule = proxy.slowDown({ kind: 'PutObject' });
    const err = await failure(put(`${run}/slow`, 'again', once));
    expect(err.name).toBe('SlowDown');
    expect(err.$metadata?.httpStatusCode).toBe(503);
    expect(rule.hits).toBe(1);
    expect(rule.remaining).toBe(0);
  });

  it('matches on query parameters (partNumber) and resets mid-upload', async () => {
    const key = `${run}/reset.bin`;
    const uploadId = await createUpload(key);
    const part = (n: number, c: S3Client) =>
      c.send(new UploadPartCommand({ Bucket: s3.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: randomBytes(5 * MiB) }));
    proxy.resetAfter({ kind: 'UploadPart', query: { uploadId: true, partNumber: '2' } }, MiB);
    await part(1, once); // not matched: partNumber 1
    const err = await failure(part(2, once));
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(['ECONNRESET', 'EPIPE', 'ECONNABORTED']).toContain(err.code);

    proxy.resetAfter({ kind: 'UploadPart' }, MiB);
    proxy.resetCounts();
    await part(2, client); // the SDK retries the reset part
    expect(proxy.count('UploadPart')).toBe(2);
    expect(proxy.requests().map((r) => r.status)).toEqual(['reset', 200]);
  });

  it('delays responses and still succeeds', async () => {
    await put(`${run}/late`, 'late');
    proxy.delay({ kind: 'GetObject' }, 300);
    expect((await get(`${run}/late`)).toString()).toBe('late');
    expect(proxy.requests().at(-1)).toMatchObject({ kind: 'GetObject', fault: 'delay', status: 200 });
  });

  it('holds a response the upstream answered until released, then sends it on', async () => {
    const key = `${run}/held`;
    await put(key, 'held');
    proxy.resetCounts();
    const rule = proxy.hold({ kind: 'GetObject', key }, { forward: true });
    const body = get(key);
    await waitFor('the proxy to hold the GET', () => rule.held === 1);
    const pending = Symbol('pending');
    expect(await Promise.race([body, Promise.resolve(pending)])).toBe(pending);
    expect(proxy.requests()).toMatchObject([{ kind: 'GetObject', fault: 'hold', held: true, upstream: 200, status: 0 }]);

    rule.release();
    expect((await body).toString()).toBe('held');
    expect(rule.held).toBe(0);
    expect(proxy.requests()).toMatchObject([{ kind: 'GetObject', fault: 'hold', held: false, upstream: 200, status: 200 }]);
  });

  it('answers with given errors: NoSuchBucket, AccessDenied, 404 on HEAD, error after forwarding', async () => {
    proxy.fail({ kind: 'ListObjectsV2' }, { status: 404, code: 'NoSuchBucket' });
    const missing = await failure(client.send(new ListObjectsV2Command({ Bucket: s3.bucket })));
    expect(missing.name).toBe('NoSuchBucket');

    proxy.fail({ method: 'PUT', key: /denied/ }, { status: 403, code: 'AccessDenied' });
    const denied = await failure(put(`${run}/denied`, 'x'));
    expect([denied.name, denied.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 403]);

    proxy.fail({ kind: 'HeadObject' }, { status: 404, code: 'NoSuchKey' }, 1);
    const head = await failure(client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${run}/x` })));
    expect([head.name, head.$metadata?.httpStatusCode]).toEqual(['NotFound', 404]);

    proxy.fail({ kind: 'PutObject' }, { status: 500, code: 'InternalError', forward: true }, 1);
    const ambiguous = await failure(put(`${run}/stored-anyway`, 'x', once));
    expect(ambiguous.name).toBe('InternalError');
    expect((await s3.getObject(`${run}/stored-anyway`)).toString()).toBe('x');
  });
});

describe.runIf(!process.env.S3_ENDPOINT)('the s3rver child', () => {
  const accepts = (endpoint: string) =>
    new Promise<boolean>((resolve) => {
      const { hostname, port } = new URL(endpoint);
      const sock = connect(Number(port), hostname);
      sock.once('connect', () => (sock.destroy(), resolve(true)));
      sock.once('error', () => resolve(false));
    });

  it('stops with stop(): its port no longer accepts connections', async () => {
    const other = await startS3();
    expect(other.bucket).not.toBe(s3.bucket);
    await other.client().send(new PutObjectCommand({ Bucket: other.bucket, Key: 'k', Body: Buffer.from('v') }));
    expect(await other.listKeys()).toEqual(['k']);
    expect(await accepts(other.endpoint)).toBe(true);
    await other.stop();
    expect(await accepts(other.endpoint)).toBe(false);
  });
});
