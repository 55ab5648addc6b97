/**
 * Applying token updates to a freshly read file. An update names the entry as the caller read it;
 * it lands only if that exact line (same bytes) is still in the file, so a line changed by someone
 * else in the meantime (pam_oath advancing the counter, an editor) is never overwritten: the caller
 * gets a conflict with the current entry and must verify again.
 */
import type { TokenEntry, TokenState } from './entry.js';
import { renderMotpLine, renderSkeyLine } from './extension-lines.js';
import type { RawLine } from './lines.js';
import { renderOathLine } from './oath-line.js';
import { joinLines, parseUsersFile, type UsersFile } from './parse.js';

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
  throw new RangeError(`a ${state.kind} state cannot update a ${entry.kind} line (line ${entry.line})`);
}

/** Finds the index of the entry's line in `lines`: same place first, else a unique identical line. */
function locate(lines: readonly RawLine[], entry: TokenEntry): number | undefined {
  if (lines[entry.line - 1]?.raw === entry.raw) return entry.line - 1;
  let found: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.raw !== entry.raw) continue;
    if (found !== undefined) return undefined; // ambiguous
    found = i;
  }
  return found;
}

function currentOf(file: UsersFile, entry: TokenEntry): TokenEntry | undefined {
  const same = (e: TokenEntry): boolean => e.user === entry.user && e.kind === entry.kind && e.meta.name === entry.meta.name;
  return file.entries.find((e) => e.line === entry.line && same(e)) ?? (entry.meta.name !== undefined ? file.entries.find(same) : undefined);
}

/**
 * Applies updates to a file read under the lock.
 *
 * @param fresh - the file as it is now
 * @param updates - one per token; two updates of the same line are refused
 * @returns the new content (undefined when nothing changed), the new parse and one outcome per update
 * @throws RangeError for an invalid or backwards state, or two updates of one line
 */
export function applyUpdates(
  fresh: UsersFile,
  updates: readonly TokenUpdate[],
): { content: Buffer | undefined; file: UsersFile; outcomes: UpdateOutcome[] } {
  const lines = fresh.lines.map((l) => ({ ...l }));
  const touched = new Set<number>();
  const results: Array<{ index: number } | { current: TokenEntry | undefined }> = [];
  for (const { entry, state } of updates) {
    const index = locate(fresh.lines, entry);
    if (index === undefined) {
      results.push({ current: currentOf(fresh, entry) });
      continue;
    }
    if (touched.has(index)) throw new RangeError(`two updates for line ${index + 1}`);
    touched.add(index);
    const line = lines[index];
    if (line !== undefined) lines[index] = { number: line.number, raw: renderUpdate(entry, state) };
    results.push({ index });
  }
  if (touched.size === 0) {
    return { content: undefined, file: fresh, outcomes: results.map((r) => ({ status: 'conflict', current: 'current' in r ? r.current : undefined })) };
  }
  const content = joinLines(lines);
  const file = parseUsersFile(content, fresh.path);
  const outcomes: UpdateOutcome[] = results.map((r) => {
    if ('current' in r) return { status: 'conflict', current: r.current };
    const entry = file.entries.find((e) => e.line === r.index + 1);
    if (entry === undefined) throw new Error(`internal: rewritten line ${r.index + 1} does not parse`);
    return { status: 'updated', entry };
  });
  return { content, file, outcomes };
}
