/**
 * Applying token updates to a freshly read file. An update names the entry as the caller read it;
 * it lands only if that exact line (same bytes) is still in the file, so a line changed by someone
 * else in the meantime (pam_oath advancing the counter, an editor) is never overwritten: the caller
 * gets a conflict with the current entry and must verify again.
 */
import type { TokenEntry, TokenState } from './entry.js';
import { renderBackupLine, renderMotpLine, renderSkeyLine } from './extension-lines.js';
import type { StoreLineError } from '../errors.js';
import { joinOverlay, LineIndex } from './line-index.js';
import { formatMetaLine } from './meta-line.js';
import { renderOathLine } from './oath-line.js';
import { locateUsers, withMetaSuccessors, type LineSource } from './locate.js';
import { lineIndexOf, parseSelected, parseUsersFile, usersFileOf, type UsersFile } from './parse.js';

/** One token's new state, for the entry as the caller read it. */
export interface TokenUpdate {
  readonly entry: TokenEntry;
  readonly state: TokenState;
}

/** What happened to one update. */
export type UpdateOutcome =
  | { readonly status: 'updated'; readonly entry: TokenEntry }
  | {
      readonly status: 'conflict';
      /** The token's line as it is now (same user, kind and name at the same place), if it still exists. */
      readonly current: TokenEntry | undefined;
    };

/**
 * The new line for an update, refusing a state that moves backwards (a counter, sequence or slot
 * that would let an accepted code be accepted again).
 *
 * @throws RangeError when the state's kind does not match the entry or the state goes backwards
 */
export function renderUpdate(entry: TokenEntry, state: TokenState): string {
  if (entry.kind === 'oath' && state.kind === 'oath') {
    if (!Number.isSafeInteger(state.counter) || state.counter < entry.counter) {
      throw new RangeError(`HOTP counter may only move forward (line ${entry.line})`);
    }
    if (!/^[0-9]{1,10}$/.test(state.lastOtp)) throw new RangeError('the accepted code must be 1 to 10 digits');
    return renderOathLine(entry, state);
  }
  if (entry.kind === 'skey' && state.kind === 'skey') {
    const reinitialised = state.seed !== undefined && state.seed.toLowerCase() !== entry.seed.toLowerCase();
    if (!reinitialised && state.sequence >= entry.sequence) {
      throw new RangeError(`S/KEY sequence may only move down unless the seed changes (line ${entry.line})`);
    }
    return renderSkeyLine(entry, state);
  }
  if (entry.kind === 'motp' && state.kind === 'motp') {
    if (entry.lastSlot !== undefined && state.lastSlot <= entry.lastSlot) {
      throw new RangeError(`mOTP slot may only move forward (line ${entry.line})`);
    }
    return renderMotpLine(entry, state);
  }
  if (entry.kind === 'backup' && state.kind === 'backup') return renderBackupLine(entry, state);
  throw new RangeError(`a ${state.kind} state cannot update a ${entry.kind} line (line ${entry.line})`);
}

/**
 * Updates applied one request after another to one version of a file, as a group commit does: each
 * request sees the result of the previous ones, only the users the updates concern are parsed, and the
 * new content is spliced from the old text and the changed lines.
 * @internal
 */
export class UpdateBatch implements LineSource {
  readonly path: string;
  readonly #index: LineIndex;
  readonly #changed = new Map<number, string>();
  readonly #lines = new Map<string, number[]>();
  readonly #parsed = new Map<string, { entries: TokenEntry[]; errors: StoreLineError[] }>();
  #content: Buffer | undefined;
  #final: LineIndex | undefined;

  constructor(index: LineIndex, path: string) {
    this.#index = index;
    this.path = path;
  }

  get count(): number {
    return this.#index.count;
  }

  raw(i: number): string {
    return this.#changed.get(i) ?? this.#index.raw(i);
  }

  /** Whether any line differs from the file as read. */
  get changed(): boolean {
    return this.#changed.size > 0;
  }

