import { describe, expect, it } from 'vitest';
import {
  applyUpdates,
  errorsOf,
  formatOathTimestamp,
  joinLines,
  parseOathTimestamp,
  parseOathType,
  parseUsersFile,
  tokensOf,
  formatMetaLine,
  type OathEntry,
  type SkeyEntry,
} from '../../../src/store/index.js';

const KEY = '3132333435363738393031323334353637383930';
const parse = (text: string | Buffer) => parseUsersFile(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, '/etc/users.oath');

describe('OATH types', () => {
  it('knows exactly liboath’s list', () => {
    expect(parseOathType('HOTP')).toMatchObject({ digits: 6, stepSeconds: 0 });
    expect(parseOathType('HOTP/E/8')).toMatchObject({ digits: 8, stepSeconds: 0 });
    expect(parseOathType('HOTP/T30')).toMatchObject({ digits: 6, stepSeconds: 30 });
    expect(parseOathType('HOTP/T60/7')).toMatchObject({ digits: 7, stepSeconds: 60 });
    for (const bad of ['hotp', 'HOTP/T30/9', 'HOTP/T90', 'HOTP/E/5', 'TOTP', '#HOTP', 'HOTP/']) expect(parseOathType(bad)).toBeUndefined();
  });
});

describe('parsing', () => {
  const text =
    '# users\n\n' +
    `HOTP alice - ${KEY}\n` +
    `HOTP/T30/8\tbob\tsecret\t${KEY}\t12\t12345678\t2026-11-22T05:30:27L\n` +
    '  HOTP/E carol + 00ff   \r\n' +
    'unknown line with words\n' +
    `HOTP alice pin ${KEY.toUpperCase()} 7 755224 2026-01-02T03:04:05L extra fields\n` +
    `HOTP/T60 dave - ${KEY}`;
  const file = parse(text);

  it('keeps every byte', () => {
    expect(joinLines(file.lines).toString('latin1')).toBe(text);
    expect(file.errors).toEqual([]);
  });
  it('reads fields as pam_oath does', () => {
    const [a1, b, c, a2, d] = file.entries as OathEntry[];
    expect(a1).toMatchObject({ kind: 'oath', user: 'alice', line: 3, counter: 0, lastOtp: undefined, password: { kind: 'none' } });
    expect(Buffer.from(a1?.key ?? []).toString()).toBe('12345678901234567890');
    expect(b).toMatchObject({ user: 'bob', counter: 12, lastOtp: '12345678', password: { kind: 'plain', value: 'secret' } });
    expect(b?.type).toMatchObject({ digits: 8, stepSeconds: 30 });
    expect(b?.lastTime?.getTime()).toBe(new Date(2026, 10, 22, 5, 30, 27).getTime());
    expect(c).toMatchObject({ user: 'carol', password: { kind: 'any' }, line: 5 });
    expect(a2).toMatchObject({ user: 'alice', counter: 7, lastOtp: '755224', line: 7 });
    expect(d).toMatchObject({ user: 'dave', line: 8 });
    expect(tokensOf(file, 'alice').map((e) => e.line)).toEqual([3, 7]);
  });
  it('rewrites one line exactly as pam_oath and keeps the rest', () => {
    const bob = file.entries[1] as OathEntry;
    const time = new Date(2026, 10, 22, 6, 0, 1);
    const { content, outcomes } = applyUpdates(file, [{ entry: bob, state: { kind: 'oath', counter: 13, lastOtp: '87654321', time } }]);
    expect(outcomes[0]?.status).toBe('updated');
    const lines = text.split('\n');
    lines[3] = `HOTP/T30/8\tbob\tsecret\t${KEY}\t13\t87654321\t2026-11-22T06:00:01L`;
    expect(content?.toString('latin1')).toBe(lines.join('\n'));
  });
  it('drops fields after the seventh and normalises CRLF and a missing newline, as pam_oath', () => {
    const carol = file.entries[2] as OathEntry;
    const alice2 = file.entries[3] as OathEntry;
    const dave = file.entries[4] as OathEntry;
    const time = new Date(2026, 0, 1, 0, 0, 0);
    const { content } = applyUpdates(file, [
      { entry: carol, state: { kind: 'oath', counter: 1, lastOtp: '123456', time } },
      { entry: alice2, state: { kind: 'oath', counter: 9, lastOtp: '123457', time } },
      { entry: dave, state: { kind: 'oath', counter: 0, lastOtp: '123458', time } },
    ]);
    const out = content?.toString('latin1').split('\n') ?? [];
    expect(out[4]).toBe('HOTP/E\tcarol\t+\t00ff\t1\t123456\t2026-01-01T00:00:00L');
    expect(out[6]).toBe(`HOTP\talice\tpin\t${KEY.toUpperCase()}\t9\t123457\t2026-01-01T00:00:00L`);
    expect(out[7]).toBe(`HOTP/T60\tdave\t-\t${KEY}\t0\t123458\t2026-01-01T00:00:00L`);
    expect(out[8]).toBe('');
  });
  it('keeps non-UTF-8 bytes exactly', () => {
    const raw = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from(`\nHOTP j\xfcrgen p\xe4ss ${KEY}\n`, 'latin1')]);
    const f = parse(raw);
    expect(joinLines(f.lines).equals(raw)).toBe(true);
    const e = f.entries[0] as OathEntry;
    const { content } = applyUpdates(f, [{ entry: e, state: { kind: 'oath', counter: 1, lastOtp: '1', time: new Date(0) } }]);
    expect(content?.subarray(0, 7).equals(raw.subarray(0, 7))).toBe(true);
    expect(content?.includes(Buffer.from('j\xfcrgen\tp\xe4ss', 'latin1'))).toBe(true);
  });
});

