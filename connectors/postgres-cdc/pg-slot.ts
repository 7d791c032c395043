/**
 * The replication slot: created on a replication connection with an exported snapshot when a
 * snapshot must join the stream exactly (the snapshot lives as long as that session stays open and
 * idle), checked for the problems users hit (active elsewhere, other plugin or database, WAL lost).
 */
import { ConnectError } from '../../src/sdk/index.js';
import { parseLsn, type Lsn } from './lsn.js';
import { slotInfo, quoteIdent, type Query, type SlotInfo } from './pg-catalog.js';
import { connect, type ConnectionSettings } from './pg-connections.js';

export interface CreatedSlot {
  readonly consistentLsn: Lsn;
  /** The exported snapshot's name, valid until `release()`. */
  readonly snapshotName: string | null;
  /** Ends the creating session (and with it the exported snapshot). */
  release(): Promise<void>;
}

export async function createSlot(c: ConnectionSettings, slot: string, exportSnapshot: boolean): Promise<CreatedSlot> {
  const client = await connect(c, { replication: true });
  try {
    const res = await client.query(`CREATE_REPLICATION_SLOT ${quoteIdent(slot)} LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`);
    const row = res.rows[0] as { consistent_point: string; snapshot_name: string | null };
    let open = true;
    const release = async (): Promise<void> => {
      if (!open) return;
      open = false;
      await client.end().catch(() => {});
    };
    if (!exportSnapshot) await release();
    return { consistentLsn: parseLsn(row.consistent_point), snapshotName: exportSnapshot ? row.snapshot_name : null, release };
  } catch (err) {
    await client.end().catch(() => {});
    throw new ConnectError(`could not create replication slot ${slot}: ${(err as Error).message}`, { cause: err });
  }
}

export async function dropSlot(query: Query, slot: string): Promise<void> {
  await query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
}

/** The slot if usable by this connector, null if absent; ConnectError naming the fix otherwise. */
export async function usableSlot(query: Query, slot: string, database: string): Promise<SlotInfo | null> {
  const s = await slotInfo(query, slot);
  if (!s) return null;
  if (s.plugin !== 'pgoutput') {
    throw new ConnectError(`replication slot ${slot} uses plugin ${s.plugin}, not pgoutput: drop it (SELECT pg_drop_replication_slot('${slot}');) or set slot.name to another slot`);
  }
  if (s.database !== database) {
    throw new ConnectError(`replication slot ${slot} belongs to database ${s.database}, not ${database}: set slot.name to a slot of this database (slots are per database)`);
  }
  if (s.active) {
    throw new ConnectError(
      `replication slot ${slot} is active for PID ${s.activePid ?? '?'}: another connector or client is streaming from it. ` +
        `Stop that client (SELECT pg_terminate_backend(${s.activePid ?? 'pid'});) or give this connector its own slot.name`,
    );
  }
  return s;
}
