/**
 * An HTTP proxy in front of a test S3 server (127.0.0.1, port 0, path-style requests only) that
 * forwards bodies byte for byte and injects faults the test adds and removes at runtime: S3 error
 * responses (503 SlowDown, 404 NoSuchBucket, 403 AccessDenied…), a connection reset after K bytes of
 * a request body, delayed responses, and requests held at a precise point (`hold`: before the
 * upstream sees them, or after it carried them out) until released or their client goes away, so a
 * crash test can kill the client there. It logs and counts requests by S3 operation so tests can
 * assert what the client did, and tracks the multipart uploads it sees created and not yet
 * completed/aborted.
 *
 * **Multipart emulation.** s3rver 3.7.1 lacks ListMultipartUploads (NotImplemented) and
 * AbortMultipartUpload (405). With `emulateMultipartListing` (default on when the upstream is
 * s3rver, off for `S3_ENDPOINT`) the proxy answers those two itself from its tracked uploads —
 * ListMultipartUploadsResult XML; Abort → 204, or 404 NoSuchUpload for an unknown id — and answers
 * UploadPart/ListParts/Complete for an upload it aborted with NoSuchUpload. s3rver keeps the parts
 * of an "aborted" upload on disk; the test never sees them.
 *
 * The Host header is forwarded unchanged (it is signed), so the upstream must accept any Host, as
 * s3rver and local S3-compatible servers do.
 *
 * @example
 * ```ts
 * const s3 = useTestS3();
 * const proxy = useFaultProxy(s3);
 * it('retries SlowDown', async () => {
 *   proxy.slowDown({ kind: 'UploadPart', query: { partNumber: '2' } }, 2);
 *   await sink(s3.sinkConfig(proxy.endpoint));
 *   expect(proxy.count('UploadPart')).toBe(4);
 * });
 * ```
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach } from 'vitest';
import { ERROR_MESSAGES, describeRequest, errorXml, matches, type RequestMatch, type S3Request, type S3RequestKind } from './s3-request.js';
import { useStarted, type TestS3 } from './s3-server.js';
import { UploadTracker, type OpenUpload } from './upload-tracker.js';

export type { OpenUpload } from './upload-tracker.js';
export type { RequestMatch, S3Request, S3RequestKind } from './s3-request.js';

/**
 * What a rule does to a matching request. `error` answers with an S3 error without forwarding, or,
 * with `forward`, after the upstream carried the request out (the client then cannot know it
 * succeeded). `reset` destroys the client connection once `afterBytes` bytes of the request body
 * arrived (or at its end if shorter); nothing is forwarded. `delay` holds the upstream's response
 * for `ms` before sending it on. `hold` stops a request at a precise point until the rule is
 * released or the client goes away (a killed process): without `forward` it is neither forwarded
 * nor answered (its body is read and kept) and is forwarded on release; with `forward` the upstream
 * carries it out and its response is held, then sent on release. A held request whose client went
 * away is dropped (`status: 'gone'`).
 */
export type Fault =
  | { type: 'error'; status: number; code: string; message?: string; forward?: boolean }
  | { type: 'reset'; afterBytes: number }
  | { type: 'delay'; ms: number }
  | { type: 'hold'; forward?: boolean };

/** A fault applied to the next `remaining` matching requests. */
export interface FaultRule {
  readonly match: RequestMatch;
  readonly fault: Fault;
  /** Requests this rule has been applied to. */
  readonly hits: number;
  readonly remaining: number;
  remove(): void;
}

/** A `hold` rule: the requests it holds wait for `release()` (or for their client to go away). */
export interface HoldRule extends FaultRule {
  /** Requests held right now. */
  readonly held: number;
  /** Lets every held request go on, and stops holding new ones. */
  release(): void;
}

/**
 * One request through the proxy; `status` is 0 until answered, `reset` when the socket was cut,
 * `gone` when its client went away while the proxy held it.
 */
