/**
 * Gzip for line formats without a stream: text is compressed in members of about `MEMBER_BYTES`
 * raw bytes, each a complete gzip member. Concatenated members are one valid gzip file (RFC 1952
 * §2.2), read whole by gunzip, zcat, DuckDB, Spark and Athena.
 */
import { constants, gzipSync } from 'node:zlib';
import type { Output } from './record-writer.js';

const MEMBER_BYTES = 1 << 20;

/** Buffers raw chunks and writes them to `out` as gzip members (or as they are when `level` is null). */
export class LineBuffer {
  private chunks: Buffer[] = [];
  private held = 0;

  constructor(
    private readonly out: Output,
    /** zlib level (-1 = default), or null for no compression. */
    private readonly level: number | null,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.held += chunk.length;
    if (this.held >= MEMBER_BYTES) this.release();
  }

  heldBytes(): number {
    return this.held;
  }

  release(): void {
    if (this.held === 0) return;
    const raw = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.held);
    this.chunks = [];
    this.held = 0;
    this.out(this.level === null ? raw : gzipSync(raw, { level: this.level < 0 ? constants.Z_DEFAULT_COMPRESSION : this.level }));
  }
}
