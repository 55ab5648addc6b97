import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_SECONDS, parseDuration } from '../../../src/config/index.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['30s', 30],
    ['15m', 900],
    ['1h', 3600],
    ['2d', 172_800],
    ['1h30m', 5400],
    ['1d12h30m15s', 131_415],
    [' 8h ', 28_800],
    ['0s', 0],
    ['90m', 5400],
    ['366d', MAX_DURATION_SECONDS],
  ])('%j is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', ' ', '15', '15M', '1w', 'm', '-5m', '1.5h', '15 m', '30m1h', '1h1h', '1h 30m', 'forever', '367d', '0x10s'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
  });

  it('says what it expects', () => {
    expect(() => parseDuration('15 minutes')).toThrow(/not a duration "15 minutes": expected e\.g\. "30s", "15m"/);
    expect(() => parseDuration('30m1h')).toThrow(/largest to smallest/);
  });

  it('formatDuration is its inverse', () => {
    for (const seconds of [0, 1, 59, 60, 61, 900, 3600, 5400, 86_400, 131_415]) {
      expect(parseDuration(formatDuration(seconds))).toBe(seconds);
    }
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0');
  });
});
