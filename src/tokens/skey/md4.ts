/**
 * MD4 (RFC 1320), written out here because Node 20's OpenSSL 3 keeps md4 in the legacy provider and
 * `createHash('md4')` throws. Only S/KEY's `otp-md4` uses it; never use MD4 for anything new.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1320
 */

/** Digest length of MD4 in bytes. */
export const MD4_DIGEST_BYTES = 16;

const BLOCK_BYTES = 64;

/** Per-call scratch: the message schedule and the padded tail. Single-threaded, so sharing is safe. */
const words = new Uint32Array(16);
const tail = new Uint8Array(BLOCK_BYTES * 2);
const state = new Uint32Array(4);

// Message word order of rounds 2 and 3 (RFC 1320 §3.4).
const ROUND2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15] as const;
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15] as const;
const ROUND1_SHIFTS = [3, 7, 11, 19] as const;
const ROUND2_SHIFTS = [3, 5, 9, 13] as const;
const ROUND3_SHIFTS = [3, 9, 11, 15] as const;

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** Loads 16 little-endian words from `bytes[offset ..< offset + 64]` into `words`. */
function load(bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const o = offset + i * 4;
    words[i] = (bytes[o] as number) | ((bytes[o + 1] as number) << 8) | ((bytes[o + 2] as number) << 16) | ((bytes[o + 3] as number) << 24);
  }
}

/** Runs the three rounds over `words` and adds the result into `state` (RFC 1320 §3.4). */
function compress(): void {
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  const x = words;

  for (let i = 0; i < 16; i++) {
    const f = (b & c) | (~b & d);
    const t = rotl((a + f + (x[i] as number)) | 0, ROUND1_SHIFTS[i & 3] as number);
    a = d;
    d = c;
    c = b;
    b = t;
  }
  for (let i = 0; i < 16; i++) {
    const g = (b & c) | (b & d) | (c & d);
    const t = rotl((a + g + (x[ROUND2_ORDER[i] as number] as number) + 0x5a827999) | 0, ROUND2_SHIFTS[i & 3] as number);
    a = d;
    d = c;
    c = b;
    b = t;
  }
  for (let i = 0; i < 16; i++) {
    const h = b ^ c ^ d;
    const t = rotl((a + h + (x[ROUND3_ORDER[i] as number] as number) + 0x6ed9eba1) | 0, ROUND3_SHIFTS[i & 3] as number);
    a = d;
    d = c;
    c = b;
    b = t;
  }

  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
}

/**
 * Writes the MD4 digest of `data` into `out[0 ..< 16]` without allocating.
 *
 * @internal the S/KEY step calls this with a reused output buffer
 * @param data - any length below 2^53 bits
 * @param out - at least 16 bytes
 */
export function md4Into(data: Uint8Array, out: Uint8Array): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89;
  state[2] = 0x98badcfe;
  state[3] = 0x10325476;
  const fullBlocks = Math.floor(data.length / BLOCK_BYTES);
  for (let block = 0; block < fullBlocks; block++) {
    load(data, block * BLOCK_BYTES);
    compress();
  }

  // Padding (RFC 1320 §3.1, §3.2): 0x80, zeros to 56 mod 64, then the bit length, little-endian.
  const rest = data.length - fullBlocks * BLOCK_BYTES;
  const tailBytes = rest < 56 ? BLOCK_BYTES : BLOCK_BYTES * 2;
  tail.fill(0, 0, tailBytes);
  tail.set(data.subarray(fullBlocks * BLOCK_BYTES), 0);
  tail[rest] = 0x80;
  const bitLength = data.length * 8;
  const low = bitLength >>> 0;
  const high = Math.floor(bitLength / 0x1_0000_0000) >>> 0;
  for (let i = 0; i < 4; i++) {
    tail[tailBytes - 8 + i] = (low >>> (8 * i)) & 0xff;
    tail[tailBytes - 4 + i] = (high >>> (8 * i)) & 0xff;
  }
  for (let offset = 0; offset < tailBytes; offset += BLOCK_BYTES) {
    load(tail, offset);
    compress();
  }

  for (let i = 0; i < 4; i++) {
    const v = state[i] as number;
    out[i * 4] = v & 0xff;
    out[i * 4 + 1] = (v >>> 8) & 0xff;
    out[i * 4 + 2] = (v >>> 16) & 0xff;
    out[i * 4 + 3] = (v >>> 24) & 0xff;
  }
}

/**
 * MD4 message digest.
 *
 * @param data - the message
 * @returns the 16-byte digest
 * @see https://www.rfc-editor.org/rfc/rfc1320#appendix-A.5 (test suite)
 * @example
 * Buffer.from(md4(new TextEncoder().encode('abc'))).toString('hex'); // 'a448017aaf21d8525fc10ae87aa6729d'
 */
export function md4(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(MD4_DIGEST_BYTES);
  md4Into(data, out);
  return out;
}
