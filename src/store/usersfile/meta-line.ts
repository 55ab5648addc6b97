/**
 * Token metadata: `#OTPD/META USER [name=NAME] [enabled=yes|no] [groups=G1,G2,…] [skew=STEPS]
 * [reinit=yes|no] [laststep=STEP]`.
 *
 * The line starts with `#`, so pam_oath skips it (its first field is not an OATH type) and people read
 * it as a comment. It describes the token line that immediately follows it, which must name the same
 * user; a metadata line anywhere else is an error for that user. Adjacency survives pam_oath, which
 * rewrites token lines in place and never reorders, inserts or deletes lines.
 */
import type { TokenMeta } from './entry.js';
import { LineProblem } from './entry.js';

/** The first field of a metadata line. */
export const META_TYPE = '#OTPD/META';

const NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
const GROUP_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** A TOTP clock offset, in steps: up to a year of 30-second steps either way. */
const SKEW_PATTERN = /^[+-]?[0-9]{1,7}$/;
/** The largest skew accepted, in steps. */
export const MAX_SKEW_STEPS = 1_051_200;
/** A TOTP time step: a whole number of at most 15 digits (a safe integer). */
const STEP_PATTERN = /^[0-9]{1,15}$/;

/** Metadata for a token without a metadata line. */
export const DEFAULT_META: TokenMeta = Object.freeze({
  name: undefined,
  enabled: true,
  groups: Object.freeze([]),
  skew: 0,
  lastStep: undefined,
  allowReinit: false,
  line: undefined,
  raw: undefined,
});

/** What {@link formatMetaLine} writes. */
export type MetaFields = Pick<TokenMeta, 'name' | 'enabled' | 'groups'> & {
  readonly skew?: number;
  readonly lastStep?: number | undefined;
  /** Written only when true (`reinit=yes`): a line without it means no. */
  readonly allowReinit?: boolean;
};

/**
 * Parses the fields after `#OTPD/META USER`.
 *
 * @param fields - all fields of the line (binary strings)
 * @param line - 1-based line number
 * @param raw - the line's exact bytes (binary string, terminator included)
 * @returns the metadata
 * @throws LineProblem for an unknown or repeated key or a bad value
 */
export function parseMetaLine(fields: readonly string[], line: number, raw: string): TokenMeta {
  let name: string | undefined;
  let enabled = true;
  let groups: string[] = [];
  let skew = 0;
  let lastStep: number | undefined;
  let allowReinit = false;
  const seen = new Set<string>();
  for (const field of fields.slice(2)) {
    const eq = field.indexOf('=');
    const key = eq < 0 ? field : field.slice(0, eq);
    const value = eq < 0 ? '' : field.slice(eq + 1);
    if (seen.has(key)) throw new LineProblem(`metadata key "${key}" is given twice`);
    seen.add(key);
    switch (key) {
      case 'name':
        if (!NAME_PATTERN.test(value)) throw new LineProblem('metadata name must be 1 to 64 of A-Z a-z 0-9 . _ @ -');
        name = value;
        break;
      case 'enabled':
        if (value !== 'yes' && value !== 'no') throw new LineProblem('metadata enabled must be yes or no');
        enabled = value === 'yes';
        break;
      case 'groups':
        groups = value.split(',');
        if (!groups.every((g) => GROUP_PATTERN.test(g))) {
          throw new LineProblem('metadata groups must be a comma-separated list of names (A-Z a-z 0-9 . _ -)');
        }
        break;
      case 'skew':
        if (!SKEW_PATTERN.test(value) || Math.abs(Number(value)) > MAX_SKEW_STEPS) {
          throw new LineProblem(`metadata skew must be a whole number of time steps from -${MAX_SKEW_STEPS} to ${MAX_SKEW_STEPS}`);
        }
        skew = Number(value);
        break;
      case 'laststep':
        if (!STEP_PATTERN.test(value)) throw new LineProblem('metadata laststep must be a whole number of time steps (at most 15 digits)');
        lastStep = Number(value);
        break;
      case 'reinit':
        if (value !== 'yes' && value !== 'no') throw new LineProblem('metadata reinit must be yes or no');
        allowReinit = value === 'yes';
        break;
      default:
        throw new LineProblem(`unknown metadata key "${key.replace(/[^\x21-\x7e]/g, '?').slice(0, 32)}" (use name, enabled, groups, skew, laststep, reinit)`);
    }
  }
  return Object.freeze({ name, enabled, groups: Object.freeze(groups), skew: skew === 0 ? 0 : skew, lastStep, allowReinit, line, raw });
}

/**
 * Formats a metadata line (for tools that add or edit tokens).
 *
 * @param user - the user, binary string
 * @param meta - the metadata
 * @returns the line with `\n`
 */
export function formatMetaLine(user: string, meta: MetaFields): string {
  const parts = [META_TYPE, user];
  if (meta.name !== undefined) parts.push(`name=${meta.name}`);
  parts.push(`enabled=${meta.enabled ? 'yes' : 'no'}`);
  if (meta.groups.length > 0) parts.push(`groups=${meta.groups.join(',')}`);
  const skew = meta.skew ?? 0;
  if (skew !== 0) parts.push(`skew=${skew > 0 ? '+' : ''}${skew}`);
  // Only the opt-in is written: the line stays minimal, and an older otpd reading it refuses the key
  // (and so the token) rather than re-keying on its old default.
  if (meta.allowReinit === true) parts.push('reinit=yes');
  if (meta.lastStep !== undefined) parts.push(`laststep=${meta.lastStep}`);
  return `${parts.join('\t')}\n`;
}
