/**
 * How otpctl shows a token: its address, type, whether it is enabled, its service groups and a
 * secret-free summary of its state (counter, sequence, last slot, whether S/KEY remote
 * re-initialisation is on). Never a key, PIN or hash.
 */
import { tokenLabel } from '../store/index.js';
import type { TokenEntry } from '../store/index.js';

/** A token as `token list`, `user show` and their `--json` show it. */
export interface TokenSummary {
  /** The part after `USER/` in its address: the metadata name, or `TYPE@LINE`. */
  readonly name: string;
  readonly user: string;
  /** hotp, totp, skey, motp, password or backup. */
  readonly type: string;
  /** 1-based line of the token in the store. */
  readonly line: number;
  /** The store line's type (`HOTP/T30`, `OTPD/SKEY`, …). */
  readonly storeType: string;
  readonly enabled: boolean;
  /** Empty: every service. */
  readonly groups: readonly string[];
  /** Secret-free facts about its state. */
  readonly state: Readonly<Record<string, string | number | null>>;
}

const iso = (date: Date | undefined): string | null => (date === undefined ? null : date.toISOString());

function stateOf(entry: TokenEntry): TokenSummary['state'] {
  switch (entry.kind) {
    case 'oath':
      return entry.type.stepSeconds === 0
        ? { digits: entry.type.digits, counter: entry.counter, lastUsed: iso(entry.lastTime) }
        : { digits: entry.type.digits, period: entry.type.stepSeconds, skewSteps: entry.meta.skew ?? 0, lastUsed: iso(entry.lastTime) };
    case 'skey':
      // Shown so an administrator sees which tokens a login answer may re-key (otpctl token change).
      return {
        algorithm: entry.algorithm,
        sequence: entry.sequence,
        seed: entry.seed,
        reinit: entry.meta.allowReinit ? 'yes' : 'no',
        lastUsed: iso(entry.lastTime),
      };
    case 'motp':
      return { offsetHours: entry.offsetHours, lastSlot: entry.lastSlot ?? null, lastUsed: iso(entry.lastTime) };
    case 'static':
      return {};
    case 'backup':
      return { left: entry.slots.filter((slot) => !slot.used).length, total: entry.slots.length, lastUsed: iso(entry.lastTime) };
  }
}

function typeOf(entry: TokenEntry): string {
  if (entry.kind === 'oath') return entry.type.stepSeconds === 0 ? 'hotp' : 'totp';
  return entry.kind === 'static' ? 'password' : entry.kind;
}

/** @returns the token's summary (no secret) */
export function summarizeToken(entry: TokenEntry): TokenSummary {
  return {
    name: tokenLabel(entry).slice(entry.user.length + 1),
    user: entry.user,
    type: typeOf(entry),
    line: entry.line,
    storeType: entry.kind === 'oath' ? entry.type.name : (entry.fields[0] ?? ''),
    enabled: entry.meta.enabled,
    groups: entry.meta.groups,
    state: stateOf(entry),
  };
}

/** The state as one short cell: `counter=5`, `sequence=498 seed=ke1234`, … */
export function stateText(summary: TokenSummary): string {
  return Object.entries(summary.state)
    .filter(([key, value]) => value !== null && key !== 'lastUsed')
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
}

/** Column titles of a token table. */
export const TOKEN_TABLE_HEADER = Object.freeze(['TOKEN', 'TYPE', 'ENABLED', 'GROUPS', 'STATE', 'LAST USED']);

/** One row of a token table (see {@link TOKEN_TABLE_HEADER}). */
export function tokenRow(summary: TokenSummary): string[] {
  return [
    `${summary.user}/${summary.name}`,
    summary.type,
    summary.enabled ? 'yes' : 'no',
    summary.groups.length === 0 ? '(all)' : summary.groups.join(','),
    stateText(summary),
    typeof summary.state.lastUsed === 'string' ? summary.state.lastUsed : '-',
  ];
}
