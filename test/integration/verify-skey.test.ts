/**
 * S/KEY through the built otpctl: `otpctl challenge` issues and holds one challenge (RFC 2289 §10),
 * `otpctl gen skey` answers it, `otpctl verify` accepts once and lowers the sequence on disk; RFC 2243
 * `init-hex:` / `init-word:` re-initialise a token that opts in (`reinit=yes`; the new seed must
 * differ) and are refused, burning the current response, for every other; the low-sequence warning.
 * Store lines are set up from `otpctl gen skey --hex` (LAST = OTP(SEQUENCE+1), docs/store.md).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SkeyEntry } from '../../src/store/index.js';
import { makeFixture, secretsInAudit, spawnOtpctl, type Fixture } from '../support/store-fixture.js';
import { otpctl } from '../support/run.js';

const PASS = 'correct horse battery';
const NEW_PASS = 'another staple phrase';

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

/** `otpctl gen skey [--hex] ARGS` with the pass phrase on stdin. */
function gen(args: readonly string[], passphrase = PASS): string {
  const r = otpctl(['gen', 'skey', ...args], { input: `${passphrase}\n` });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

function skeyLine(user: string, seq: number, seed: string, alg = 'md5'): string {
  return `OTPD/SKEY\t${user}\t-\t${alg}\t${seq}\t${seed}\t${gen([`--${alg}`, '--hex', String(seq + 1), seed])}\n`;
}

async function skeyOf(f: Fixture, user: string): Promise<SkeyEntry> {
  const e = (await f.entries(user)).find((x): x is SkeyEntry => x.kind === 'skey');
  if (e === undefined) throw new Error(`no S/KEY line for ${user}`);
  return e;
}

describe('S/KEY challenge and response', () => {
  it('challenge, one pending at a time, response accepted once, sequence lowered on disk', async () => {
    fx = makeFixture({ name: 'skey', store: `# s/key\n${skeyLine('erin', 99, 'ke1234')}HOTP bob - 3132333435363738393031323334353637383930\n` });
    const bobLine = 'HOTP bob - 3132333435363738393031323334353637383930\n';
    const c = fx.challenge('erin');
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout.trim()).toBe('otp-md5 99 ke1234 ext');
    const second = fx.challenge('erin');
    expect(second.status).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(/pending challenge/);
    const words = gen([c.stdout.trim()]);
    expect(words).toMatch(/^([A-Z]{1,4} ){5}[A-Z]{1,4}$/);
    const ok = fx.verify('erin', words);
    expect(ok.verdict, ok.stdout + ok.stderr).toBe('Accept');
    expect(ok.code).toBe('AUTH_OK_OTP');
    let e = await skeyOf(fx, 'erin');
    expect(e.sequence).toBe(98);
    expect(fx.storeBytes().toString('latin1')).toContain(bobLine);
    // The same response again is refused; the sequence stays.
    const replay = fx.verify('erin', words);
    expect(replay.verdict).toBe('Reject');
    expect(replay.code).toBe('AUTH_OTP_ALREADY_USED');
    expect((await skeyOf(fx, 'erin')).sequence).toBe(98);
    // The verification released the hold: the next challenge is 98; hex (grouped) works as well.
    expect(fx.challenge('erin').stdout.trim()).toBe('otp-md5 98 ke1234 ext');
    const hex = gen(['--hex', '98', 'ke1234']);
    const grouped = hex.match(/.{4}/g)?.join(' ') ?? '';
    expect(fx.verify('erin', grouped).verdict).toBe('Accept');
    e = await skeyOf(fx, 'erin');
    expect(e.sequence).toBe(97);
    expect(Buffer.from(e.last).toString('hex')).toBe(hex.toLowerCase());
    // A response for an older sequence is refused.
    expect(fx.verify('erin', gen(['99', 'ke1234'])).verdict).toBe('Reject');
    expect(secretsInAudit(fx, [PASS, words, hex, grouped])).toEqual([]);
    expect(fx.auditCodes()).toContain('AUTH_SKEY_CHALLENGE');
  });

  it('the challenge stays held while its answer is being verified (RFC 2289 §10 race)', async () => {
    fx = makeFixture({ name: 'skey-race', store: skeyLine('erin', 99, 'ke1234') });
    const f = fx;
    expect(f.challenge('erin').stdout.trim()).toBe('otp-md5 99 ke1234 ext');
    // Keep the verification busy: a young store lock makes it wait inside its store update.
    writeFileSync(`${f.store}.lock`, `${process.pid} test\n`, { mode: 0o600 });
    const pending = f.verifyAsync('erin', gen(['99', 'ke1234']));
    await new Promise((r) => setTimeout(r, 1_500));
    // A second challenge waits for the user's decision (one per user at a time) instead of being
    // issued beside it; once the answer is accepted it is the next one.
    const meanwhile = spawnOtpctl(['challenge', 'erin'], f.env);
    let second: string | undefined;
    void meanwhile.done.then((r) => (second = r.stdout));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(second, 'a second challenge was issued while the first answer was being checked').toBeUndefined();
    rmSync(`${f.store}.lock`);
    const r = await pending;
    expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
    expect((await meanwhile.done).stdout.trim()).toBe('otp-md5 98 ke1234 ext');
  });

  it('init-hex: re-initialises a token with reinit=yes (new seed on disk); the same seed is refused and the response is burnt', async () => {
    fx = makeFixture({ name: 'skey-reinit', store: `#OTPD/META\terin\tname=paper\treinit=yes\n${skeyLine('erin', 99, 'ke1234')}` });
    // Same seed: refused, and the disclosed current response is used up (sequence lowered).
    const cur = gen(['--hex', '99', 'ke1234']);
    const sameSeed = `init-hex:${cur}:md5 50 KE1234:${gen(['--hex', '50', 'ke1234'], NEW_PASS)}`;
    const bad = fx.verify('erin', sameSeed);
    expect(bad.verdict).toBe('Reject');
    let e = await skeyOf(fx, 'erin');
    expect(e.seed).toBe('ke1234');
    expect(e.sequence).toBe(98);
    expect(fx.verify('erin', gen(['99', 'ke1234'])).verdict).toBe('Reject');
    // A new seed: accepted, the line now holds the new parameters.
    const cur2 = gen(['--hex', '98', 'ke1234']);
    const newLast = gen(['--hex', '50', 'newseed7'], NEW_PASS);
    const ok = fx.verify('erin', `init-hex:${cur2}:md5 50 newseed7:${newLast}`);
    expect(ok.verdict, ok.stdout + ok.stderr).toBe('Accept');
    expect(ok.code).toBe('AUTH_SKEY_REINIT');
    e = await skeyOf(fx, 'erin');
    expect(e.seed).toBe('newseed7');
    expect(e.algorithm).toBe('md5');
    expect(e.sequence).toBe(49);
    expect(fx.challenge('erin').stdout.trim()).toBe('otp-md5 49 newseed7 ext');
    const next = gen(['49', 'newseed7'], NEW_PASS);
    expect(fx.verify('erin', next).verdict).toBe('Accept');
    // init-word: back to another seed, with six-word parts (and sha1 as the new algorithm).
    const w1 = gen(['48', 'newseed7'], NEW_PASS);
    const w2 = gen(['--sha1', '30', 'third3'], PASS);
    const r = fx.verify('erin', `init-word:${w1}:sha1 30 third3:${w2}`);
    expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
    e = await skeyOf(fx, 'erin');
    expect([e.algorithm, e.sequence, e.seed]).toEqual(['sha1', 29, 'third3']);
    expect(fx.verify('erin', gen(['--sha1', '29', 'third3'], PASS)).verdict).toBe('Accept');
    expect(secretsInAudit(fx, [PASS, NEW_PASS, cur, cur2, newLast, next, w1, w2])).toEqual([]);
  });

  it('without reinit=yes an init-hex:/init-word: never re-keys the token: refused, and the current response burnt', async () => {
    fx = makeFixture({ name: 'skey-noreinit', store: `#OTPD/META\terin\tname=paper\n${skeyLine('erin', 99, 'ke1234')}` });
    const cur = gen(['--hex', '99', 'ke1234']);
    const chosen = gen(['--hex', '50', 'evil50'], NEW_PASS);
    const r = fx.verify('erin', `init-hex:${cur}:md5 50 evil50:${chosen}`, { debug: true });
    expect([r.verdict, r.code]).toEqual(['Reject', 'AUTH_FAILED']);
    expect(r.stdout).toContain('remote re-initialisation is off for this token (otpctl token change erin/paper --allow-reinit)');
    let e = await skeyOf(fx, 'erin');
    expect([e.algorithm, e.sequence, e.seed]).toEqual(['md5', 98, 'ke1234']);
    expect(Buffer.from(e.last).toString('hex')).toBe(cur.toLowerCase());
    expect(fx.verify('erin', gen(['99', 'ke1234'])).verdict).toBe('Reject'); // burnt
    const w = gen(['98', 'ke1234']);
    const words = fx.verify('erin', `init-word:${w}:sha1 50 evil50:${gen(['--sha1', '50', 'evil50'], NEW_PASS)}`);
    expect(words.verdict).toBe('Reject');
    e = await skeyOf(fx, 'erin');
    expect([e.algorithm, e.sequence, e.seed]).toEqual(['md5', 97, 'ke1234']);
    expect(fx.verify('erin', gen(['97', 'ke1234'])).verdict).toBe('Accept'); // the owner's chain goes on
    expect(fx.auditCodes()).not.toContain('AUTH_SKEY_REINIT');
    expect(secretsInAudit(fx, [PASS, NEW_PASS, cur, chosen, w])).toEqual([]);
  });

  it('warns when few responses remain (skey_warn_below)', async () => {
    fx = makeFixture({ name: 'skey-low', store: skeyLine('erin', 6, 'low1') });
    const r = fx.verify('erin', gen(['6', 'low1']));
    expect(r.verdict, r.stdout + r.stderr).toBe('Accept');
    expect(r.stdout).toMatch(/^warning: .*S\/KEY.*$/m);
    expect(fx.auditCodes().sort()).toEqual(['AUTH_OK_OTP', 'AUTH_SKEY_LOW']);
    expect((await skeyOf(fx, 'erin')).sequence).toBe(5);
  });
});
