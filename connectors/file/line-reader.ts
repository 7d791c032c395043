/**
 * Splits a byte stream into text lines the way Java's `BufferedReader.readLine` does: a line ends
 * at `\n`, `\r\n` or a lone `\r`, and the terminator is not part of the line.
 *
 * It works on bytes and decodes only complete lines as UTF-8, so a multi-byte character split
 * across two reads is never broken. Every line carries the byte position just after its
 * terminator, which is where reading resumes after a restart.
 *
 * Callers read into the splitter (`reserve` + `commit`, or `push`) and take lines with `next`.
 */

const LF = 0x0a;
const CR = 0x0d;

/** One complete line and the byte position after its terminator. */
export interface Line {
  readonly text: string;
  /** Byte position in the stream just after this line's terminator: the start of the next line. */
  readonly end: number;
}

/**
 * How much more input can come:
 * - `more`: more bytes may follow at once, so a `\r` as the last buffered byte waits for the next
 *   byte (it may be the first half of `\r\n`);
 * - `eof`: nothing more right now (the file is at its end), so a trailing `\r` ends its line; an
 *   `\n` arriving later is then skipped, as `BufferedReader` does;
 * - `final`: nothing more ever (a rotated-away file, the end of stdin), so the unterminated rest
 *   is a line too.
 */
export type InputState = 'more' | 'eof' | 'final';

/** Finds the next occurrence of one byte value, remembering how far it has already searched. */
class ByteFinder {
  /** Stream position of the next occurrence, or -1 when none is buffered below `scannedTo`. */
  private at = -1;
  private scannedTo = 0;

  constructor(private readonly byte: number) {}

  reset(): void {
    this.at = -1;
    this.scannedTo = 0;
  }

  /** The stream position of the next occurrence at or after `pos` (buffered at `buf[head]`), or -1. */
  find(buf: Buffer, head: number, tail: number, pos: number): number {
    if (this.at >= pos) return this.at;
    const end = pos + (tail - head);
    const from = Math.max(pos, this.scannedTo);
    if (from < end) {
      // indexOf on the whole buffer, not a subarray (no view allocated per line); a hit past `tail`
      // is stale bytes beyond the data, i.e. a miss.
      const i = buf.indexOf(this.byte, head + (from - pos));
      if (i !== -1 && i < tail) return (this.at = pos + (i - head));
    }
    this.at = -1;
    this.scannedTo = end;
    return -1;
  }
}

/** A growable byte buffer cut into lines. Positions are byte offsets in the whole stream. */
export class LineSplitter {
  private buf: Buffer;
  /** `buf[head, tail)` holds the bytes not yet returned as lines; `buf[head]` is at stream position `pos`. */
  private head = 0;
  private tail = 0;
  private pos: number;
  /** The last line ended with a `\r` at the end of the input: a `\n` right after it belongs to it. */
  private skipLF: boolean;
  private readonly lf = new ByteFinder(LF);
  private readonly cr = new ByteFinder(CR);

  constructor(
    position = 0,
    skipLF = false,
    private readonly initialCapacity = 64 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
    this.pos = position;
    this.skipLF = skipLF;
  }

  /** Stream position of the first byte not yet returned in a line (after the last line's terminator). */
  get position(): number {
    return this.pos;
  }

  /** Stream position of the next byte to read: `position` plus the bytes buffered. */
  get readPosition(): number {
    return this.pos + (this.tail - this.head);
  }

  /** Bytes buffered that are not yet part of a returned line. */
  get buffered(): number {
    return this.tail - this.head;
  }

  /** Drops everything buffered and continues at `position` (a new file, a truncated one). */
  reset(position: number, skipLF = false): void {
    this.head = this.tail = 0;
    this.pos = position;
    this.skipLF = skipLF;
    this.lf.reset();
    this.cr.reset();
    if (this.buf.length > 4 * this.initialCapacity) this.buf = Buffer.allocUnsafe(this.initialCapacity);
  }

  /** Room for `n` more bytes at the end of the buffer; fill a prefix of it, then call `commit`. */
  reserve(n: number): Buffer {
    if (this.tail + n > this.buf.length) {
      const live = this.tail - this.head;
      // Compact in place when that frees at least half the buffer, else grow: copies stay amortised O(1) a byte.
      const target = live + n <= this.buf.length >>> 1 ? this.buf : Buffer.allocUnsafe(Math.max(2 * this.buf.length, 2 * (live + n)));
      this.buf.copy(target, 0, this.head, this.tail);
      this.buf = target;
      this.head = 0;
      this.tail = live;
    }
    return this.buf.subarray(this.tail, this.tail + n);
  }

  /** Appends the first `n` bytes written into the last `reserve`d space. */
  commit(n: number): void {
    this.tail += n;
  }

  /** Appends a copy of `chunk`. */
  push(chunk: Uint8Array): void {
    this.reserve(chunk.length).set(chunk);
    this.commit(chunk.length);
  }

  /** The next complete line, or null when the buffered bytes hold none (see InputState). */
  next(input: InputState): Line | null {
    const text = this.nextText(input);
    return text === null ? null : { text, end: this.pos };
  }

  /**
   * The next complete line's text, or null when the buffered bytes hold none (see InputState);
   * `position` is then the byte just after its terminator. As `next`, without a `Line` per line.
   */
  nextText(input: InputState): string | null {
    if (this.skipLF && this.head < this.tail) {
      this.skipLF = false;
      if (this.buf[this.head] === LF) this.consume(1);
    }
    if (this.head === this.tail) return null;
    const lf = this.lf.find(this.buf, this.head, this.tail, this.pos);
    // Only a CR before the first LF can end this line. The search runs to the end of the data (not
    // to the LF) so that a chunk without any CR is scanned once, not once per line.
    const cr = this.cr.find(this.buf, this.head, this.tail, this.pos);
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      const after = this.head + (cr - this.pos) + 1;
      if (after < this.tail) return this.take(cr, this.buf[after] === LF ? 2 : 1);
      if (input === 'more') return null;
      this.skipLF = true;
      return this.take(cr, 1);
    }
    if (lf !== -1) return this.take(lf, 1);
    if (input === 'final') return this.take(this.readPosition, 0);
    return null;
  }

  /** Returns the bytes up to stream position `at` as a line and consumes its `terminator` bytes too. */
  private take(at: number, terminator: number): string {
    const length = at - this.pos;
    const text = this.buf.toString('utf8', this.head, this.head + length);
    this.consume(length + terminator);
    return text;
  }

  private consume(n: number): void {
    this.head += n;
    this.pos += n;
    if (this.head === this.tail) this.head = this.tail = 0;
  }
}
