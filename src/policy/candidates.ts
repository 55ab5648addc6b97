/** Service rules: which of a user's tokens may answer for a service group. */
import type { TokenEntry } from '../store/index.js';

/**
 * @returns the enabled tokens that serve `group`; a token without groups serves every group
 */
export function candidatesFor(entries: readonly TokenEntry[], group: string): TokenEntry[] {
  return entries.filter((e) => e.meta.enabled && (e.meta.groups.length === 0 || e.meta.groups.includes(group)));
}
