/**
 * What a path-style S3 request is (its operation, bucket, key and query), how fault rules select
 * requests, and S3's XML error body. Used by the fault proxy.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The S3 operation of a request, named as in the API reference; `Other` for the rest. */
export type S3RequestKind =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'DeleteObjects'
  | 'ListMultipartUploads'
  | 'PutObject'
  | 'CopyObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'Other';

/** A request as the proxy sees it (path style: `/<bucket>/<key>`). */
export interface S3Request {
  readonly kind: S3RequestKind;
  readonly method: string;
  /** The raw (still percent-encoded) path. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly bucket?: string;
  /** The decoded object key. */
  readonly key?: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * Selects requests: every given field must match (a string equals, a RegExp tests). `query` maps a
 * parameter to `true` (present, e.g. `{ uploads: true }`) or to its exact value (`{ partNumber: '2' }`).
 * A function decides on its own.
 */
export type RequestMatch =
  | {
      kind?: S3RequestKind | readonly S3RequestKind[];
      method?: string;
      path?: string | RegExp;
      bucket?: string;
      key?: string | RegExp;
      query?: Readonly<Record<string, string | true>>;
    }
  | ((r: S3Request) => boolean);

export function describeRequest(method: string, url: string, headers: IncomingHttpHeaders): S3Request {
  const u = new URL(url, 'http://proxy');
  const q = u.searchParams;
  const [, rawBucket = '', ...rest] = u.pathname.split('/');
  const bucket = rawBucket ? decodeURIComponent(rawBucket) : undefined;
  const key = rest.length && rest.join('/') !== '' ? decodeURIComponent(rest.join('/')) : undefined;
  const copy = 'x-amz-copy-source' in headers;
  const kind = !bucket
    ? method === 'GET' ? 'ListBuckets' : 'Other'
    : key === undefined ? bucketKind(method, q) : objectKind(method, q, copy);
  return { kind, method, path: u.pathname, query: q, bucket, key, headers };
}

const BUCKET_SUBRESOURCES = ['acl', 'cors', 'lifecycle', 'location', 'policy', 'tagging', 'versioning', 'website', 'versions'];

function bucketKind(method: string, q: URLSearchParams): S3RequestKind {
  if (BUCKET_SUBRESOURCES.some((s) => q.has(s))) return 'Other';
  switch (method) {
    case 'GET':
      if (q.has('uploads')) return 'ListMultipartUploads';
      return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    case 'HEAD': return 'HeadBucket';
    case 'PUT': return 'CreateBucket';
    case 'DELETE': return 'DeleteBucket';
    case 'POST': return q.has('delete') ? 'DeleteObjects' : 'Other';
    default: return 'Other';
  }
}

function objectKind(method: string, q: URLSearchParams, copy: boolean): S3RequestKind {
  if (['acl', 'tagging', 'retention', 'legal-hold', 'attributes'].some((s) => q.has(s))) return 'Other';
  const upload = q.has('uploadId');
  switch (method) {
    case 'PUT':
      if (upload) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      return upload ? 'CompleteMultipartUpload' : 'Other';
    case 'GET': return upload ? 'ListParts' : 'GetObject';
    case 'HEAD': return 'HeadObject';
    case 'DELETE': return upload ? 'AbortMultipartUpload' : 'DeleteObject';
    default: return 'Other';
  }
}

export function matches(m: RequestMatch, r: S3Request): boolean {
  if (typeof m === 'function') return m(r);
  const test = (want: string | RegExp | undefined, got: string | undefined) =>
    want === undefined || (got !== undefined && (typeof want === 'string' ? want === got : want.test(got)));
  if (m.kind !== undefined && !(typeof m.kind === 'string' ? [m.kind] : m.kind).includes(r.kind)) return false;
  if (m.method !== undefined && m.method.toUpperCase() !== r.method) return false;
  if (!test(m.path, r.path) || !test(m.bucket, r.bucket) || !test(m.key, r.key)) return false;
  for (const [name, want] of Object.entries(m.query ?? {})) {
    if (want === true ? !r.query.has(name) : r.query.get(name) !== want) return false;
  }
  return true;
}

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The body S3 sends with an error status. */
export function errorXml(code: string, message: string, resource: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>` +
    `<Resource>${xmlEscape(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`
  );
}

/** Default messages of the error codes tests use most. */
export const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  SlowDown: 'Please reduce your request rate.',
  ServiceUnavailable: 'Service is unable to handle request.',
  InternalError: 'We encountered an internal error. Please try again.',
  NoSuchBucket: 'The specified bucket does not exist',
  NoSuchKey: 'The specified key does not exist.',
  NoSuchUpload: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  AccessDenied: 'Access Denied',
  PreconditionFailed: 'At least one of the pre-conditions you specified did not hold',
};
