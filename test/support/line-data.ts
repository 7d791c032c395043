/**
 * Numbered text lines for end-to-end pipeline tests, and the checker for what an at-least-once
 * pipeline wrote after crashes.
 *
 * Line `i` is `line-<i, 7 digits> <text>`: 100–200 characters, unique, some with multi-byte UTF-8
 * (2-, 3- and 4-byte characters), never a `\r`. The checker maps every output line back to its
 * input index by the number and compares the bytes with the input line.
 */

const MULTI_BYTE = ['héllo wörld ÄÖÜß', 'Grüße aus Köln ✓ €', '日本語のテキスト', 'emoji 🚀🌊🧪 end', 'Ελληνικά κείμενα', 'mixed é日🚀ß'];
const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789-_.'.repeat(6);

/** The text of line `i` (without its `\n`). */
export function lineText(i: number, tag = 'line'): string {
  let s = `${tag}-${String(i).padStart(7, '0')} `;
  if (i % 53 === 5) s += `${MULTI_BYTE[Math.floor(i / 53) % MULTI_BYTE.length]} `;
  const length = 100 + ((i * 7919) % 101);
  if (s.length < length) s += FILLER.slice(0, length - s.length);
  return s;
}

/** Lines `from`..`to-1`, each followed by `\n`, as UTF-8. */
export function linesBuffer(from: number, to: number, tag = 'line'): Buffer {
  const chunks: Buffer[] = [];
  for (let start = from; start < to; start += 10_000) {
    const end = Math.min(to, start + 10_000);
    const texts: string[] = [];
    for (let i = start; i < end; i++) texts.push(lineText(i, tag));
    chunks.push(Buffer.from(texts.join('\n') + '\n', 'utf8'));
  }
  return Buffer.concat(chunks);
}

/** An input file's content and where each line starts. */
export interface LineData {
  readonly bytes: Buffer;
  /** `starts[i]` is the byte where line i begins; `starts[n]` is the length. */
  readonly starts: Float64Array;
  readonly n: number;
}

export function makeLineData(n: number): LineData {
  const bytes = linesBuffer(0, n);
  const starts = new Float64Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    starts[i] = pos;
    pos = bytes.indexOf(0x0a, pos) + 1;
  }
  starts[n] = pos;
  if (pos !== bytes.length) throw new Error('line data: line starts do not add up');
  return { bytes, starts, n };
}

/** A backward jump in the output: line `lineNo` (0-based, starting at byte `byte`) went from index `from` to `to <= from`. */
export interface Jump {
  readonly lineNo: number;
  readonly byte: number;
  readonly from: number;
  readonly to: number;
  /** The jump is exactly at a restart point (the sink replaying what it had not committed). */
  readonly atRestart: boolean;
}

export interface ReplayCheck {
  /** Violations found (at most 20); empty when the output is acceptable. */
  readonly problems: string[];
  readonly jumps: readonly Jump[];
  readonly lines: number;
  readonly duplicates: number;
}

const DIGIT_0 = 0x30;
const PREFIX = Buffer.from('line-');

/**
 * Checks the output of an at-least-once pipeline that was killed and restarted when the output
 * file was `restartPoints` bytes long (ascending, one per kill):
 * - every output line is an input line, the output ends with `\n` (no torn line);
 * - every input index appears, and the first line is index 0;
 * - each line's index is the previous one + 1, or a backward jump (a replay);
 * - hence, with duplicates removed, the order is the input's;
 * - no jump before the first restart point; a jump exactly at a restart point is the sink
 *   replaying its uncommitted records (at most one per restart); any other jump is a source replay
 *   reaching the sink later: at most one per restart, the k-th no earlier than the k-th restart.
 */
export function checkReplayedOutput(input: LineData, output: Buffer, restartPoints: readonly number[]): ReplayCheck {
  const problems: string[] = [];
  const problem = (p: string): void => {
    if (problems.length < 20) problems.push(p);
  };
  const jumps: Jump[] = [];
  const restarts = new Set(restartPoints);
  let prev = -1;
  let maxSeen = -1;
  let lineNo = 0;
  let duplicates = 0;
  let pos = 0;
  while (pos < output.length) {
    let nl = output.indexOf(0x0a, pos);
    if (nl === -1) {
      problem(`the output ends with an unterminated line at byte ${pos}: ${JSON.stringify(output.toString('utf8', pos, Math.min(output.length, pos + 40)))}`);
      nl = output.length;
    }
    const idx = indexOf(output, pos, nl, input.n);
    if (idx === -1 || !output.subarray(pos, nl).equals(input.bytes.subarray(input.starts[idx]!, input.starts[idx + 1]! - 1))) {
      problem(`output line ${lineNo} (byte ${pos}) is not an input line: ${JSON.stringify(output.toString('utf8', pos, Math.min(nl, pos + 60)))}`);
    } else {
      if (lineNo === 0 && idx !== 0) problem(`the output starts with line ${idx}, not 0`);
      if (lineNo > 0 && idx !== prev + 1) {
        if (idx > prev) problem(`output line ${lineNo} (byte ${pos}) skips from input line ${prev} to ${idx}`);
        else jumps.push({ lineNo, byte: pos, from: prev, to: idx, atRestart: restarts.has(pos) });
      }
      if (idx <= maxSeen) duplicates++;
      maxSeen = Math.max(maxSeen, idx);
      prev = idx;
    }
    pos = nl + 1;
    lineNo++;
  }
  if (maxSeen !== input.n - 1) problem(`the output reaches input line ${maxSeen} only, not ${input.n - 1}`);

  const first = restartPoints.length > 0 ? restartPoints[0]! : Infinity;
  const early = jumps.filter((j) => j.byte < first);
  if (early.length > 0) problem(`backward jumps before the first restart point (byte ${first}): ${JSON.stringify(early.slice(0, 3))}`);
  const sinkJumps = jumps.filter((j) => j.atRestart);
  // A source replay is one boundary in the log (from → to). A sink killed before it committed past
  // that boundary reads it again after its restart, so the output can show it twice: count it once.
  const seen = new Set<string>();
  const sourceJumps = jumps.filter((j) => {
    if (j.atRestart) return false;
    const k = `${j.from}\u0000${j.to}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (sourceJumps.length > restartPoints.length) {
    problem(`${sourceJumps.length} backward jumps away from restart points, more than one per restart (${restartPoints.length}): ${JSON.stringify(sourceJumps.slice(0, 5))}`);
  }
  sourceJumps.forEach((j, k) => {
    if (k < restartPoints.length && j.byte < restartPoints[k]!) {
      problem(`backward jump #${k + 1} away from restart points is at byte ${j.byte}, before restart #${k + 1} at byte ${restartPoints[k]}`);
    }
  });
  if (sinkJumps.length + sourceJumps.length > 2 * restartPoints.length) problem(`${sinkJumps.length + sourceJumps.length} distinct backward jumps for ${restartPoints.length} restarts`);
  return { problems, jumps, lines: lineNo, duplicates };
}

/** The index in `line-NNNNNNN …` at `buf[start, end)`, or -1 when the line is not of that form or out of range. */
function indexOf(buf: Buffer, start: number, end: number, n: number): number {
  if (end - start < PREFIX.length + 8 || buf.compare(PREFIX, 0, PREFIX.length, start, start + PREFIX.length) !== 0) return -1;
  let v = 0;
  for (let i = start + PREFIX.length; i < start + PREFIX.length + 7; i++) {
    const d = buf[i]! - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v < n ? v : -1;
}