describe('malformed lines', () => {
  const file = parse(
    `HOTP alice - 12zz\nHOTP bob - ${KEY}\nHOTP alice - ${'00'.repeat(33)}\nHOTP carol - ${KEY} x1\n` +
      `HOTP dave - ${KEY} 1 2 yesterday\nHOTP erin\nHOTP\nHOTP alice - ${KEY} 3\n`,
  );
  it('names file and line, attaches the user, never quotes the key', () => {
    expect(file.errors.map((e) => e.message)).toEqual([
      '/etc/users.oath:1: HOTP key: character 3 of 4 is not a hex digit',
      '/etc/users.oath:3: HOTP key is 33 bytes; pam_oath reads at most 32',
      '/etc/users.oath:4: HOTP counter is not a decimal number up to 9007199254740991',
      '/etc/users.oath:5: HOTP timestamp is not of the form YYYY-MM-DDTHH:MM:SSL',
      '/etc/users.oath:6: HOTP line has no password field (use - for none)',
      '/etc/users.oath:7: HOTP line names no user',
    ]);
    expect(errorsOf(file, 'alice').map((e) => e.line)).toEqual([1, 3]);
    for (const e of file.errors) expect(e.message).not.toContain('12zz');
  });
  it('other users and other lines keep working', () => {
    expect(file.entries.map((e) => `${e.user}:${e.line}`)).toEqual(['bob:2', 'alice:8']);
  });
});

