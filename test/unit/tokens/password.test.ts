import { describe, expect, it } from 'vitest';
import {
  SCRYPT_LIMITS,
  checkPassword,
  formatScryptHash,
  hashPassword,
  isPasswordHash,
  needsRehash,
  parsePasswordField,
  parseScryptHash,
} from '../../../src/tokens/password.js';
import { verifyPassword } from '../../../src/policy/verify/password.js';
import { parseUsersFile } from '../../../src/store/index.js';

const parse = (text: string): ReturnType<typeof parseUsersFile> => parseUsersFile(Buffer.from(text, 'latin1'), '/etc/users.oath');
const SALT = 'c2FsdHNhbHRzYWx0'; // 12 bytes
const HASH = 'aGFzaGhhc2hoYXNoaGFzaA'; // 16 bytes
const fast = { ln: 10 } as const;

describe('scrypt hashes ($scrypt$ln=…,r=…,p=…$salt$hash)', () => {
  it('hashes into a self-describing PHC string and checks it', async () => {
    const stored = await hashPassword('correct horse', fast);
    expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(isPasswordHash(stored)).toBe(true);
    const spec = parsePasswordField(stored);
    expect(spec).toMatchObject({ kind: 'scrypt', hash: { ln: 10, r: 8, p: 1 } });
    expect(await checkPassword(spec, 'correct horse')).toBe(true);
    expect(await checkPassword(spec, 'correct horsE')).toBe(false);
    expect(await checkPassword(spec, 'correct horsf')).toBe(false);
    expect(await checkPassword(spec, '')).toBe(false);
    expect(await hashPassword('correct horse', fast)).not.toBe(stored); // fresh salt
  });

  it('uses the default parameters (ln=15, r=8, p=1, 16-byte salt, 32-byte hash) for UTF-8 passwords', async () => {
    const stored = await hashPassword('pässwörd ünïcode');
    expect(stored.startsWith('$scrypt$ln=15,r=8,p=1$')).toBe(true);
    const h = parseScryptHash(stored);
    expect([h.salt.length, h.hash.length]).toEqual([SCRYPT_LIMITS.saltBytes, SCRYPT_LIMITS.hashBytes]);
    expect(await checkPassword({ kind: 'scrypt', hash: h }, 'pässwörd ünïcode')).toBe(true);
    expect(needsRehash({ kind: 'scrypt', hash: h })).toBe(false);
  });

  it('formats what it parses', () => {
    const text = `$scrypt$ln=10,r=8,p=1$${SALT}$${HASH}`;
    expect(formatScryptHash(parseScryptHash(text))).toBe(text);
  });

  it('refuses corrupt or abusive hashes with an error naming the field, never quoting it', async () => {
    const bad: [string, RegExp][] = [
      [`$scrypt$ln=10,r=8,p=1$${SALT}`, /form/],
      [`scrypt$1024$8$1$${SALT}$${HASH}`, /form/], // not ours: a plain password, see below
      [`$scrypt$N=1024,r=8,p=1$${SALT}$${HASH}`, /ln=N,r=R,p=P/],
      [`$scrypt$ln=9,r=8,p=1$${SALT}$${HASH}`, /ln must be 10 to 20/],
      [`$scrypt$ln=21,r=8,p=1$${SALT}$${HASH}`, /ln must be 10 to 20/],
      [`$scrypt$ln=10,r=0,p=1$${SALT}$${HASH}`, /r must be/],
      [`$scrypt$ln=10,r=33,p=1$${SALT}$${HASH}`, /r must be/],
      [`$scrypt$ln=10,r=8,p=17$${SALT}$${HASH}`, /p must be/],
      [`$scrypt$ln=20,r=32,p=16$${SALT}$${HASH}`, /memory/],
      [`$scrypt$ln=10,r=8,p=1$!!!$${HASH}`, /base64/],
      [`$scrypt$ln=10,r=8,p=1$${SALT}=$${HASH}`, /base64/],
      [`$scrypt$ln=10,r=8,p=1$c2FsdA$${HASH}`, /salt must be 8 to 64 bytes/],
      [`$scrypt$ln=10,r=8,p=1$${SALT}$aGFzaA`, /hash must be 16 to 64 bytes/],
    ];
    for (const [text, problem] of bad) {
      expect(() => parseScryptHash(text), text).toThrow(/^password hash: /);
      expect(() => parseScryptHash(text), text).toThrow(problem);
      try {
        parseScryptHash(text);
      } catch (err) {
        expect((err as Error).message).not.toContain(SALT);
      }
    }
    await expect(hashPassword('x', { ln: 25 })).rejects.toThrow(/ln must be/);
  });

  it('asks for a re-hash of plain passwords and hashes weaker than the defaults', async () => {
    expect(needsRehash(parsePasswordField('hunter2'))).toBe(true);
    expect(needsRehash(parsePasswordField(await hashPassword('x', fast)))).toBe(true);
    expect(needsRehash(parsePasswordField('-'))).toBe(false);
    expect(needsRehash(parsePasswordField('+'))).toBe(false);
  });
});

