import { describe, expect, it, vi } from 'vitest';
import { createExplain, formatExplain, NO_EXPLAIN } from '../../../src/audit/index.js';

describe('explain mode', () => {
  it('collects steps in order', () => {
    const explain = createExplain();
    expect(explain.enabled).toBe(true);
    explain.step('user alice: 2 tokens for service sshd (group remote)');
    explain.step(() => 'token alice/phone (HOTP/T30): checking steps 1699..1701');
    expect(explain.lines).toEqual(['user alice: 2 tokens for service sshd (group remote)', 'token alice/phone (HOTP/T30): checking steps 1699..1701']);
    expect(formatExplain(explain)).toBe(
      '  1. user alice: 2 tokens for service sshd (group remote)\n  2. token alice/phone (HOTP/T30): checking steps 1699..1701',
    );
  });

  it('the lines it hands out are a frozen copy', () => {
    const explain = createExplain();
    explain.step('one');
    const before = explain.lines;
    explain.step('two');
    expect(before).toEqual(['one']);
    expect(Object.isFrozen(before)).toBe(true);
  });

  it('escapes control characters so a user name cannot start a fake step', () => {
    const explain = createExplain();
    explain.step('user bob\n  2. Accept\u2028x\u001b[1m');
    expect(explain.lines).toEqual(['user bob\\n  2. Accept\\u{2028}x\\x1b[1m']);
    expect(formatExplain(explain).split('\n')).toHaveLength(1);
  });

  it('NO_EXPLAIN does nothing and never builds lazy text', () => {
    const build = vi.fn(() => 'expensive');
    NO_EXPLAIN.step(build);
    NO_EXPLAIN.step('ignored');
    expect(build).not.toHaveBeenCalled();
    expect(NO_EXPLAIN.enabled).toBe(false);
    expect(NO_EXPLAIN.lines).toEqual([]);
    expect(formatExplain(NO_EXPLAIN)).toBe('');
    expect(Object.isFrozen(NO_EXPLAIN)).toBe(true);
  });
});