  /**
   * Finds the lines of users not seen yet (one pass over the file for all of them) and parses them.
   * Call it once with every user of a group of requests, before applying them.
   */
  prepare(users: Iterable<string>): void {
    const missing = new Set([...users].filter((u) => !this.#lines.has(u)));
    if (missing.size === 0) return;
    for (const [u, lines] of locateUsers(this.#index, missing)) this.#lines.set(u, lines);
    for (const u of missing) this.#reparse(u);
  }

  #reparse(user: string): void {
    const selected = withMetaSuccessors(this, this.#lines.get(user) ?? []);
    this.#parsed.set(user, parseSelected(this, selected, this.path, new Set([user])));
  }

  #entriesOf(user: string): readonly TokenEntry[] {
    return this.#parsed.get(user)?.entries ?? [];
  }

  /** Same place first, else a unique identical line (an identical line names the same user). */
  #locate(entry: TokenEntry): number | undefined {
    if (entry.line >= 1 && entry.line <= this.count && this.raw(entry.line - 1) === entry.raw) return entry.line - 1;
    let found: number | undefined;
    for (const i of this.#lines.get(entry.user) ?? []) {
      if (this.raw(i) !== entry.raw) continue;
      if (found !== undefined) return undefined; // ambiguous
      found = i;
    }
    return found;
  }

  #currentOf(entry: TokenEntry): TokenEntry | undefined {
    const entries = this.#entriesOf(entry.user);
    const same = (e: TokenEntry): boolean => e.user === entry.user && e.kind === entry.kind && e.meta.name === entry.meta.name;
    return entries.find((e) => e.line === entry.line && same(e)) ?? (entry.meta.name !== undefined ? entries.find(same) : undefined);
  }

  /**
   * A TOTP update's new metadata line (its `laststep`), written with the token line: undefined when
   * there is nothing to write there, null when the metadata line changed since the caller read it (a
   * conflict, like a changed token line).
   *
   * @throws RangeError when the step would move backwards
   */
  #metaUpdate(entry: TokenEntry, state: TokenState, index: number): string | null | undefined {
    if (state.kind !== 'oath' || state.lastStep === undefined || entry.meta.raw === undefined) return undefined;
    if (index < 1 || this.raw(index - 1) !== entry.meta.raw) return null;
    if (!Number.isSafeInteger(state.lastStep) || state.lastStep < 0 || (entry.meta.lastStep !== undefined && state.lastStep <= entry.meta.lastStep)) {
      throw new RangeError(`TOTP last step may only move forward (line ${entry.line})`);
    }
    return formatMetaLine(entry.fields[1] ?? '', { ...entry.meta, lastStep: state.lastStep });
  }

