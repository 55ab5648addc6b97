/**
 * Cross-checks the S/KEY code against Heimdal's `otpprint` (Debian package heimdal-clients), an
 * independent RFC 2289 generator. The pass phrase goes in on stdin; `setsid -w` detaches the terminal so
 * otpprint reads stdin instead of /dev/tty. A missing otpprint fails the suite: it must not skip.
 *
 * otpprint prints `N: <six words>` (or 16 lower-case hex digits with -h, `hex:`/`word:` with -e) for
 * sequence numbers seq-count+1 .. seq, never 0. Its `-f sha` is SHA-1 with the RFC 2289 Appendix A
 * byte order.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SkeyAlgorithm } from '../../src/tokens/algorithms.js';
import { skeyChain, skeyList } from '../../src/tokens/skey/chain.js';
import { formatSkeyHex } from '../../src/tokens/skey/hex.js';
import { formatSkeyResponse } from '../../src/tokens/skey/response.js';
import { skeySecret } from '../../src/tokens/skey/secret.js';
import { toSixWords } from '../../src/tokens/skey/words.js';
import { seededRandom } from '../support/random.js';

const HEIMDAL_NAMES: Record<SkeyAlgorithm, string> = { md4: 'md4', md5: 'md5', sha1: 'sha' };

interface Case {
  algorithm: SkeyAlgorithm;
  seed: string;
  passphrase: string;
  sequence: number;
  count: number;
}

/** Runs otpprint and returns its `N: value` lines as a map from N to value. */
function otpprint(c: Case, flags: readonly string[] = []): Map<number, string> {
  const args = ['-w', 'otpprint', ...flags, '-f', HEIMDAL_NAMES[c.algorithm], '-n', String(c.count), String(c.sequence), c.seed];
  const result = spawnSync('setsid', args, { input: `${c.passphrase}\n`, encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw new Error(`cannot run otpprint through setsid: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`otpprint exited with ${result.status}: ${result.stderr}`);
  const lines = new Map<number, string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^(\d+): (.+)$/.exec(line.trim());
    if (match) lines.set(Number(match[1]), (match[2] as string).trim());
  }
  return lines;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const testSeed = Number(process.env.OTPD_TEST_SEED ?? Date.now() % 0x7fffffff);
const random = seededRandom(testSeed).below;

function randomString(alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[random(alphabet.length)];
  return text;
}

/** Printable ASCII, blanks included anywhere (otpprint keeps leading and trailing blanks). */
function randomPassphrase(): string {
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
  return randomString(printable, 10 + random(54));
}

function randomCase(algorithm: SkeyAlgorithm): Case {
  const count = 1 + random(5);
  return {
    algorithm,
    seed: randomString(ALNUM, 1 + random(16)),
    passphrase: randomPassphrase(),
    sequence: count + random(random(2) === 0 ? 100 : 10_000 - count),
    count,
  };
}

/** Checks every line otpprint printed for `c` against skeyList. */
function compare(c: Case, flags: readonly string[], encode: (value: Uint8Array) => string): void {
  const label = `OTPD_TEST_SEED=${testSeed} ${JSON.stringify(c)} ${flags.join(' ')}`;
  const printed = otpprint(c, flags);
  const first = c.sequence - c.count + 1;
  const ours = skeyList(c.algorithm, skeySecret(c.seed, c.passphrase), first, c.count);
  expect([...printed.keys()], label).toEqual(ours.map((_, i) => first + i));
  ours.forEach((value, i) => expect(printed.get(first + i), label).toBe(encode(value)));
}

describe('S/KEY against Heimdal otpprint', () => {
  beforeAll(() => {
    const probe = spawnSync('otpprint', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      throw new Error(`otpprint is required (apt-get install heimdal-clients): ${probe.error.message}`);
    }
  });

  it('prints the RFC 2289 md5 vector for TeSt at 97..99', () => {
    const c: Case = { algorithm: 'md5', seed: 'TeSt', passphrase: 'This is a test.', sequence: 99, count: 3 };
    expect(otpprint(c).get(99)).toBe('BAIL TUFT BITS GANG CHEF THY');
    compare(c, [], toSixWords);
  });

  it('agrees with Heimdal sha on the RFC 2289 Appendix A byte order', () => {
    const c: Case = { algorithm: 'sha1', seed: 'TeSt', passphrase: 'This is a test.', sequence: 99, count: 1 };
    expect(otpprint(c, ['-h']).get(99)).toBe('87fec7768b73ccf9'); // RFC 2289 Appendix C: 87FE C776 8B73 CCF9
    expect(formatSkeyHex(skeyChain('sha1', skeySecret('TeSt', 'This is a test.'), 99), 'compact')).toBe('87fec7768b73ccf9');
  });

  for (const algorithm of ['md4', 'md5', 'sha1'] as const) {
    it(`matches six words and hex for random ${algorithm} seeds, pass phrases and sequences`, () => {
      for (let i = 0; i < 15; i++) {
        const c = randomCase(algorithm);
        compare(c, [], toSixWords);
        compare(c, ['-h'], (value) => formatSkeyHex(value, 'compact'));
      }
    });

    it(`matches otpprint -e (RFC 2243 word: and hex:) for ${algorithm}`, () => {
      const c = randomCase(algorithm);
      compare(c, ['-e'], (value) => formatSkeyResponse({ kind: 'typed', encoding: 'words', value }));
      compare(c, ['-e', '-h'], (value) => formatSkeyResponse({ kind: 'typed', encoding: 'hex', value }));
    });
  }

  it('matches at the edges: 10 and 63 characters, 1- and 16-character seeds, sequence 9999', () => {
    const edges: Case[] = [
      { algorithm: 'md4', seed: 'a', passphrase: '0123456789', sequence: 1, count: 1 },
      { algorithm: 'md5', seed: 'ABCDEFGHIJKLMNOP', passphrase: 'x'.repeat(63), sequence: 9999, count: 2 },
      { algorithm: 'sha1', seed: 'Z9', passphrase: '  blanks at both ends : and colons  ', sequence: 500, count: 5 },
    ];
    for (const c of edges) compare(c, [], toSixWords);
  });
});
