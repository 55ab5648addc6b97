/**
 * Changing a token's `#OTPD/META` line (enabled, groups, TOTP skew, S/KEY remote re-initialisation) in a draft of the store: the line
 * is rewritten in place, or inserted directly before a token line that has none (adjacency is what
 * ties metadata to its token: docs/store.md).
 */
import { formatMetaLine, type TokenEntry, type TokenMeta } from '../store/index.js';

/** What a command may change; the name stays. */
export type MetaChange = Partial<Pick<TokenMeta, 'enabled' | 'groups' | 'skew' | 'allowReinit'>>;

/**
 * @param lines - the draft's lines (binary strings), changed in place
 * @param entry - the token as parsed from the same draft
 * @param change - what to set; what it leaves out stays as it is
 * @returns whether the metadata differs from before
 */
export function changeMeta(lines: string[], entry: TokenEntry, change: MetaChange): boolean {
  const before = entry.meta;
  const after = {
    name: before.name,
    enabled: change.enabled ?? before.enabled,
    groups: change.groups ?? before.groups,
    skew: change.skew ?? before.skew,
    allowReinit: change.allowReinit ?? before.allowReinit,
    lastStep: before.lastStep,
  };
  const user = entry.fields[1] ?? '';
  const line = formatMetaLine(user, after);
  if (before.line !== undefined) {
    const changed = lines[before.line - 1] !== line;
    lines[before.line - 1] = line;
    return changed;
  }
  if (line === formatMetaLine(user, { ...before, skew: before.skew })) return false;
  lines.splice(entry.line - 1, 0, line);
  return true;
}
