/** Service rules: which of a user's tokens may answer at an access group. */
import type { GroupConfig } from '../config/index.js';
import type { TokenEntry } from '../store/index.js';

/**
 * @param group - the access group of the request
 * @returns the enabled tokens allowed at `group`: a token without groups serves every group, and a
 *   token allowed for a group also serves every group below it (`group.inheritsFrom`)
 */
export function candidatesFor(entries: readonly TokenEntry[], group: Pick<GroupConfig, 'inheritsFrom'>): TokenEntry[] {
  return entries.filter((e) => e.meta.enabled && (e.meta.groups.length === 0 || e.meta.groups.some((g) => group.inheritsFrom.includes(g))));
}