describe('extension lines and metadata', () => {
  const text =
    `#OTPD/META alice name=phone groups=sshd,openvpn\nHOTP/T30 alice - ${KEY} 0\n` +
    '#OTPD/META alice name=paper enabled=no\nOTPD/SKEY alice - md5 99 ke1234 0123456789abcdef\n' +
    'OTPD/MOTP bob 1111 0123456789abcdef 1234 +2\n' +
    'OTPD/MOTP bob - 0123456789ABCDEF 9876 -5 17 2026-01-01T00:00:00L\n' +
    'OTPD/STATIC carol $scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA\n' +
    '#OTPD/META dave name=x\n\nHOTP dave - 00\n' +
    '#OTPD/META erin colour=red\nHOTP erin - 00\n' +
    'OTPD/SKEY frank - md5 99 bad-seed 0123456789abcdef\nOTPD/FOO frank\n';
  const file = parse(text);
  it('reads our types and metadata', () => {
    const [hotp, skey, motp1, motp2, st] = file.entries;
    expect(hotp?.meta).toMatchObject({ name: 'phone', enabled: true, groups: ['sshd', 'openvpn'], line: 1 });
    expect(skey).toMatchObject({ kind: 'skey', algorithm: 'md5', sequence: 99, seed: 'ke1234', meta: { name: 'paper', enabled: false } });
    expect(motp1).toMatchObject({
      kind: 'motp',
      user: 'bob',
      secret: '0123456789abcdef',
      pin: '1234',
      offsetHours: 2,
      lastSlot: undefined,
      password: { kind: 'plain' },
    });
    expect(motp2).toMatchObject({ kind: 'motp', offsetHours: -5, lastSlot: 17, meta: { name: undefined, enabled: true, groups: [] } });
    expect(st).toMatchObject({ kind: 'static', user: 'carol', password: { kind: 'scrypt', hash: { ln: 10, r: 8, p: 1 } } });
    expect(joinLines(file.lines).toString('latin1')).toBe(text);
  });
  it('fails closed on bad metadata and reports misplaced metadata', () => {
    expect(file.errors.map((e) => `${e.line} ${e.user} ${e.problem}`)).toEqual([
      '8 dave metadata line is not directly followed by a token line of the same user',
      '11 erin unknown metadata key "colour" (use name, enabled, groups, skew, laststep, reinit)',
      '12 erin token is unusable: its metadata line 11 is malformed',
      '13 frank S/KEY seed: must contain only the letters A-Z, a-z and the digits 0-9 (no blanks or punctuation)',
      '14 frank unknown otpd token type (known: OTPD/SKEY, OTPD/MOTP, OTPD/STATIC, OTPD/BACKUP)',
    ]);
    expect(tokensOf(file, 'dave')).toHaveLength(1); // dave's token itself is fine
    expect(tokensOf(file, 'erin')).toHaveLength(0);
  });
  it('updates S/KEY and mOTP lines, refusing backward moves', () => {
    const skey = file.entries[1];
    const motp = file.entries[3];
    if (skey?.kind !== 'skey' || motp?.kind !== 'motp') throw new Error('setup');
    const time = new Date(2026, 0, 2, 3, 4, 5);
    const last = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const { content, outcomes } = applyUpdates(file, [
      { entry: skey, state: { kind: 'skey', sequence: 98, last, time } },
      { entry: motp, state: { kind: 'motp', lastSlot: 18, time } },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['updated', 'updated']);
    const out = content?.toString('latin1').split('\n') ?? [];
    expect(out[3]).toBe('OTPD/SKEY\talice\t-\tmd5\t98\tke1234\t0102030405060708\t2026-01-02T03:04:05L');
    expect(out[5]).toBe('OTPD/MOTP\tbob\t-\t0123456789ABCDEF\t9876\t-5\t18\t2026-01-02T03:04:05L');
    expect(out[2]).toBe('#OTPD/META alice name=paper enabled=no');
    expect(() => applyUpdates(file, [{ entry: skey, state: { kind: 'skey', sequence: 99, last, time } }])).toThrow(RangeError);
    expect(() => applyUpdates(file, [{ entry: motp, state: { kind: 'motp', lastSlot: 17, time } }])).toThrow(RangeError);
  });
});

describe('conflicts', () => {
  it('refuses to overwrite a line that changed, and returns the current entry', () => {
    const old = parse(`# x\nHOTP alice - ${KEY} 5\n`);
    const changed = parse(`# x\nHOTP\talice\t-\t${KEY}\t7\t111111\t2026-01-01T00:00:00L\n`);
    const entry = old.entries[0] as OathEntry;
    const r = applyUpdates(changed, [{ entry, state: { kind: 'oath', counter: 6, lastOtp: '222222', time: new Date() } }]);
    expect(r.content).toBeUndefined();
    expect(r.outcomes[0]).toMatchObject({ status: 'conflict', current: { counter: 7, lastOtp: '111111' } });
  });
  it('finds a line that moved (an editor added lines above it)', () => {
    const old = parse(`HOTP alice - ${KEY} 5\n`);
    const moved = parse(`# new comment\nHOTP bob - ${KEY}\nHOTP alice - ${KEY} 5\n`);
    const r = applyUpdates(moved, [{ entry: old.entries[0] as OathEntry, state: { kind: 'oath', counter: 6, lastOtp: '1', time: new Date(0) } }]);
    expect(r.outcomes[0]?.status).toBe('updated');
    expect(r.content?.toString().split('\n')[2]).toMatch(/^HOTP\talice\t-\t\S+\t6\t1\t/);
  });
  it('refuses a counter that goes back', () => {
    const f = parse(`HOTP alice - ${KEY} 5\n`);
    expect(() => applyUpdates(f, [{ entry: f.entries[0] as OathEntry, state: { kind: 'oath', counter: 4, lastOtp: '1', time: new Date() } }])).toThrow(
      /forward/,
    );
  });
});

describe('TOTP last step on the metadata line', () => {
  const META = '#OTPD/META\talice\tname=phone\tenabled=yes\n';
  const time = new Date(0);
  it('writes laststep= with the token line, and keeps its length from then on', () => {
    const f = parse(`${META}HOTP/T30\talice\t-\t${KEY}\n`);
    const entry = f.entries[0] as OathEntry;
    expect(entry.meta.lastStep).toBeUndefined();
    const first = applyUpdates(f, [{ entry, state: { kind: 'oath', counter: 0, lastOtp: '123456', time, lastStep: 58_000_000 } }]);
    expect(first.outcomes[0]?.status).toBe('updated');
    expect(first.content?.toString().split('\n')[0]).toBe('#OTPD/META\talice\tname=phone\tenabled=yes\tlaststep=58000000');
    const again = parse(first.content ?? '');
    const next = again.entries[0] as OathEntry;
    expect(next.meta.lastStep).toBe(58_000_000);
    const second = applyUpdates(again, [{ entry: next, state: { kind: 'oath', counter: 0, lastOtp: '654321', time, lastStep: 58_000_001 } }]);
    expect(second.content?.length).toBe(first.content?.length);
    expect((parse(second.content ?? '').entries[0] as OathEntry).meta.lastStep).toBe(58_000_001);
    expect(() => applyUpdates(again, [{ entry: next, state: { kind: 'oath', counter: 0, lastOtp: '111111', time, lastStep: 58_000_000 } }])).toThrow(/forward/);
  });
  it('a metadata line changed meanwhile is a conflict, as a changed token line is', () => {
    const f = parse(`${META}HOTP/T30\talice\t-\t${KEY}\n`);
    const disabled = parse(`#OTPD/META\talice\tname=phone\tenabled=no\nHOTP/T30\talice\t-\t${KEY}\n`);
    const r = applyUpdates(disabled, [{ entry: f.entries[0] as OathEntry, state: { kind: 'oath', counter: 0, lastOtp: '123456', time, lastStep: 5 } }]);
    expect(r.content).toBeUndefined();
    expect(r.outcomes[0]).toMatchObject({ status: 'conflict', current: { meta: { enabled: false } } });
  });
  it('a token without a metadata line (pam_oath-style) gets no laststep: only its line changes', () => {
    const f = parse(`HOTP/T30\talice\t-\t${KEY}\n`);
    const r = applyUpdates(f, [{ entry: f.entries[0] as OathEntry, state: { kind: 'oath', counter: 0, lastOtp: '123456', time, lastStep: 5 } }]);
    expect(r.content?.toString()).toMatch(/^HOTP\/T30\talice\t-\t\S+\t0\t123456\t\S+\n$/);
  });
  it('refuses a malformed laststep', () => {
    const f = parse(`#OTPD/META\talice\tlaststep=-1\nHOTP/T30\talice\t-\t${KEY}\n`);
    expect(errorsOf(f, 'alice').map((e) => e.problem)).toContain('metadata laststep must be a whole number of time steps (at most 15 digits)');
  });
});

describe('S/KEY remote re-initialisation opt-in on the metadata line (reinit=)', () => {
  const SKEY = 'OTPD/SKEY\talice\t-\tmd5\t99\tke1234\t0123456789abcdef\n';
  it('is off without the key (and without a metadata line), on with reinit=yes, off with reinit=no', () => {
    expect((parse(SKEY).entries[0] as SkeyEntry).meta.allowReinit).toBe(false);
    expect((parse(`#OTPD/META\talice\tname=paper\n${SKEY}`).entries[0] as SkeyEntry).meta.allowReinit).toBe(false);
    expect((parse(`#OTPD/META\talice\tname=paper\treinit=yes\n${SKEY}`).entries[0] as SkeyEntry).meta.allowReinit).toBe(true);
    expect((parse(`#OTPD/META\talice\tname=paper\treinit=no\n${SKEY}`).entries[0] as SkeyEntry).meta.allowReinit).toBe(false);
  });
  it('refuses a bad or repeated value, naming the key; the token is then unusable (fails closed)', () => {
    for (const bad of ['reinit=1', 'reinit=YES', 'reinit', 'reinit=yes\treinit=no']) {
      const f = parse(`#OTPD/META\talice\t${bad}\n${SKEY}`);
      expect(errorsOf(f, 'alice').map((e) => e.problem)[0], bad).toMatch(/^metadata (reinit must be yes or no|key "reinit" is given twice)$/);
      expect(tokensOf(f, 'alice'), bad).toHaveLength(0);
    }
  });
  it('is written only when on, after the other keys, and survives a laststep rewrite', () => {
    expect(formatMetaLine('alice', { name: 'paper', enabled: true, groups: [] })).toBe('#OTPD/META\talice\tname=paper\tenabled=yes\n');
    expect(formatMetaLine('alice', { name: 'paper', enabled: true, groups: [], allowReinit: false })).toBe('#OTPD/META\talice\tname=paper\tenabled=yes\n');
    expect(formatMetaLine('alice', { name: 'paper', enabled: true, groups: ['mail'], allowReinit: true })).toBe(
      '#OTPD/META\talice\tname=paper\tenabled=yes\tgroups=mail\treinit=yes\n',
    );
    const f = parse(`#OTPD/META\talice\tname=phone\tenabled=yes\treinit=yes\nHOTP/T30\talice\t-\t${KEY}\n`);
    const r = applyUpdates(f, [{ entry: f.entries[0] as OathEntry, state: { kind: 'oath', counter: 0, lastOtp: '123456', time: new Date(0), lastStep: 5 } }]);
    expect(r.content?.toString().split('\n')[0]).toBe('#OTPD/META\talice\tname=phone\tenabled=yes\treinit=yes\tlaststep=5');
  });
});

describe('timestamps', () => {
  it('formats and parses %Y-%m-%dT%H:%M:%SL in local time', () => {
    const d = new Date(2026, 1, 3, 4, 5, 6);
    expect(formatOathTimestamp(d)).toBe('2026-02-03T04:05:06L');
    expect(parseOathTimestamp('2026-02-03T04:05:06L')?.getTime()).toBe(d.getTime());
    for (const bad of ['2026-02-30T00:00:00L', '2026-02-03T04:05:06', '2026-2-03T04:05:06L', '2026-13-01T00:00:00L']) {
      expect(parseOathTimestamp(bad)).toBeUndefined();
    }
  });
});