describe('PASSWORD fields (pam_oath: -, +, plain)', () => {
  it('parses -, +, plain and refuses an empty field', () => {
    expect(parsePasswordField('-')).toEqual({ kind: 'none' });
    expect(parsePasswordField('+')).toEqual({ kind: 'any' });
    expect(parsePasswordField('s3cret')).toEqual({ kind: 'plain', value: 's3cret' });
    expect(parsePasswordField('scrypt$1024$8$1$x$y')).toMatchObject({ kind: 'plain' });
    expect(isPasswordHash('hunter2')).toBe(false);
    expect(() => parsePasswordField('')).toThrow(/^password: is empty/);
  });

  it('checks plain, none and any', async () => {
    const plain = parsePasswordField('hunter2');
    expect(await checkPassword(plain, 'hunter2')).toBe(true);
    expect(await checkPassword(plain, 'hunter')).toBe(false);
    expect(await checkPassword(plain, 'hunter22')).toBe(false);
    expect(await checkPassword(plain, 'Hunter2')).toBe(false);
    expect(await checkPassword({ kind: 'none' }, '')).toBe(true);
    expect(await checkPassword({ kind: 'none' }, 'x')).toBe(false);
    expect(await checkPassword({ kind: 'any' }, 'anything')).toBe(true);
    expect(await checkPassword({ kind: 'any' }, '')).toBe(true);
  });

  it('compares a plain field as the file’s bytes against the UTF-8 typed password', async () => {
    const fileBytes = Buffer.from('pässwörd', 'utf8').toString('latin1');
    expect(await checkPassword(parsePasswordField(fileBytes), 'pässwörd')).toBe(true);
    expect(await checkPassword(parsePasswordField(fileBytes), 'passwort')).toBe(false);
  });

  it('reads the fields of a users file', async () => {
    const hash = await hashPassword('correct horse', fast);
    const f = parse(`OTPD/STATIC carol ${hash}\nHOTP bob s3cret 00\nHOTP dan - 00\nHOTP eve + 00\n`);
    const [st, plain, none, any] = f.entries;
    if (st?.kind !== 'static') throw new Error('setup');
    expect(await checkPassword(st.password, 'correct horse')).toBe(true);
    expect(await checkPassword(st.password, 'correct horsE')).toBe(false);
    if (plain?.kind !== 'oath' || none?.kind !== 'oath' || any?.kind !== 'oath') throw new Error('setup');
    expect(await checkPassword(plain.password, 's3cret')).toBe(true);
    expect(await checkPassword(plain.password, 's3cre')).toBe(false);
    expect(await checkPassword(none.password, '')).toBe(true);
    expect(await checkPassword(none.password, 'x')).toBe(false);
    expect(await checkPassword(any.password, 'anything')).toBe(true);
  });
});

describe('verifyPassword (the verifier’s verdict adapter)', () => {
  it('accepts a hash and reports how it was checked', async () => {
    const stored = await hashPassword('correct horse', fast);
    expect(await verifyPassword(stored, 'correct horse')).toMatchObject({ ok: true, reason: 'ok', kind: 'scrypt', upgrade: true });
    const bad = await verifyPassword(stored, 'correct horsf');
    expect(bad).toMatchObject({ ok: false, reason: 'bad-password' });
    expect(JSON.stringify(bad)).not.toContain('horse');
  });

  it('does not ask to upgrade a default hash', async () => {
    const stored = await hashPassword('pässwörd ünïcode');
    expect(await verifyPassword(stored, 'pässwörd ünïcode')).toMatchObject({ ok: true, kind: 'scrypt', upgrade: false });
  });

  it('accepts plain pam_oath passwords, "-" and "+"', async () => {
    expect(await verifyPassword('hunter2', 'hunter2')).toMatchObject({ ok: true, kind: 'plain', upgrade: true });
    expect(await verifyPassword('hunter2', 'hunter')).toMatchObject({ ok: false, reason: 'bad-password' });
    expect(await verifyPassword('hunter2', 'hunter22')).toMatchObject({ ok: false, reason: 'bad-password' });
    expect(await verifyPassword('-', '')).toMatchObject({ ok: true, kind: 'none', upgrade: false });
    expect(await verifyPassword('-', 'x')).toMatchObject({ ok: false, reason: 'bad-password' });
    expect(await verifyPassword('+', 'anything')).toMatchObject({ ok: true, kind: 'external', upgrade: false });
  });

  it('throws for an empty, corrupt or abusive stored field (a store problem, not the user’s)', async () => {
    await expect(verifyPassword('', 'x')).rejects.toThrow(/^password: /);
    await expect(verifyPassword(`$scrypt$ln=10,r=8,p=1$${SALT}`, 'x')).rejects.toThrow(/^password hash: /);
    await expect(verifyPassword(`$scrypt$ln=20,r=32,p=16$${SALT}$${HASH}`, 'x')).rejects.toThrow(/memory/);
    await expect(verifyPassword(`$scrypt$ln=10,r=8,p=1$!!!$${HASH}`, 'x')).rejects.toThrow(/base64/);
  });
});
