/**
 * The S3 sink config of the "Postgres into a data lake" path (README, `npm run demo:lake`, the lake
 * tests): Parquet with zstd, one row per change (`cdc.flatten`), daily `dt=YYYY-MM-dd` folders by
 * the change's commit time, JsonConverter with schemas.
 */
export function lakeSinkConfig(store: Record<string, string>, o: { topics: string; topicsDir: string; rotateIntervalMs: number }): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
    topics: o.topics,
    ...store,
    'topics.dir': o.topicsDir,
    'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
    'parquet.codec': 'zstd',
    'flush.size': '100000',
    'rotate.interval.ms': String(o.rotateIntervalMs),
    'cdc.flatten': 'true',
    'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner',
    'path.format': "'dt'=YYYY-MM-dd",
    'partition.duration.ms': '86400000',
    locale: 'en-US',
    timezone: 'UTC',
    'timestamp.extractor': 'RecordField',
    'timestamp.field': '__source_ts_ms',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
  };
}
