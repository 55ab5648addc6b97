/**
 * The users.oath file as the decision's token store (the `TokenStore` port of src/policy/ports.ts):
 * one user's token lines, read as a hint, and the durable update of one verified token, refused when
 * its line changed since it was read. A PostgreSQL store will answer the same two questions.
 */
import type { StoreLineError } from './errors.js';
import { readStore } from './read-store.js';
import { updateStore } from './group-commit.js';
import type { TokenEntry, TokenState } from './usersfile/entry.js';
import { errorsOf, tokensOf } from './usersfile/parse.js';
import type { UpdateOutcome } from './usersfile/update.js';

/** One user's tokens as a store has them now. */
export interface UserTokens {
  /** The usable token lines. */
  readonly entries: readonly TokenEntry[];
  /** The user's lines the store cannot use (the file and line named): the user is refused until fixed. */
  readonly problems: readonly StoreLineError[];
}

/** A users.oath file as a token store. */
export interface FileTokenStore {
  /** The file, for messages. */
  readonly path: string;
  /**
   * @returns the user's tokens; the version read may be the last one remembered (an update checks
   *   the line again under the lock)
   * @throws StoreError (insecure, io) when the file cannot be read
   */
  readTokens(user: string): Promise<UserTokens>;
  /**
   * Makes `state` the token's, durably, if the token's line is still the one `entry` was read from.
   *
   * @returns `updated`, or `conflict` with the line as it is now (verify again against it)
   * @throws StoreError (locked, insecure, io) when nothing could be written
   */
  updateToken(entry: TokenEntry, state: TokenState): Promise<UpdateOutcome>;
}

/**
 * @param file - the users.oath path
 * @example
 * const store = fileTokenStore('/etc/users.oath');
 * const { entries } = await store.readTokens('alice');
 */
export function fileTokenStore(file: string): FileTokenStore {
  return {
    path: file,
    async readTokens(user) {
      const read = await readStore(file, { users: [user] });
      return { entries: tokensOf(read, user), problems: errorsOf(read, user) };
    },
    async updateToken(entry, state) {
      const { outcomes } = await updateStore(file, [{ entry, state }]);
      const outcome = outcomes[0];
      if (outcome === undefined) throw new Error('internal: an update without its outcome');
      return outcome;
    },
  };
}
