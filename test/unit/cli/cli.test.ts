/**
 * runCli in-process with fake dependencies: exit codes, --json documents, the clock and pass-phrase
 * source going through CliDeps, and that bad input never reaches the pass-phrase prompt.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import type { CliDeps } from '../../../src/cli/deps.js';
import { typescriptBackend } from '../../../src/otp-backend/typescript-backend.js';

const KEY = '3132333435363738393031323334353637383930';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Fake {
  deps: CliDeps;
  stdout: Collect;
  stderr: Collect;
  prompts: string[];
}

function fake(options: { nowMs?: number; passphrase?: string } = {}): Fake {
  const stdout = new Collect();
  const stderr = new Collect();
  const prompts: string[] = [];
  const deps: CliDeps = {
    stdout,
    stderr,
    env: {},
    now: () => options.nowMs ?? 59_000,
    readSecret: (prompt) => {
      prompts.push(prompt);
      return Promise.resolve(options.passphrase ?? 'This is a test.');
    },
    backend: () => typescriptBackend,
  };
  return { deps, stdout, stderr, prompts };
}

async function cli(args: string[], options?: { nowMs?: number; passphrase?: string }): Promise<Fake & { code: number }> {
  const f = fake(options);
  process.exitCode = 0;
  await runCli(f.deps, args);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { ...f, code };
}

let savedExitCode: typeof process.exitCode;
beforeEach(() => {
  savedExitCode = process.exitCode;
});
afterEach(() => {
  process.exitCode = savedExitCode;
});

describe('runCli exit codes', () => {
  it('0 with codes on stdout for hotp listing', async () => {
    const r = await cli(['gen', 'hotp', KEY, '-w', '1']);
    expect([r.code, r.stdout.text, r.stderr.text]).toEqual([0, '755224\n287082\n', '']);
  });

  it('1 for a code not in the window, 0 with the counter for a hit', async () => {
    const miss = await cli(['gen', 'hotp', KEY, '000000', '-w', '3']);
    expect([miss.code, miss.stdout.text]).toEqual([1, '']);
    expect(miss.stderr.text).toMatch(/^otpctl: [^\n]+\n$/);
    const hit = await cli(['gen', 'hotp', KEY, '969429', '-c', '2', '-w', '3']);
    expect([hit.code, hit.stdout.text]).toEqual([0, '3\n']);
  });

  it('2 for bad input and for usage errors, one line on stderr', async () => {
    for (const args of [['gen', 'hotp', 'abc'], ['gen', 'hotp', KEY, '-d', '9'], ['nope'], ['gen', 'hotp', KEY, '--nope']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout.text).toBe('');
      expect(r.stderr.text).toMatch(/^otpctl: [^\n]+\n$/);
    }
  });

  it('usage errors do not echo the positionals after the first unknown word (a key)', async () => {
    const r = await cli(['gen', 'sotp', KEY, '123456']);
    expect(r.code).toBe(2);
    expect(r.stderr.text).not.toContain(KEY);
    expect(r.stderr.text).toContain('sotp');
  });
});

describe('dependencies', () => {
  it('totp and motp use deps.now() when --now is absent', async () => {
    expect((await cli(['gen', 'totp', KEY, '-d', '8'], { nowMs: 59_999 })).stdout.text).toBe('94287082\n');
    expect((await cli(['gen', 'motp', '1234567890abcdef', '1234'], { nowMs: 1_700_000_000_000 })).stdout.text).toBe('660af9\n');
  });

  it('skey asks deps.readSecret once, with a prompt, and never when the arguments are already wrong', async () => {
    const ok = await cli(['gen', 'skey', '99', 'TeSt']);
    expect([ok.code, ok.stdout.text, ok.prompts]).toEqual([0, 'BAIL TUFT BITS GANG CHEF THY\n', ['Pass phrase: ']]);
    const badSeed = await cli(['gen', 'skey', '99', 'Te St']);
    expect([badSeed.code, badSeed.prompts]).toEqual([2, []]);
    const badCount = await cli(['gen', 'skey', '3', 'TeSt', '-n', '9']);
    expect([badCount.code, badCount.prompts]).toEqual([2, []]);
  });

  it('a short pass phrase is refused without being repeated', async () => {
    const r = await cli(['gen', 'skey', '99', 'TeSt'], { passphrase: 'hunter2x9' });
    expect(r.code).toBe(2);
    expect(r.stderr.text).toMatch(/^otpctl: pass phrase: [^\n]+\n$/);
    expect(r.stderr.text).not.toContain('hunter2x9');
  });
});

describe('--json', () => {
  const doc = async (args: string[]): Promise<{ code: number; value: unknown }> => {
    const r = await cli([...args, '--json']);
    expect(r.stdout.text.endsWith('\n')).toBe(true);
    expect(r.stdout.text.trimEnd()).not.toContain('\n');
    return { code: r.code, value: JSON.parse(r.stdout.text) as unknown };
  };

  it('every command prints one document', async () => {
    expect(await doc(['gen', 'hotp', KEY])).toEqual({ code: 0, value: { algorithm: 'sha1', digits: 6, codes: [{ counter: 0, code: '755224' }] } });
    expect(await doc(['gen', 'hotp', KEY, '287082', '-w', '4'])).toEqual({ code: 0, value: { match: true, counter: 1, offset: 1 } });
    expect(await doc(['gen', 'hotp', KEY, '000000', '-w', '4'])).toEqual({ code: 1, value: { match: false, first: 0, last: 4 } });
    expect((await doc(['gen', 'totp', KEY, '-d', '8'])).value).toEqual({ algorithm: 'sha1', digits: 8, codes: [{ counter: 1, code: '94287082' }] });
    expect((await doc(['gen', 'totp', KEY, '755224', '-w', '1'])).value).toEqual({ match: true, counter: 0, offset: -1 });
    expect((await doc(['gen', 'skey', '99', 'TeSt'])).value).toMatchObject({ response: 'BAIL TUFT BITS GANG CHEF THY', sequence: 99 });
    expect((await doc(['gen', 'skey', '99', 'TeSt', '-n', '2', '--hex'])).value).toMatchObject({ responses: [{ sequence: 98 }, { sequence: 99 }] });
    expect((await doc(['gen', 'motp', '1234567890abcdef', '1234', '--now', '1700000000'])).value).toEqual({ code: '660af9', slot: 170000000 });
    expect((await doc(['key', 'convert', KEY])).value).toEqual({ hex: KEY, base32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' });
    expect(await doc(['gen', 'hotp', 'abc'])).toEqual({
      code: 2,
      value: { error: { code: 'INVALID_INPUT', field: 'key', message: expect.stringMatching(/^key: /) as unknown } },
    });
  });
});