export interface ProxiedRequest {
  readonly kind: S3RequestKind;
  readonly method: string;
  readonly url: string;
  /** The decoded object key, if any. */
  readonly key?: string;
  status: number | 'reset' | 'gone';
  /** For a request forwarded to the upstream: the status it answered (unset until then), whatever reached the client. */
  upstream?: number;
  /** True while a `hold` rule holds it. */
  held?: boolean;
  fault?: Fault['type'];
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to clients and sink configs instead of the server's endpoint. */
  readonly endpoint: string;
  readonly emulatesMultipartListing: boolean;
  /** Applies `fault` to the next `times` matching requests; the first matching rule added wins. */
  addFault(match: RequestMatch, fault: Fault, times?: number): FaultRule;
  /** 503 SlowDown to the next `times` (default 1) matching requests. */
  slowDown(match: RequestMatch, times?: number): FaultRule;
  /** `status`/`code` to matching requests (default: all of them until removed). */
  fail(match: RequestMatch, error: { status: number; code: string; message?: string; forward?: boolean }, times?: number): FaultRule;
  /** Cuts the connection after `afterBytes` body bytes of the next `times` (default 1) matching requests. */
  resetAfter(match: RequestMatch, afterBytes: number, times?: number): FaultRule;
  /** Delays responses to matching requests by `ms` (default: all of them until removed). */
  delay(match: RequestMatch, ms: number, times?: number): FaultRule;
  /**
   * Holds the next `times` (default 1) matching requests until released: before forwarding, or with
   * `forward` after the upstream carried them out (the client then cannot know they succeeded).
   */
  hold(match: RequestMatch, opts?: { forward?: boolean }, times?: number): HoldRule;
  /** Removes every rule, releasing the requests held. */
  clearFaults(): void;
  /** Requests of `kind` received since the start or the last `resetCounts()`, faulted ones included. */
  count(kind: S3RequestKind): number;
  counts(): Partial<Record<S3RequestKind, number>>;
  requests(): readonly ProxiedRequest[];
  resetCounts(): void;
  /** Multipart uploads created through the proxy and not completed or aborted through it. */
  openUploads(bucket?: string): OpenUpload[];
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'expect', 'proxy-connection', 'upgrade']);

class Rule implements HoldRule {
  hits = 0;
  held = 0;
  private released = false;
  private readonly waiting = new Set<() => void>();
  constructor(readonly match: RequestMatch, readonly fault: Fault, public remaining: number, readonly remove: () => void) {}

  release(): void {
    this.released = true;
    this.remaining = 0;
    for (const go of this.waiting) go();
    this.waiting.clear();
  }

  /** Resolves true on release, false if `res`'s client goes away first. */
  wait(entry: ProxiedRequest, res: ServerResponse): Promise<boolean> {
    if (this.released) return Promise.resolve(true);
    this.held++;
    entry.held = true;
    return new Promise<boolean>((resolve) => {
      const done = (go: boolean): void => {
        this.waiting.delete(release);
        res.off('close', gone);
        this.held--;
        entry.held = false;
        resolve(go);
      };
      const release = (): void => done(true);
      const gone = (): void => done(false);
      this.waiting.add(release);
      res.once('close', gone);
    });
  }
}

