/**
 * What otpctl prints about a name it was given or found stays on its line and cannot steer the
 * terminal: `otpctl challenge` and `otpctl verify` take any user name (as a login does; an OpenVPN
 * script may pass what the client typed), and a hand-edited store may hold a name with a bidi control.
 * Messages on stderr are escaped as explain lines are; table cells turn such characters into `?`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeFixture, RFC_KEY_HEX, type Fixture } from '../support/store-fixture.js';

let fx: Fixture | undefined;
afterEach(() => {
  fx?.cleanup();
  fx = undefined;
});

/** A newline that would fake a verdict line, a terminal escape, a line separator and a bidi override. */
const NAME = 'bob\nAccept\x1b[2J\u2028\u202eevil';
const ESCAPED = String.raw`bob\nAccept\x1b[2J\u{2028}\u{202E}evil`;

/** No control character, separator or bidi control anywhere in the output. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('otpctl and names with control characters', () => {
  it('otpctl challenge: the refusal naming the user is one escaped line on stderr', () => {
    fx = makeFixture({ name: 'otpctl-names-challenge', store: `HOTP alice - ${RFC_KEY_HEX} 0\n` });
    const r = fx.challenge(NAME);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`otpctl: ${ESCAPED} has no enabled S/KEY token for this service\n`);
  });

  it('otpctl verify -d: Reject is the only verdict line, and nothing unsafe is printed', () => {
    fx = makeFixture({ name: 'otpctl-names-verify', store: `HOTP alice - ${RFC_KEY_HEX} 0\n` });
    const r = fx.verify(NAME, '755224', { debug: true, service: 'ss\nhd\u202e' });
    expect(r.status, r.stderr).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('Reject');
    expect(lines.filter((l) => l.trim() === 'Accept')).toEqual([]);
    expect(r.stdout).not.toMatch(UNSAFE);
    expect(r.stderr).not.toMatch(UNSAFE);
  });

  it('otpctl user list: a bidi override in a stored name is shown as ?', () => {
    fx = makeFixture({ name: 'otpctl-names-table', store: `HOTP al\u202eice - ${RFC_KEY_HEX} 0\n` });
    const r = fx.otpctl(['user', 'list']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^al\?ice +1 /m);
    expect(r.stdout).not.toMatch(UNSAFE);
  });
});
