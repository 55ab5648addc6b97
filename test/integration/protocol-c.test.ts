/**
 * The protocol from both sides: frames built by TS are parsed and re-encoded by C (pam/wire.c, through
 * pam/test/wire_roundtrip.c) and vice versa, byte for byte; both refuse the same bad frames for the same
 * reason, including thousands of seeded random corruptions (OTPD_TEST_SEED replays one).
 *
 * Builds pam/ with cmake into a temporary directory; fails (never skips) when that is impossible.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameReader, ProtocolError, type Message } from '../../src/protocol/index.js';
import { BAD_FRAMES, SAMPLE_MESSAGES } from '../support/protocol-samples.js';
import { seededRandom } from '../support/random.js';
import { tempDirForFile } from '../support/temp-dir.js';

const PAM_DIR = fileURLToPath(new URL('../../pam', import.meta.url));
const SEED = Number(process.env.OTPD_TEST_SEED ?? Date.now() % 2 ** 31);

const buildDir = tempDirForFile('otpd-pam-wire-');
let tool: string;

beforeAll(() => {
  // stdio: a failure shows cmake's own words in the test output.
  execFileSync('cmake', ['-S', PAM_DIR, '-B', buildDir, '-DOTPD_PAM_VALGRIND=OFF'], { stdio: 'pipe' });
  execFileSync('cmake', ['--build', buildDir, '--target', 'wire_roundtrip'], { stdio: 'pipe' });
  tool = join(buildDir, 'wire_roundtrip');
});

/** Runs the C side on `input`; one line per frame: OK <hex> | ERR <reason> | STOP <reason> <offset>. */
function c(input: Uint8Array, ...args: string[]): string[] {
  const r = spawnSync(tool, args, { input, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`wire_roundtrip exited ${r.status}: ${r.stderr.toString()}`);
  return r.stdout
    .toString()
    .split('\n')
    .filter((l) => l !== '');
}

/** What TS says about one frame, in the C side's words. */
function ts(frame: Uint8Array): string {
  try {
    return `OK ${encodeFrame(decodeFrame(frame)).toString('hex')}`;
  } catch (err) {
    if (err instanceof ProtocolError) return `ERR ${err.reason}`;
    throw err;
  }
}

describe('protocol: TypeScript ⇄ C', () => {
  it('C parses every frame TS builds and re-encodes the same bytes', () => {
    const frames = SAMPLE_MESSAGES.map(encodeFrame);
    expect(c(Buffer.concat(frames))).toEqual(frames.map((f) => `OK ${f.toString('hex')}`));
  });

  it('TS reads the frames C builds (the documented sample conversation)', () => {
    const bytes = spawnSync(tool, ['--sample']).stdout;
    const reader = new FrameReader();
    const got: Message[] = [];
    reader.onMessage((m) => got.push(m));
    reader.onError((e) => {
      throw e;
    });
    reader.push(bytes);
    reader.dispose();
    expect(got).toEqual([
      { type: 'HELLO', version: 1 },
      { type: 'HELLO', version: 1 },
      { type: 'AUTH_START', service: 'sshd', user: 'alice', rhost: '192.0.2.7', flags: 0 },
      { type: 'CONV', style: 'PROMPT_ECHO_OFF', text: 'One-time password: ' },
      { type: 'ANSWER', response: '755224' },
      { type: 'RESULT', verdict: 'SUCCESS' },
    ]);
    expect(Buffer.concat(got.map(encodeFrame))).toEqual(bytes);
  });

  it.each(BAD_FRAMES)('both refuse, for the same reason: %s', (_name, frame, reason) => {
    const [line] = c(frame);
    expect(line?.replace(/^STOP (\S+) \d+$/, 'ERR $1')).toBe(`ERR ${reason}`);
    expect(ts(frame)).toBe(`ERR ${reason}`);
  });

  it('both see a truncated stream the same way', () => {
    const frame = encodeFrame({ type: 'ANSWER', response: '755224' });
    for (const k of [1, 7, 8, 20, frame.length - 1]) expect(c(frame.subarray(0, k))).toEqual(['STOP need-more 0']);
  });

  it(`agree on thousands of randomly corrupted frames (seed ${SEED})`, () => {
    const rnd = seededRandom(SEED);
    const frames: Buffer[] = [];
    for (let i = 0; i < 4000; i++) {
      const base = encodeFrame(SAMPLE_MESSAGES[rnd.below(SAMPLE_MESSAGES.length)] as Message);
      const f = Buffer.from(base);
      // keep marker and length so C reads on; corrupt type, status and items
      const flips = 1 + rnd.below(3);
      for (let k = 0; k < flips; k++) {
        const at = 8 + rnd.below(f.length - 12);
        f[at] = rnd.below(4) === 0 ? 0 : (rnd.bytes(1)[0] as number);
      }
      frames.push(f);
    }
    const lines = c(Buffer.concat(frames));
    expect(lines).toHaveLength(frames.length);
    const mismatches = frames.map((f, i) => ({ frame: f.toString('hex'), c: lines[i], ts: ts(f) })).filter((x) => x.c !== x.ts);
    expect(mismatches.slice(0, 5), `seed ${SEED}`).toEqual([]);
    const accepted = lines.filter((l) => l.startsWith('OK ')).length;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(frames.length);
  });
});
