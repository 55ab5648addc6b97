/**
 * The OTPD/BACKUP line and the metadata skew key: parsed with bounds, rewritten with only the spent
 * code marked, errors naming the line and never quoting a hash; and the backup verifier's one-scrypt
 * check.
 */
import { describe, expect, it } from 'vitest';
import { formatBackupLine, formatMetaLine, parseUsersFile, renderUpdate } from '../../../src/store/index.js';
import { generateBackupCodes, hashBackupCodes, normaliseBackupCode } from '../../../src/tokens/backup-codes.js';
import { verifyBackupCode } from '../../../src/policy/verify/backup.js';

const FAST = { ln: 10, r: 8, p: 1 };
const parse = (text: string): ReturnType<typeof parseUsersFile> => parseUsersFile(Buffer.from(text, 'latin1'), '/etc/users.oath');

async function backupSet(count: number): Promise<{ codes: string[]; line: string }> {
  const codes = generateBackupCodes(count);
  const { salt, hashes } = await hashBackupCodes(codes, FAST);
  return { codes, line: formatBackupLine('alice', FAST, salt, hashes) };
}

describe('OTPD/BACKUP lines', () => {
  it('round-trips: parse, verify once, rewrite marking only the spent code', async () => {
    const { codes, line } = await backupSet(4);
    const [entry] = parse(line).entries;
    if (entry?.kind !== 'backup') throw new Error('not parsed');
    expect(entry.slots.map((s) => s.used)).toEqual([false, false, false, false]);
    const verdict = await verifyBackupCode({ ...entry.scrypt, slots: entry.slots }, codes[2] ?? '');
    expect(verdict).toMatchObject({ ok: true, state: { used: 2 }, detail: { index: 2, left: 3 } });
    const rewritten = renderUpdate(entry, { kind: 'backup', used: 2, time: new Date(0) });
    const fields = line.trimEnd().split('\t');
    const hashes = (fields[4] ?? '').split(',');
    expect(rewritten.split('\t').slice(0, 4)).toEqual(fields.slice(0, 4));
    expect(rewritten.split('\t')[4]).toBe([hashes[0], hashes[1], `!${hashes[2] ?? ''}`, hashes[3]].join(','));
    const [spent] = parse(rewritten).entries;
    if (spent?.kind !== 'backup') throw new Error('not parsed');
    expect(spent.slots.map((s) => s.used)).toEqual([false, false, true, false]);
    expect(await verifyBackupCode({ ...spent.scrypt, slots: spent.slots }, codes[2] ?? '')).toMatchObject({ ok: false, reason: 'replayed' });
    expect(() => renderUpdate(spent, { kind: 'backup', used: 2, time: new Date(0) })).toThrow(RangeError);
    expect(() => renderUpdate(spent, { kind: 'backup', used: 9, time: new Date(0) })).toThrow(RangeError);
  });

  it('reads typed codes leniently but never spends scrypt on an answer that cannot be one', async () => {
    expect(normaliseBackupCode(' AbCdE-fGh1J ')).toBe('abcdefgh1j');
    expect(normaliseBackupCode('abcde fghoi')).toBe('abcdefgh01');
    expect(normaliseBackupCode('123456')).toBeUndefined();
    expect(normaliseBackupCode('abcde-fghiju')).toBeUndefined();
    const { line } = await backupSet(1);
    const [entry] = parse(line).entries;
    if (entry?.kind !== 'backup') throw new Error('not parsed');
    expect(await verifyBackupCode({ ...entry.scrypt, slots: entry.slots }, '755224')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verifyBackupCode({ ...entry.scrypt, slots: entry.slots }, 'aaaaa-aaaaa')).toMatchObject({ ok: false, reason: 'wrong' });
  });

  it('refuses malformed lines with the line number, without quoting a hash', () => {
    const cases: Array<[string, RegExp]> = [
      ['OTPD/BACKUP\talice\n', /backup line has no scrypt parameters/],
      ['OTPD/BACKUP\talice\tln=40,r=8,p=1\tc2FsdHNhbHRzYWx0c2FsdA\taGFzaGhhc2hoYXNoaGFzaA\n', /backup password hash: ln must be 10 to 20/],
      ['OTPD/BACKUP\talice\tln=10,r=8,p=1\tc2FsdHNhbHRzYWx0c2FsdA\taGFzaA\n', /hash must be 16 to 64 bytes/],
      ['OTPD/BACKUP\talice\tln=10,r=8,p=1\tc2FsdHNhbHRzYWx0c2FsdA\taGFzaGhhc2hoYXNoaGFzaA\tnot-a-time\n', /backup timestamp/],
      [`OTPD/BACKUP\talice\tln=10,r=8,p=1\tc2FsdHNhbHRzYWx0c2FsdA\t${Array(101).fill('aGFzaGhhc2hoYXNoaGFzaA').join(',')}\n`, /more than 100 codes/],
    ];
    for (const [text, problem] of cases) {
      const file = parse(`# c\n${text}`);
      expect(file.entries).toEqual([]);
      expect(file.errors.map((e) => e.message)).toEqual([expect.stringMatching(new RegExp(`^/etc/users.oath:2: .*${problem.source}`))]);
      expect(file.errors[0]?.message).not.toContain('aGFzaGhhc2hoYXNoaGFzaA');
    }
  });
});

describe('#OTPD/META skew', () => {
  it('is read, written only when not 0, and bounded', () => {
    expect(formatMetaLine('alice', { name: 'p', enabled: true, groups: [], skew: -3 })).toBe('#OTPD/META\talice\tname=p\tenabled=yes\tskew=-3\n');
    expect(formatMetaLine('alice', { name: 'p', enabled: true, groups: [] })).toBe('#OTPD/META\talice\tname=p\tenabled=yes\n');
    const [entry] = parse('#OTPD/META\talice\tskew=+7\nHOTP/T30\talice\t-\t00112233445566778899\n').entries;
    expect(entry?.meta.skew).toBe(7);
    const bad = parse('#OTPD/META\talice\tskew=2000000\nHOTP/T30\talice\t-\t00112233445566778899\n');
    expect(bad.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/:1: metadata skew must be a whole number/),
      expect.stringMatching(/:2: token is unusable/),
    ]);
  });
});