/** Starts a proxy in front of `upstream` (a TestS3, or any endpoint URL). */
async function startFaultProxy(
  upstream: Pick<TestS3, 'endpoint'> & { kind?: TestS3['kind'] },
  opts: { emulateMultipartListing?: boolean } = {},
): Promise<FaultProxy> {
  const target = new URL(upstream.endpoint);
  const transport = target.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true });
  const emulate = opts.emulateMultipartListing ?? upstream.kind === 's3rver';
  const uploads = new UploadTracker();
  let rules: Rule[] = [];
  let log: ProxiedRequest[] = [];

  const addFault = (match: RequestMatch, fault: Fault, times = Infinity): HoldRule => {
    const rule: Rule = new Rule(match, fault, times, () => void (rules = rules.filter((r) => r !== rule)));
    rules.push(rule);
    return rule;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const r = describeRequest(req.method ?? 'GET', req.url ?? '/', req.headers);
    const entry: ProxiedRequest = { kind: r.kind, method: r.method, url: req.url ?? '/', key: r.key, status: 0 };
    log.push(entry);
    const rule = rules.find((x) => x.remaining > 0 && matches(x.match, r));
    if (rule) {
      rule.remaining--;
      rule.hits++;
      entry.fault = rule.fault.type;
    }
    const fault = rule?.fault;
    const delayMs = fault?.type === 'delay' ? fault.ms : 0;
    res.on('finish', () => void (entry.status = res.statusCode));

    if (fault?.type === 'reset') {
      entry.status = 'reset';
      const cut = (): void => void req.socket.destroy();
      if (fault.afterBytes <= 0) return cut();
      let seen = 0;
      req.on('data', (c: Buffer) => void ((seen += c.length) >= fault.afterBytes && cut()));
      req.on('end', cut);
      return;
    }
    if (fault?.type === 'error' && !fault.forward) {
      await drain(req);
      return sendError(res, r, fault.status, fault.code, fault.message);
    }
    const hold = fault?.type === 'hold' ? { rule: rule!, forward: fault.forward === true } : null;
    let body: Buffer | null = null;
    if (hold && !hold.forward) {
      // Read while held: a socket left unread would never show that its client went away.
      const reading = drain(req).catch(() => null);
      const go = await hold.rule.wait(entry, res);
      body = await reading;
      if (!go || body === null) {
        entry.status = 'gone';
        return void req.socket.destroy();
      }
    }
    if (emulate && (await answerLocally(req, res, r, delayMs))) return;
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
    const up = transport.request({ protocol: target.protocol, hostname: target.hostname, port: target.port, method: r.method, path: req.url, headers, agent });
    up.on('error', (err) => {
      if (!res.headersSent) sendError(res, r, 502, 'BadGateway', `upstream: ${err.message}`);
      else res.destroy();
    });
    res.on('close', () => void (res.writableFinished || up.destroy()));
    up.on('response', async (ur) => {
      const status = ur.statusCode ?? 502;
      let answer: Buffer | undefined;
      const watched = r.kind === 'CreateMultipartUpload' || r.kind === 'CompleteMultipartUpload' || r.kind === 'AbortMultipartUpload';
      if (watched || fault?.type === 'error' || hold) answer = await drain(ur);
      if (answer && status < 300) track(r, answer.toString('utf8'));
      entry.upstream = status;
      if (delayMs) await sleep(delayMs);
      if (hold && !(await hold.rule.wait(entry, res))) {
        entry.status = 'gone';
        return;
      }
      if (fault?.type === 'error') return sendError(res, r, fault.status, fault.code, fault.message);
      const raw = ur.rawHeaders.filter((_, i, a) => !HOP_BY_HOP.has(a[i - (i % 2)]!.toLowerCase()));
      res.writeHead(status, raw);
      if (answer) res.end(answer);
      else ur.pipe(res);
    });
    if (body !== null) up.end(body);
    else req.pipe(up);
  };

  const track = (r: S3Request, xml: string): void => {
    const id = r.query.get('uploadId');
    if (r.kind === 'CreateMultipartUpload' && r.bucket && r.key !== undefined) uploads.created(r.bucket, r.key, xml);
    else if (r.kind === 'CompleteMultipartUpload' && id && !xml.includes('<Error>')) uploads.end(id);
    else if (r.kind === 'AbortMultipartUpload' && id) uploads.end(id);
  };

  /** The calls s3rver lacks, and calls on uploads aborted here; true if answered. */
  const answerLocally = async (req: IncomingMessage, res: ServerResponse, r: S3Request, delayMs: number): Promise<boolean> => {
    const id = r.query.get('uploadId') ?? '';
    const onAborted = (r.kind === 'UploadPart' || r.kind === 'ListParts' || r.kind === 'CompleteMultipartUpload') && uploads.hasEnded(id);
    if (r.kind !== 'ListMultipartUploads' && r.kind !== 'AbortMultipartUpload' && !onAborted) return false;
    await drain(req);
    if (delayMs) await sleep(delayMs);
    if (r.kind === 'ListMultipartUploads') {
      const xml = Buffer.from(uploads.listXml(r.bucket!, r.query));
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': xml.length, 'x-amz-request-id': requestId() });
      res.end(xml);
    } else if (r.kind === 'AbortMultipartUpload' && uploads.end(id)) {
      res.writeHead(204, { 'x-amz-request-id': requestId() });
      res.end();
    } else {
      sendError(res, r, 404, 'NoSuchUpload');
    }
    return true;
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendError(res, describeRequest(req.method ?? 'GET', req.url ?? '/', req.headers), 500, 'InternalError', err.message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    emulatesMultipartListing: emulate,
    addFault,
    slowDown: (match, times = 1) => addFault(match, { type: 'error', status: 503, code: 'SlowDown' }, times),
    fail: (match, error, times) => addFault(match, { type: 'error', ...error }, times),
    resetAfter: (match, afterBytes, times = 1) => addFault(match, { type: 'reset', afterBytes }, times),
    delay: (match, ms, times) => addFault(match, { type: 'delay', ms }, times),
    hold: (match, opts = {}, times = 1) => addFault(match, { type: 'hold', forward: opts.forward }, times) as HoldRule,
    clearFaults: () => {
      const was = rules;
      rules = [];
      for (const r of was) r.release();
    },
    count: (kind) => log.filter((e) => e.kind === kind).length,
    counts: () => {
      const out: Partial<Record<S3RequestKind, number>> = {};
      for (const e of log) out[e.kind] = (out[e.kind] ?? 0) + 1;
      return out;
    },
    requests: () => [...log],
    resetCounts: () => void (log = []),
    openUploads: (bucket) => uploads.list(bucket),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function sendError(res: ServerResponse, r: S3Request, status: number, code: string, message = ERROR_MESSAGES[code] ?? code): void {
  const id = requestId();
  const body = r.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(errorXml(code, message, r.path, id));
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': r.method === 'HEAD' ? 0 : body.length,
    'x-amz-request-id': id,
  });
  res.end(body);
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * One proxy for a test file in front of `s3` (from `useTestS3`), started after it and stopped
 * before it; faults are cleared after each test (counts are kept: call `resetCounts()`).
 */
export function useFaultProxy(s3: TestS3, opts: { emulateMultipartListing?: boolean } = {}): FaultProxy {
  const proxy = useStarted('the S3 fault proxy', () => startFaultProxy({ endpoint: s3.endpoint, kind: s3.kind }, opts));
  afterEach(() => proxy.clearFaults());
  return proxy;
}
