/**
 * A users file's text with the start offset of every line (liboath's lines, as lines.ts splits them),
 * so a login takes out its user's lines without splitting the whole file into objects, and patches
 * lines in place as an overlay.
 */
import { isDelimiter, userOfField, type RawLine } from './lines.js';

/** Replaced lines kept beside the text before they are folded into a new copy of it. */
const MAX_OVERLAY_LINES = 1024;

/**
 * `base` with the lines in `overlay` (by 0-based index, as `starts` places them) replaced.
 * @internal
 */
export function joinOverlay(base: string, starts: Int32Array, overlay: ReadonlyMap<number, string>): string {
  if (overlay.size === 0) return base;
  const parts: string[] = [];
  let at = 0;
  for (const i of [...overlay.keys()].sort((a, b) => a - b)) {
    parts.push(base.slice(at, starts[i]), overlay.get(i) ?? '');
    at = starts[i + 1] ?? base.length;
  }
  parts.push(base.slice(at));
  return parts.join('');
}

/**
 * The file's text with the start offset of every line, so a line can be taken out without splitting
 * the whole file into objects. Lines are split exactly as `splitLines` (lines.ts) splits them.
 * @internal
 */
export class LineIndex {
  /** `starts[i]` is where line i (0-based) begins; `starts[count]` is the text's length. */
  readonly starts: Int32Array;
  readonly count: number;
  /** The text as read, before any same-length line replaced by {@link LineIndex.patched}. */
  readonly #base: string;
  /** Lines replaced in place (same length, same user), by 0-based index; empty for a file as read. */
  readonly #overlay: ReadonlyMap<number, string>;
  #text: string | undefined;
  #lines: RawLine[] | undefined;
  /** Lines by the user they name: built once searched twice, shared with patched successors. */
  readonly #byUser: { searches: number; map: Map<string, number[]> | undefined };

  /**
   * @param text - the content as a binary string
   * @param patch - internal: see {@link LineIndex.patched}
   */
  constructor(text: string, patch?: { readonly previous: LineIndex; readonly replaced: ReadonlyMap<number, string> }) {
    if (patch !== undefined) {
      const { previous, replaced } = patch;
      const overlay = new Map(previous.#overlay);
      for (const [i, raw] of replaced) {
        if (raw.length !== (previous.starts[i + 1] ?? 0) - (previous.starts[i] ?? 0)) throw new RangeError(`line ${i + 1} changes length`);
        overlay.set(i, raw);
      }
      // A long-lived overlay would make every patch copy a growing map: fold it in now and then.
      const fold = overlay.size > MAX_OVERLAY_LINES;
      this.#base = fold ? joinOverlay(previous.#base, previous.starts, overlay) : previous.#base;
      this.#overlay = fold ? new Map() : overlay;
      this.#text = this.#overlay.size === 0 ? this.#base : undefined;
      this.#byUser = previous.#byUser;
      this.starts = previous.starts;
      this.count = previous.count;
      return;
    }
    this.#base = text;
    this.#text = text;
    this.#overlay = new Map();
    this.#byUser = { searches: 0, map: undefined };
    let starts = new Int32Array(Math.max(16, (text.length >>> 5) + 1));
    let count = 0;
    let start = 0;
    while (start < text.length) {
      if (count + 1 >= starts.length) {
        const grown = new Int32Array(starts.length * 2);
        grown.set(starts);
        starts = grown;
      }
      starts[count++] = start;
      const end = text.indexOf('\n', start);
      start = end < 0 ? text.length : end + 1;
    }
    starts[count] = text.length;
    this.starts = starts.subarray(0, count + 1);
    this.count = count;
  }

  /**
   * The index of `previous` with some lines replaced by lines of the same length naming the same user
   * (what an in-place update writes): offsets and the lines-by-user map are shared, and the replaced
   * lines are kept beside the old text, so no copy of the whole file is made until {@link text} is read.
   *
   * @param previous - the index the replacements apply to
   * @param replaced - new lines by 0-based index
   * @throws RangeError when a replacement changes a line's length
   */
  static patched(previous: LineIndex, replaced: ReadonlyMap<number, string>): LineIndex {
    return new LineIndex('', { previous, replaced });
  }

  /** The content as a binary string (built once from the replaced lines, when there are any). */
  get text(): string {
    return (this.#text ??= joinOverlay(this.#base, this.starts, this.#overlay));
  }

  static of(content: Uint8Array): LineIndex {
    return new LineIndex(Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1'));
  }

  /** Line `i` (0-based) with its terminator. */
  raw(i: number): string {
    return this.#overlay.get(i) ?? this.#base.slice(this.starts[i] ?? 0, this.starts[i + 1] ?? 0);
  }

  /**
   * The 0-based lines of each user (by the second field, as {@link userOfField} reads it), ascending;
   * undefined the first time it is asked for a version: a one-off search is cheaper than indexing every
   * line, but a file searched again (a daemon's store) is indexed once, for this and later versions
   * of the same shape.
   */
  linesByUser(): ReadonlyMap<string, readonly number[]> | undefined {
    const state = this.#byUser;
    if (state.map === undefined && ++state.searches >= 2) {
      const map = new Map<string, number[]>();
      for (let i = 0; i < this.count; i++) {
        const field = this.secondField(i);
        if (field === undefined) continue;
        const user = userOfField(field);
        const lines = map.get(user);
        if (lines === undefined) map.set(user, [i]);
        else lines.push(i);
      }
      state.map = map;
    }
    return state.map;
  }

  /** Every line as a {@link RawLine}, built once on first use. */
  lines(): RawLine[] {
    if (this.#lines === undefined) {
      const lines: RawLine[] = new Array<RawLine>(this.count);
      for (let i = 0; i < this.count; i++) lines[i] = { number: i + 1, raw: this.raw(i) };
      this.#lines = lines;
    }
    return this.#lines;
  }

  /** The 0-based line holding offset `pos` (binary search). */
  lineAt(pos: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.starts[mid] ?? 0) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The second field of line `i` (binary string) without splitting the rest of the line, or
   * undefined when the line has fewer than two fields.
   */
  secondField(i: number): string | undefined {
    const replaced = this.#overlay.get(i);
    const text = replaced ?? this.#base;
    let p = replaced === undefined ? (this.starts[i] ?? 0) : 0;
    const end = replaced === undefined ? (this.starts[i + 1] ?? 0) : replaced.length;
    while (p < end && isDelimiter(text.charCodeAt(p))) p++;
    while (p < end && !isDelimiter(text.charCodeAt(p))) p++;
    while (p < end && isDelimiter(text.charCodeAt(p))) p++;
    if (p >= end) return undefined;
    const start = p;
    while (p < end && !isDelimiter(text.charCodeAt(p))) p++;
    return text.slice(start, p);
  }

  /** Whether the char at `pos` is a delimiter or outside the text (a field boundary). */
  boundary(pos: number): boolean {
    return pos < 0 || pos >= this.text.length || isDelimiter(this.text.charCodeAt(pos));
  }
}