  /**
   * Applies one request's updates on top of the previous requests'. All or nothing: when it throws,
   * nothing of this request is applied.
   *
   * @returns one outcome per update, and whether this request changed a line
   * @throws RangeError for an invalid or backwards state, or two updates of one line
   */
  apply(updates: readonly TokenUpdate[]): { outcomes: UpdateOutcome[]; changed: boolean } {
    const users = new Set(updates.map((u) => u.entry.user));
    this.prepare(users);
    const staged = new Map<number, string>();
    const results: Array<{ index: number } | { current: TokenEntry | undefined }> = [];
    for (const { entry, state } of updates) {
      const index = this.#locate(entry);
      const meta = index === undefined ? undefined : this.#metaUpdate(entry, state, index);
      if (index === undefined || meta === null) {
        results.push({ current: this.#currentOf(entry) });
        continue;
      }
      if (staged.has(index) || (meta !== undefined && staged.has(index - 1))) throw new RangeError(`two updates for line ${index + 1}`);
      staged.set(index, renderUpdate(entry, state));
      if (meta !== undefined) staged.set(index - 1, meta);
      results.push({ index });
    }
    if (staged.size === 0) {
      return { outcomes: results.map((r) => ({ status: 'conflict', current: 'current' in r ? r.current : undefined })), changed: false };
    }
    for (const [index, raw] of staged) this.#changed.set(index, raw);
    this.#content = undefined;
    this.#final = undefined;
    for (const user of users) this.#reparse(user);
    const outcomes = results.map((r): UpdateOutcome => {
      if ('current' in r) return { status: 'conflict', current: r.current };
      const line = r.index + 1;
      const raw = this.raw(r.index);
      const entry = [...users].flatMap((u) => this.#entriesOf(u)).find((e) => e.line === line && e.raw === raw);
      if (entry === undefined) throw new Error(`internal: rewritten line ${line} does not parse`);
      return { status: 'updated', entry };
    });
    return { outcomes, changed: true };
  }

  /**
   * The changes as writes over the old bytes, when every changed line keeps its length; undefined
   * otherwise, and the whole file must be rewritten. A HOTP, TOTP, mOTP or S/KEY line usually keeps its
   * length from one login to the next: only the counter's digit count and first use change it.
   */
  inPlaceEdits(): Array<{ offset: number; old: Buffer; bytes: Buffer }> | undefined {
    const edits: Array<{ offset: number; old: Buffer; bytes: Buffer }> = [];
    for (const [i, raw] of this.#changed) {
      const start = this.#index.starts[i] ?? 0;
      const end = this.#index.starts[i + 1] ?? 0;
      if (raw.length !== end - start || end <= start) return undefined;
      edits.push({ offset: start, old: Buffer.from(this.#index.raw(i), 'latin1'), bytes: Buffer.from(raw, 'latin1') });
    }
    return edits.sort((a, b) => a.offset - b.offset);
  }

  /** The whole new content: the old text with the changed lines spliced in. */
  content(): Buffer {
    return (this.#content ??= Buffer.from(this.#newText(), 'latin1'));
  }

  #newText(): string {
    if (this.#final !== undefined) return this.#final.text;
    return joinOverlay(this.#index.text, this.#index.starts, this.#changed);
  }

  /** The whole new content as a line index (built once; an overlay of the old one when lengths kept). */
  finalIndex(): LineIndex {
    if (!this.changed) return this.#index;
    if (this.#final !== undefined) return this.#final;
    const sameShape = [...this.#changed].every(([i, raw]) => raw.length === (this.#index.starts[i + 1] ?? 0) - (this.#index.starts[i] ?? 0));
    return (this.#final = sameShape ? LineIndex.patched(this.#index, this.#changed) : new LineIndex(this.#newText()));
  }

  /** The file as it is now, parsed for `users` only (their entries and errors). */
  fileFor(users: Iterable<string>): UsersFile {
    const set = new Set(users);
    this.prepare(set);
    const index = this.changed ? (): LineIndex => this.finalIndex() : this.#index;
    const entries = [...set].flatMap((u) => this.#entriesOf(u)).sort((a, b) => a.line - b.line);
    const errors = [...set].flatMap((u) => this.#parsed.get(u)?.errors ?? []).sort((a, b) => a.line - b.line);
    return usersFileOf(index, this.path, entries, errors, set);
  }
}

/**
 * Applies updates to a file read under the lock.
 *
 * @param fresh - the file as it is now (a full parse, or one limited to some users)
 * @param updates - one per token; two updates of the same line are refused
 * @returns the new content (undefined when nothing changed), the new parse (limited to the same users
 *   as `fresh`) and one outcome per update
 * @throws RangeError for an invalid or backwards state, or two updates of one line
 */
export function applyUpdates(fresh: UsersFile, updates: readonly TokenUpdate[]): { content: Buffer | undefined; file: UsersFile; outcomes: UpdateOutcome[] } {
  const batch = new UpdateBatch(lineIndexOf(fresh), fresh.path);
  const { outcomes } = batch.apply(updates);
  if (!batch.changed) return { content: undefined, file: fresh, outcomes };
  const content = batch.content();
  return { content, file: parseUsersFile(content, fresh.path, { users: fresh.users }), outcomes };
}
