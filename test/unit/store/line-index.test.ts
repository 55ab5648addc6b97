/** LineIndex.patched: same-length replacements kept beside the old text, offsets and user map shared. */
import { describe, expect, it } from 'vitest';
import { LineIndex } from '../../../src/store/usersfile/line-index.js';

describe('LineIndex.patched', () => {
  const base = new LineIndex('# c\nHOTP\talice\t-\t00\t1\nHOTP\tbob\t-\t00\t1\n');

  it('reads replaced lines from the overlay and builds the whole text only when asked', () => {
    const next = LineIndex.patched(base, new Map([[1, 'HOTP\talice\t-\t00\t2\n']]));
    expect(next.raw(1)).toBe('HOTP\talice\t-\t00\t2\n');
    expect(next.raw(2)).toBe(base.raw(2));
    expect(next.secondField(1)).toBe('alice');
    expect(next.starts).toBe(base.starts);
    expect(next.text).toBe('# c\nHOTP\talice\t-\t00\t2\nHOTP\tbob\t-\t00\t1\n');
    const again = LineIndex.patched(next, new Map([[2, 'HOTP\tbob\t-\t00\t3\n']]));
    expect(again.text).toBe('# c\nHOTP\talice\t-\t00\t2\nHOTP\tbob\t-\t00\t3\n');
    expect(base.text).toBe('# c\nHOTP\talice\t-\t00\t1\nHOTP\tbob\t-\t00\t1\n');
  });

  it('refuses a replacement that changes a line length', () => {
    expect(() => LineIndex.patched(base, new Map([[1, 'HOTP\talice\t-\t00\t10\n']]))).toThrow(RangeError);
  });

  it('indexes lines by user on the second search, and patched successors share it', () => {
    const index = new LineIndex('HOTP\talice\t-\t00\n#OTPD/META\talice\tname=x\nHOTP\tbob\t-\t00\n');
    expect(index.linesByUser()).toBeUndefined();
    const map = index.linesByUser();
    expect(map?.get('alice')).toEqual([0, 1]);
    expect(map?.get('bob')).toEqual([2]);
    expect(LineIndex.patched(index, new Map([[2, 'HOTP\tbob\t-\t11\n']])).linesByUser()).toBe(map);
  });
});

describe('LineIndex.patched over many versions', () => {
  it('folds a long overlay into the text and keeps every line right', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `HOTP\tu${String(i).padStart(4, '0')}\t-\t00\t0\n`);
    let index = new LineIndex(lines.join(''));
    for (let i = 0; i < 3000; i++) {
      const next = `HOTP\tu${String(i).padStart(4, '0')}\t-\t00\t1\n`;
      index = LineIndex.patched(index, new Map([[i, next]]));
      lines[i] = next;
    }
    expect(index.text).toBe(lines.join(''));
    expect(index.raw(1234)).toBe(lines[1234]);
    expect(index.secondField(2999)).toBe('u2999');
  });
});
