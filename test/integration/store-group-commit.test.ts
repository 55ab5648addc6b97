/**
 * Group commit in one process: concurrent updateStore calls on one file share lock rounds and fsyncs,
 * and behave exactly as if they had run one after another.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readStore, storeCounters, tokensOf, updateStore, type OathEntry } from '../../src/store/index.js';
import { tempDirForTest } from '../support/temp-dir.js';

const KEY = '3132333435363738393031323334353637383930';
const USERS = 40;
let dir: string;
let store: string;

beforeEach(() => {
  dir = tempDirForTest('otpd-group-');
  store = path.join(dir, 'users.oath');
  const lines = ['# group commit'];
  for (let i = 0; i < USERS; i++) lines.push(`HOTP\tu${i}\t-\t${KEY}\t0`);
  writeFileSync(store, `${lines.join('\n')}\n`, { mode: 0o600 });
});

const entryOf = async (user: string): Promise<OathEntry> => tokensOf(await readStore(store, { users: [user] }), user)[0] as OathEntry;

describe('updateStore group commit', () => {
  it('N concurrent updates for different users all land, with fewer rewrites than calls', async () => {
    const entries = await Promise.all(Array.from({ length: USERS }, (_, i) => entryOf(`u${i}`)));
    storeCounters(true);
    const results = await Promise.all(
      entries.map((entry, i) => updateStore(store, [{ entry, state: { kind: 'oath', counter: i + 1, lastOtp: String(100000 + i), time: new Date() } }])),
    );
    const counters = storeCounters();
    expect(results.map((r) => r.outcomes[0]?.status)).toEqual(Array(USERS).fill('updated'));
    expect(results.every((r) => r.written)).toBe(true);
    expect(counters.requests).toBe(USERS);
    expect(counters.writes + counters.patches).toBeLessThan(USERS);
    expect(counters.writes + counters.patches).toBeGreaterThanOrEqual(1);
    const after = await readStore(store);
    for (let i = 0; i < USERS; i++) expect((tokensOf(after, `u${i}`)[0] as OathEntry).counter).toBe(i + 1);
    expect(after.errors).toEqual([]);
    // each result's file holds its own user's new entry
    expect((tokensOf(results[7]?.file ?? after, 'u7')[0] as OathEntry).lastOtp).toBe('100007');
  });

  it('two concurrent updates of the same line: one updated, one conflict carrying the first one’s line', async () => {
    const entry = await entryOf('u3');
    const [a, b] = await Promise.all([
      updateStore(store, [{ entry, state: { kind: 'oath', counter: 1, lastOtp: '111111', time: new Date() } }]),
      updateStore(store, [{ entry, state: { kind: 'oath', counter: 2, lastOtp: '222222', time: new Date() } }]),
    ]);
    expect(a.outcomes[0]?.status).toBe('updated');
    const second = b.outcomes[0];
    expect(second?.status).toBe('conflict');
    expect(second?.status === 'conflict' && (second.current as OathEntry | undefined)?.lastOtp).toBe('111111');
    expect(b.written).toBe(false);
    expect((await entryOf('u3')).counter).toBe(1);
  });

  it('a request with a backwards state is refused alone; the others in its round land', async () => {
    const [e1, e2, e3] = await Promise.all(['u1', 'u2', 'u3'].map(entryOf));
    const time = new Date();
    await updateStore(store, [{ entry: e2 as OathEntry, state: { kind: 'oath', counter: 5, lastOtp: '5', time } }]);
    const stale = e2 as OathEntry; // now conflicts (line changed)
    const fresh2 = await entryOf('u2');
    const results = await Promise.allSettled([
      updateStore(store, [{ entry: e1 as OathEntry, state: { kind: 'oath', counter: 1, lastOtp: '1', time } }]),
      updateStore(store, [{ entry: fresh2, state: { kind: 'oath', counter: 4, lastOtp: '4', time } }]), // backwards
      updateStore(store, [{ entry: e3 as OathEntry, state: { kind: 'oath', counter: 3, lastOtp: '3', time } }]),
      updateStore(store, [{ entry: stale, state: { kind: 'oath', counter: 9, lastOtp: '9', time } }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(results[1]?.status === 'rejected' && results[1].reason).toBeInstanceOf(RangeError);
    expect(results[3]?.status === 'fulfilled' && results[3].value.outcomes[0]?.status).toBe('conflict');
    expect([(await entryOf('u1')).counter, (await entryOf('u2')).counter, (await entryOf('u3')).counter]).toEqual([1, 5, 3]);
  });
});
