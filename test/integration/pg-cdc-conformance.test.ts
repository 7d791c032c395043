/**
 * The Postgres CDC source through the connector conformance kit (test/kit): the real worker, log
 * and converters around it, graceful and kill -9 restarts, offsets, pause/resume, stop while
 * polling and config errors — each case on its own table, slot and publication.
 */
import { describeSourceConnectorConformance } from '../kit/source-kit.js';
import { cdcConfig } from '../support/cdc.js';
import { useTestPostgres } from '../support/postgres.js';

const pg = useTestPostgres();
const BATCH_SIZE = 20;
let cases = 0;

describeSourceConnectorConformance('PostgresCdcSource', {
  async setup() {
    const n = ++cases;
    const table = `kit_${n}`;
    await pg.exec(`CREATE TABLE ${table} (id bigint PRIMARY KEY, note text)`);
    let next = 0;
    return {
      config: () =>
        cdcConfig(pg, `kit${n}`, {
          'table.include.list': `public.${table}`,
          'max.batch.size': String(BATCH_SIZE),
          'max.queue.size': String(BATCH_SIZE * 4),
        }),
      dataTopic: () => `kit${n}.public.${table}`,
      async produce(count) {
        const ids = Array.from({ length: count }, () => ++next);
        if (count > 0) await pg.query(`INSERT INTO ${table} SELECT g, 'row ' || g FROM unnest($1::bigint[]) g`, [ids]);
        return ids.map(String);
      },
      // A row arrives as a snapshot read (r) or a streamed insert (c): either way once per id.
      identity: (record) => String((record.value as { after: { id: number } }).after.id),
    };
  },
  invalidValues: { 'plugin.name': 'decoderbufs', 'snapshot.mode': 'sometimes', 'max.batch.size': '0' },
  maxRecordsInFlightAtPause: BATCH_SIZE,
  offsetRewind: 'refused',
});
