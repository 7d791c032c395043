/**
 * The multipart uploads a fault proxy has seen created and not yet completed or aborted, and the
 * ListMultipartUploads answer built from them (for s3rver, which has no such call).
 */
import { xmlEscape } from './s3-request.js';

/** A multipart upload created through the proxy and neither completed nor aborted yet. */
export interface OpenUpload {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: Date;
}

export class UploadTracker {
  private readonly open = new Map<string, OpenUpload>();
  private readonly ended = new Set<string>();
  private seq = 0;

  /** Records the upload named in a CreateMultipartUpload response body. */
  created(bucket: string, key: string, responseXml: string): void {
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(responseXml)?.[1];
    if (!uploadId) return;
    // Distinct, increasing instants so listing order is the creation order within a key.
    const initiated = new Date(Math.max(Date.now(), this.seq + 1));
    this.seq = initiated.getTime();
    this.open.set(uploadId, { bucket, key, uploadId, initiated });
  }

  /** Forgets a completed or aborted upload; false if it was not open. */
  end(uploadId: string): boolean {
    this.ended.add(uploadId);
    return this.open.delete(uploadId);
  }

  /** True for an upload that was completed or aborted through the proxy. */
  hasEnded(uploadId: string): boolean {
    return this.ended.has(uploadId) && !this.open.has(uploadId);
  }

  list(bucket?: string): OpenUpload[] {
    return [...this.open.values()]
      .filter((u) => bucket === undefined || u.bucket === bucket)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated.getTime() - b.initiated.getTime()));
  }

  /**
   * A ListMultipartUploadsResult for `bucket` honouring `prefix`, `key-marker`, `upload-id-marker`
   * and `max-uploads` (default 1000); `delimiter` is not supported (no CommonPrefixes).
   */
  listXml(bucket: string, q: URLSearchParams): string {
    const prefix = q.get('prefix') ?? '';
    const keyMarker = q.get('key-marker') ?? '';
    const idMarker = q.get('upload-id-marker') ?? '';
    const max = Math.min(Number(q.get('max-uploads') ?? 1000), 1000);
    const all = this.list(bucket).filter((u) => u.key.startsWith(prefix));
    let start = 0;
    if (keyMarker) {
      const at = idMarker ? all.findIndex((u) => u.key === keyMarker && u.uploadId === idMarker) : -1;
      start = at >= 0 ? at + 1 : all.findIndex((u) => u.key > keyMarker);
      if (start < 0) start = all.length;
    }
    const page = all.slice(start, start + max);
    const truncated = start + max < all.length;
    const last = page[page.length - 1];
    const el = (name: string, v: string) => `<${name}>${xmlEscape(v)}</${name}>`;
    const owner = '<ID>tributary-test</ID><DisplayName>tributary-test</DisplayName>';
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      el('Bucket', bucket) + el('KeyMarker', keyMarker) + el('UploadIdMarker', idMarker) +
      (truncated && last ? el('NextKeyMarker', last.key) + el('NextUploadIdMarker', last.uploadId) : '') +
      el('Prefix', prefix) + el('MaxUploads', String(max)) + el('IsTruncated', String(truncated)) +
      page
        .map((u) =>
          '<Upload>' + el('Key', u.key) + el('UploadId', u.uploadId) +
          `<Initiator>${owner}</Initiator><Owner>${owner}</Owner>` +
          el('StorageClass', 'STANDARD') + el('Initiated', u.initiated.toISOString()) + '</Upload>')
        .join('') +
      '</ListMultipartUploadsResult>'
    );
  }
}
