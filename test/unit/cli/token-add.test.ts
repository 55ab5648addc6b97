/**
 * otpctl token add for every type, in-process: what lands in the store (pam_oath's format for OATH),
 * the otpauth:// URI as Google Authenticator reads it, the QR code (terminal and PNG), S/KEY set-up and
 * re-initialisation rules, and that the secrets typed never reach the store in the clear.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBase32Key } from '../../../src/encoding/key.js';
import { parseUsersFile } from '../../../src/store/index.js';
import { checkPassword, parsePasswordField } from '../../../src/tokens/password.js';
import { skeyChain } from '../../../src/tokens/skey/chain.js';
import { skeySecret } from '../../../src/tokens/skey/secret.js';
import { toSixWords } from '../../../src/tokens/skey/words.js';
import { adminFixture, type AdminFixture } from './admin-fixture.js';

const PASS = 'This is a test.';
let fx: AdminFixture;
afterEach(() => fx.cleanup());

function entries(): ReturnType<typeof parseUsersFile>['entries'] {
  const file = parseUsersFile(Buffer.from(fx.storeText(), 'latin1'), fx.store);
  expect(file.errors).toEqual([]);
  return file.entries;
}

describe('otpctl token add: OATH', () => {
  it('writes a pam_oath TOTP line and prints the URI Google Authenticator expects', async () => {
    fx = adminFixture('#OTPD/USER\talice\n');
    const r = await fx.json(['token', 'add', 'alice/phone', '--type', 'totp', '--issuer', 'Example Corp', '--digits', '8', '--period', '60']);
    expect(r.code).toBe(0);
    const uri = new URL(String(r.doc.uri));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.pathname).toBe('/Example%20Corp:alice');
    const secret = uri.searchParams.get('secret') ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes, no padding
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret, issuer: 'Example Corp', algorithm: 'SHA1', digits: '8', period: '60' });
    expect(r.stdout).toContain('issuer=Example%20Corp&');
    const [entry] = entries();
    if (entry?.kind !== 'oath') throw new Error('no OATH entry');
    expect(entry.type.name).toBe('HOTP/T60/8');
    expect(Buffer.from(entry.key).toString('hex')).toBe(Buffer.from(parseBase32Key(secret)).toString('hex'));
    expect(entry.meta).toMatchObject({ name: 'phone', enabled: true, groups: [] });
  });

  it('takes a given HOTP key and counter, prints a terminal QR code, and writes a 0600 PNG', async () => {
    fx = adminFixture('HOTP\talice\t-\t00112233445566778899aabbccddeeff\n');
    const png = path.join(fx.dir, 'qr.png');
    const r = await fx.run([
      'token',
      'add',
      'alice/hw',
      '--type',
      'hotp',
      '--key',
      'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      '--base32',
      '-c',
      '5',
      '--issuer',
      'x',
      '--qr-png',
      png,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('otpauth://hotp/x:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=x&algorithm=SHA1&digits=6&counter=5');
    expect(r.stdout).toMatch(/[▀▄█]/); // the QR code's half blocks
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(png).mode & 0o777).toBe(0o600);
    expect(fx.storeText()).toBe(
      'HOTP\talice\t-\t00112233445566778899aabbccddeeff\n#OTPD/META\talice\tname=hw\tenabled=yes\nHOTP\talice\t-\t3132333435363738393031323334353637383930\t5\n',
    );
  });

  it('refuses what users.oath cannot hold, an existing PNG, a taken name or unknown group, changing nothing', async () => {
    const store = '#OTPD/USER\talice\n#OTPD/META\talice\tname=phone\tenabled=yes\nHOTP/T30\talice\t-\t00112233445566778899aabbccddeeff\n';
    fx = adminFixture(store);
    const png = path.join(fx.dir, 'exists.png');
    writeFileSync(png, 'x');
    const cases: Array<[string[], RegExp]> = [
      [['--type', 'totp', '-a', 'sha256'], /^otpctl: algorithm: /],
      [['--type', 'totp', '--period', '45'], /^otpctl: period: /],
      [['--type', 'totp', '-d', '9'], /^otpctl: digits: /],
      [['--type', 'hotp', '--key', '0011'], /^otpctl: key: must be 16 to 32 bytes/],
      [['--type', 'totp', '--qr-png', png], /^otpctl: qr-png: /],
      [['--type', 'totp', '--issuer', 'a:b'], /^otpctl: issuer: /],
      [['--type', 'totp', '--groups', 'nope'], /^otpctl: groups: nope: not a group/],
    ];
    for (const [args, message] of cases) {
      const r = await fx.run(['token', 'add', 'alice/new', ...args]);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
    const taken = await fx.run(['token', 'add', 'alice/phone', '--type', 'totp']);
    expect(taken.stderr).toMatch(/^otpctl: token: alice\/phone already exists/);
    const unknown = await fx.run(['token', 'add', 'bob/phone', '--type', 'totp']);
    expect(unknown.stderr).toMatch(/^otpctl: user: bob is not in .*otpctl user add bob\n$/);
    expect(readFileSync(png, 'utf8')).toBe('x');
    expect(fx.storeText()).toBe(store);
  });
});

describe('otpctl token add: S/KEY', () => {
  it('console mode: the pass phrase twice, OTP(N) stored, first challenge N-1, seed lower-cased', async () => {
    fx = adminFixture('#OTPD/USER\talice\n');
    const r = await fx.json(['token', 'add', 'alice/paper', '--type', 'skey', '--sha1', '--seq', '100', '--seed', 'TeSt'], {
      interactive: true,
      secrets: [PASS, PASS],
    });
    expect(r.code).toBe(0);
    expect(r.prompts).toEqual(['Pass phrase: ', 'Pass phrase again: ']);
    expect(r.doc).toMatchObject({ challenge: 'otp-sha1 99 test ext', seed: 'test' });
    const [entry] = entries();
    if (entry?.kind !== 'skey') throw new Error('no S/KEY entry');
    expect([entry.algorithm, entry.sequence, entry.seed]).toEqual(['sha1', 99, 'test']);
    expect(Buffer.from(entry.last)).toEqual(Buffer.from(skeyChain('sha1', skeySecret('test', PASS), 100)));
    expect(fx.storeText()).not.toContain(PASS);
    const mismatch = await fx.run(['token', 'add', 'alice/p2', '--type', 'skey'], { interactive: true, secrets: [PASS, `${PASS}x`] });
    expect([mismatch.code, mismatch.stderr]).toEqual([2, 'otpctl: pass phrase: the two entries differ; nothing was changed\n']);
  });

  it('--response from elsewhere; re-initialising needs a new seed; the next response is accepted', async () => {
    fx = adminFixture('#OTPD/USER\talice\n');
    const secret = skeySecret('ab12', PASS);
    const words = (n: number): string => toSixWords(skeyChain('md5', secret, n));
    expect((await fx.run(['token', 'add', 'alice/paper', '--type', 'skey', '--seed', 'ab12', '--seq', '50', '--response', words(50)])).code).toBe(0);
    expect((await fx.run(['verify', 'alice', words(49)])).stdout).toMatch(/Accept\n$/);
    const before = fx.storeText();
    const reused = await fx.run(['token', 'add', 'alice/paper', '--type', 'skey', '--seed', 'AB12', '--response', words(50)]);
    expect([reused.code, reused.stderr]).toEqual([
      2,
      expect.stringMatching(/^otpctl: seed: ab12 is the token's current seed; re-initialising needs a new seed/),
    ]);
    expect(fx.storeText()).toBe(before);
    const fresh = skeySecret('cd34', PASS);
    const re = await fx.json([
      'token',
      'add',
      'alice/paper',
      '--type',
      'skey',
      '--seed',
      'cd34',
      '--seq',
      '20',
      '--response',
      skeyChain('md5', fresh, 20).reduce((s, b) => s + b.toString(16).padStart(2, '0'), ''),
    ]);
    expect(re.doc).toMatchObject({ reinitialised: true, challenge: 'otp-md5 19 cd34 ext' });
    expect(entries()).toHaveLength(1);
    expect((await fx.run(['verify', 'alice', toSixWords(skeyChain('md5', fresh, 19))])).stdout).toMatch(/Accept\n$/);
    const bad = await fx.run(['token', 'add', 'alice/p3', '--type', 'skey', '--seed', 'has space', '--response', words(3)]);
    expect(bad.stderr).toMatch(/^otpctl: seed: /);
  });
});

describe('otpctl token add --allow-reinit', () => {
  const hexOf = (value: Uint8Array): string => Buffer.from(value).toString('hex');

  it('S/KEY: off unless asked; --allow-reinit writes reinit=yes; re-enrolling keeps or sets it', async () => {
    fx = adminFixture('#OTPD/USER\talice\n');
    const secret = skeySecret('ab12', PASS);
    const plain = await fx.json([
      'token',
      'add',
      'alice/paper',
      '--type',
      'skey',
      '--seed',
      'ab12',
      '--seq',
      '50',
      '--response',
      hexOf(skeyChain('md5', secret, 50)),
    ]);
    expect([plain.code, plain.doc.allowReinit]).toEqual([0, false]);
    expect(fx.storeText()).toContain('#OTPD/META\talice\tname=paper\tenabled=yes\nOTPD/SKEY\t');
    expect(entries()[0]?.meta.allowReinit).toBe(false);
    const on = await fx.json([
      'token',
      'add',
      'alice/p2',
      '--type',
      'skey',
      '--seed',
      'cd34',
      '--seq',
      '50',
      '--response',
      hexOf(skeyChain('md5', skeySecret('cd34', PASS), 50)),
      '--allow-reinit',
    ]);
    expect([on.code, on.doc.allowReinit]).toEqual([0, true]);
    expect(fx.storeText()).toContain('#OTPD/META\talice\tname=p2\tenabled=yes\treinit=yes\nOTPD/SKEY\t');
    expect(
      (
        await fx.run([
          'token',
          'add',
          'alice/p3',
          '--type',
          'skey',
          '--seed',
          'ef56',
          '--response',
          hexOf(skeyChain('md5', skeySecret('ef56', PASS), 50)),
          '--allow-reinit',
        ])
      ).stdout,
    ).toContain('remote re-initialisation (RFC 2243 init-hex:/init-word:) is on');
    // Re-enrolling with a new seed keeps the setting unless it is given.
    const again = await fx.json([
      'token',
      'add',
      'alice/p2',
      '--type',
      'skey',
      '--seed',
      'gh78',
      '--seq',
      '50',
      '--response',
      hexOf(skeyChain('md5', skeySecret('gh78', PASS), 50)),
    ]);
    expect(again.doc).toMatchObject({ reinitialised: true, allowReinit: true });
    const off = await fx.json([
      'token',
      'add',
      'alice/p2',
      '--type',
      'skey',
      '--seed',
      'ij90',
      '--seq',
      '50',
      '--response',
      hexOf(skeyChain('md5', skeySecret('ij90', PASS), 50)),
      '--no-allow-reinit',
    ]);
    expect(off.doc).toMatchObject({ reinitialised: true, allowReinit: false });
    expect(fx.storeText()).toContain('#OTPD/META\talice\tname=p2\tenabled=yes\nOTPD/SKEY\talice\t-\tmd5\t49\tij90\t');
    const up = await fx.json([
      'token',
      'add',
      'alice/paper',
      '--type',
      'skey',
      '--seed',
      'kl12',
      '--seq',
      '50',
      '--response',
      hexOf(skeyChain('md5', skeySecret('kl12', PASS), 50)),
      '--allow-reinit',
    ]);
    expect(up.doc).toMatchObject({ reinitialised: true, allowReinit: true });
    expect(fx.storeText()).toContain('#OTPD/META\talice\tname=paper\tenabled=yes\treinit=yes\nOTPD/SKEY\talice\t-\tmd5\t49\tkl12\t');
  });

  it('refuses it for every other type, changing nothing', async () => {
    fx = adminFixture('#OTPD/USER\talice\n');
    for (const type of ['hotp', 'totp', 'motp', 'password', 'backup']) {
      const r = await fx.run(['token', 'add', 'alice/x', '--type', type, '--allow-reinit'], { secrets: ['1234', '1234'] });
      expect([r.code, r.stderr], type).toEqual([
        2,
        `otpctl: allow-reinit: is only for skey tokens (RFC 2243 remote re-initialisation); a ${type} token has none\n`,
      ]);
    }
    expect(fx.storeText()).toBe('#OTPD/USER\talice\n');
  });
});

describe('otpctl token add: mOTP, password, backup codes', () => {
  it('mOTP: a fresh 16-hex secret, the PIN asked twice, the offset kept', async () => {
    fx = adminFixture('#OTPD/USER\talice\n');
    const r = await fx.json(['token', 'add', 'alice/m', '--type', 'motp', '--offset', '-5'], { interactive: true, secrets: ['1234', '1234'] });
    expect(r.doc.secret).toMatch(/^[0-9a-f]{16}$/);
    const [entry] = entries();
    expect(entry).toMatchObject({ kind: 'motp', secret: r.doc.secret, pin: '1234', offsetHours: -5 });
  });

  it('password: typed twice, stored as scrypt; from a pipe, read once', async () => {
    fx = adminFixture('#OTPD/USER\talice\n');
    expect((await fx.run(['token', 'add', 'alice/pw', '--type', 'password'], { secrets: ['correct horse'] })).code).toBe(0);
    const [entry] = entries();
    if (entry?.kind !== 'static') throw new Error('no static entry');
    expect(await checkPassword(entry.password, 'correct horse')).toBe(true);
    expect(fx.storeText()).not.toContain('correct horse');
    const short = await fx.run(['token', 'add', 'alice/pw2', '--type', 'password'], { secrets: ['short'] });
    expect(short.stderr).toBe('otpctl: password: must be at least 8 characters\n');
    expect(parsePasswordField('-')).toEqual({ kind: 'none' });
  });

  it('backup: codes printed once, stored hashed, each accepted once (any case, with or without the dash)', async () => {
    fx = adminFixture('#OTPD/USER\talice\n');
    const r = await fx.json(['token', 'add', 'alice/spare', '--type', 'backup', '--count', '3']);
    const codes = r.doc.codes as string[];
    expect(codes).toHaveLength(3);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
      expect(fx.storeText()).not.toContain(code.replace('-', ''));
    }
    const [first = '', second = ''] = codes;
    expect((await fx.run(['verify', 'alice', first.toUpperCase()])).stdout).toMatch(/^AUTH_OK_OTP backup code accepted; 2 left\nAccept\n$/);
    expect((await fx.run(['verify', 'alice', first])).stdout).toMatch(/^AUTH_OTP_ALREADY_USED/);
    expect((await fx.run(['verify', 'alice', second.replace('-', ' ')])).stdout).toMatch(/Accept\n$/);
    expect((await fx.run(['verify', 'alice', 'zzzzz-zzzzz'])).stdout).toMatch(/^AUTH_FAILED/);
    const list = await fx.json(['token', 'list', 'alice']);
    expect(list.doc.tokens).toEqual([expect.objectContaining({ type: 'backup', state: expect.objectContaining({ left: 1, total: 3 }) })]);
    expect(existsSync(fx.store)).toBe(true);
  });
});
