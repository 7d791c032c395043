/**
 * A {@link ReplicationHandler} that records everything a `ReplicationStream` delivers, for tests,
 * plus a polling helper to wait for conditions without fixed sleeps.
 */
import { expect } from 'vitest';
import type { Lsn } from '../../connectors/postgres-cdc/lsn.js';
import type { PgBegin, PgCommit, PgoutputMessage } from '../../connectors/postgres-cdc/pgoutput-messages.js';
import type { ReplicationHandler } from '../../connectors/postgres-cdc/replication-stream.js';

export interface Delivered {
  msg: PgoutputMessage;
  walStart: Lsn;
  walEnd: Lsn;
}

export interface Txn {
  begin: Delivered & { msg: PgBegin };
  changes: Delivered[];
  commit: Delivered & { msg: PgCommit };
}

export class Recorder implements ReplicationHandler {
  readonly messages: Delivered[] = [];
  readonly keepalives: { walEnd: Lsn; replyRequested: boolean }[] = [];
  inserts = 0;
  /** Called after each recorded insert, with the running count. */
  onInsert: ((count: number) => void) | null = null;

  onMessage(msg: PgoutputMessage, walStart: Lsn, walEnd: Lsn): void {
    this.messages.push({ msg, walStart, walEnd });
    if (msg.tag === 'insert') {
      this.inserts++;
      this.onInsert?.(this.inserts);
    }
  }

  onKeepalive(walEnd: Lsn, replyRequested: boolean): void {
    this.keepalives.push({ walEnd, replyRequested });
  }

  commits(): PgCommit[] {
    return this.messages.flatMap((d) => (d.msg.tag === 'commit' ? [d.msg] : []));
  }

  /** Messages grouped per transaction; anything outside BEGIN..COMMIT goes to `outside`. */
  transactions(): { txns: Txn[]; outside: Delivered[] } {
    const txns: Txn[] = [];
    const outside: Delivered[] = [];
    let open: { begin: Txn['begin']; changes: Delivered[] } | null = null;
    for (const d of this.messages) {
      if (d.msg.tag === 'begin') {
        expect(open, 'BEGIN inside a transaction').toBeNull();
        open = { begin: d as Txn['begin'], changes: [] };
      } else if (d.msg.tag === 'commit') {
        expect(open, 'COMMIT without BEGIN').not.toBeNull();
        txns.push({ ...open!, commit: d as Txn['commit'] });
        open = null;
      } else if (open) open.changes.push(d);
      else outside.push(d);
    }
    return { txns, outside };
  }
}

/** Polls `probe` until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
