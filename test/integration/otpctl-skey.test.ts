/**
 * `otpctl gen skey` and `otpctl gen motp` as real processes. S/KEY is compared byte for byte with
 * Heimdal's `otpprint` (heimdal-clients; pass phrase on stdin, `setsid -w` so it has no terminal), and
 * with the RFC 2289 vectors in ../shared/data; the terminal path (no echo) is driven through a pty made
 * by util-linux `script`. mOTP is checked against every vector in motp-vectors.json. Missing tools fail.
 *
 * Random cases use a fixed seed; OTPD_TEST_SEED=N explores others and every message names the seed.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../support/random.js';
import { otpctl, otpctlPath, run } from '../support/run.js';
import { motpVectors, skeyVectors } from '../support/shared-data.js';

const SEED = Number(process.env.OTPD_TEST_SEED ?? 20_261_102);

const random = seededRandom(SEED).below;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PRINTABLE = `${ALNUM} .,:;!?-_+*/=()[]{}@#%&~'"`;
const randomString = (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');

type Algorithm = 'md4' | 'md5' | 'sha1';
const HEIMDAL: Record<Algorithm, string> = { md4: 'md4', md5: 'md5', sha1: 'sha' };

function otpprint(algorithm: Algorithm, sequence: number, seed: string, passphrase: string, count: number, hex: boolean): string {
  const args = ['-w', 'otpprint', ...(hex ? ['-h'] : []), '-f', HEIMDAL[algorithm], '-n', String(count), String(sequence), seed];
  const result = run('setsid', args, { input: `${passphrase}\n` });
  if (result.status !== 0) throw new Error(`setsid ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

describe('otpctl gen skey vs Heimdal otpprint', () => {
  it('prints the same N: WORDS lines for md4, md5 and sha1 (random seeds, pass phrases, sequences, counts)', () => {
    for (let i = 0; i < 9; i++) {
      const algorithm = (['md4', 'md5', 'sha1'] as const)[i % 3] as Algorithm;
      const seed = randomString(ALNUM, 1 + random(16));
      const passphrase = randomString(PRINTABLE, 10 + random(54)).replace(/^ +| +$/g, 'x');
      const count = 1 + random(20);
      const sequence = count + random(600);
      const expected = otpprint(algorithm, sequence, seed, passphrase, count, false);
      expect(expected.split('\n')).toHaveLength(count + 1);
      const args = ['gen', 'skey', `--${algorithm}`, String(sequence), seed, '-n', String(count)];
      const result = otpctl(args, { input: `${passphrase}\n` });
      const why = `otpctl ${args.join(' ')} <<< ${JSON.stringify(passphrase)} (OTPD_TEST_SEED=${SEED}): ${result.stderr}`;
      expect(result.status, why).toBe(0);
      expect(result.stdout, why).toBe(expected);
      expect(result.stderr, why).toBe('');
    }
  });

  it('--hex prints what otpprint -h prints', () => {
    for (const algorithm of ['md4', 'md5', 'sha1'] as const) {
      const seed = randomString(ALNUM, 1 + random(16));
      const passphrase = randomString(ALNUM, 10 + random(20));
      const sequence = 5 + random(500);
      const expected = otpprint(algorithm, sequence, seed, passphrase, 5, true);
      const result = otpctl(['gen', 'skey', `--${algorithm}`, String(sequence), seed, '-n', '5', '--hex'], { input: `${passphrase}\n` });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout, `${algorithm} ${sequence} ${seed} (OTPD_TEST_SEED=${SEED})`).toBe(expected);
    }
  });

  it('without -n prints only the six words, equal to the last line of otpprint -n 1', () => {
    const passphrase = 'This is a test.';
    const expected = otpprint('md5', 99, 'TeSt', passphrase, 1, false);
    expect(expected).toBe('99: BAIL TUFT BITS GANG CHEF THY\n');
    const result = otpctl(['gen', 'skey', '99', 'TeSt'], { input: `${passphrase}\n` });
    expect(result).toEqual({ status: 0, stdout: 'BAIL TUFT BITS GANG CHEF THY\n', stderr: '' });
  });

  it('the one-argument challenge, the split challenge and SEQ SEED give the same answer', () => {
    const input = 'This is a test.\n';
    const forms = [['otp-md5 499 bi0617 ext'], ['otp-md5 499 bi0617'], ['otp-md5', '499', 'bi0617', 'ext'], ['--md5', '499', 'bi0617'], ['499', 'bi0617']];
    const outputs = forms.map((form) => otpctl(['gen', 'skey', ...form, '-n', '3'], { input }));
    for (const [i, result] of outputs.entries()) {
      expect(result.status, `${JSON.stringify(forms[i])}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toBe(outputs[0]?.stdout);
    }
    expect(outputs[0]?.stdout).toBe(otpprint('md5', 499, 'bi0617', 'This is a test.', 3, false));
    const sha = otpctl(['gen', 'skey', 'otp-sha1 77 Alpha1 ext', '--hex'], { input });
    expect(sha.stdout).toBe(`${otpprint('sha1', 77, 'Alpha1', 'This is a test.', 1, true).replace(/^77: /, '')}`);
  });

  it('matches every RFC 2289 vector (six words without -n; hex with --hex)', () => {
    for (const v of skeyVectors()) {
      const words = otpctl(['gen', 'skey', `--${v.algorithm}`, String(v.count), v.seed], { input: `${v.passphrase}\n` });
      const why = `${v.algorithm} ${v.count} ${v.seed} ${JSON.stringify(v.passphrase)}: ${words.stderr}`;
      expect(words.status, why).toBe(0);
      expect(words.stdout, why).toBe(`${v.words}\n`);
    }
    // Hex for one vector per algorithm (otpctl prints 16 lower-case digits, as otpprint -h).
    for (const algorithm of ['md4', 'md5', 'sha1'] as const) {
      const v = skeyVectors().find((vector) => vector.algorithm === algorithm);
      if (!v) throw new Error(`no ${algorithm} vector in rfc2289-vectors.json`);
      const hex = otpctl(['gen', 'skey', `--${algorithm}`, String(v.count), v.seed, '--hex'], { input: `${v.passphrase}\n` });
      expect(hex.stdout).toBe(`${v.hex.replace(/\s+/g, '').toLowerCase()}\n`);
    }
  });

  it('reads the pass phrase from a terminal without echo (pty via script), with backspace editing', async () => {
    const passphrase = 'This is a test.';
    const typed = 'This is a tesX\u007ft.\r'; // one typo, erased with DEL
    const command = `${process.execPath} ${otpctlPath} gen skey 99 TeSt`;
    const { output, status } = await new Promise<{ output: string; status: number | null }>((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      let sent = false;
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`no answer through the pty; got ${JSON.stringify(text)}`));
      }, 20_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot run script (util-linux): ${error.message}`));
      });
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (!sent && text.includes('Pass phrase: ')) {
          sent = true;
          // Raw mode is set right after the prompt is written; give it a moment before typing.
          setTimeout(() => child.stdin.write(typed), 100);
        }
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        child.stdin.end();
        resolve({ output: text, status: code });
      });
    });
    expect(status, output).toBe(0);
    expect(output).toContain('Pass phrase: ');
    expect(output).toMatch(/BAIL TUFT BITS GANG CHEF THY\r?\n/);
    expect(output).not.toContain(passphrase);
    expect(output).not.toContain('This is');
    expect(output).not.toContain('tesX');
  });
});

describe('otpctl gen motp', () => {
  it('matches every vector in motp-vectors.json (with --now and --offset)', () => {
    const vectors = motpVectors();
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const args = ['gen', 'motp', v.secret, v.pin, '--now', String(v.time), '--offset', String(v.offsetHours)];
      const result = otpctl(args);
      expect(result, `otpctl ${args.join(' ')}`).toEqual({ status: 0, stdout: `${v.otp}\n`, stderr: '' });
    }
  });

  it('--now accepts @SECONDS and the code is constant within a 10-second slot', () => {
    const a = otpctl(['gen', 'motp', '1234567890abcdef', '1234', '--now', '@1700000000']);
    const b = otpctl(['gen', 'motp', '1234567890abcdef', '1234', '--now', '1700000009']);
    expect(a.stdout).toBe('660af9\n');
    expect(b.stdout).toBe('660af9\n');
  });
});
