import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md4 } from '../../../../src/tokens/skey/md4.js';
import { hex, utf8 } from './support.js';

// RFC 1320 Appendix A.5, "MD4 test suite".
const RFC1320_SUITE: [string, string][] = [
  ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
  ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
  ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
  ['message digest', 'd9130a8164549fe818874806e1c7014b'],
  ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
  ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
];

describe('md4 (RFC 1320)', () => {
  it.each(RFC1320_SUITE)('hashes %j', (message, digest) => {
    expect(hex(md4(utf8(message)))).toBe(digest);
  });

  it('pads correctly at every length around the block boundaries', () => {
    // Each length from 0 to 200 bytes must differ from its neighbours and be stable across calls.
    const seen = new Set<string>();
    for (let length = 0; length <= 200; length++) {
      const data = new Uint8Array(length).map((_, i) => (i * 7 + length) & 0xff);
      const first = hex(md4(data));
      expect(hex(md4(data))).toBe(first);
      seen.add(first);
    }
    expect(seen.size).toBe(201);
  });

  it('agrees with OpenSSL md4 when the legacy provider happens to be available', () => {
    let reference: ((data: Uint8Array) => string) | undefined;
    try {
      createHash('md4');
      reference = (data) => createHash('md4').update(data).digest('hex');
    } catch {
      // Node 20 with OpenSSL 3: md4 is legacy-only. The RFC suite above is the authority then.
    }
    if (reference === undefined) return;
    for (let length = 0; length <= 200; length += 1) {
      const data = new Uint8Array(length).map((_, i) => (i * 31 + 5) & 0xff);
      expect(hex(md4(data))).toBe(reference(data));
    }
  });
});
