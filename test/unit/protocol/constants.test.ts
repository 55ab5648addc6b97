/**
 * The C header and the TS constants cannot drift: every `#define OTPD_*` in pam/otpd_protocol.h has
 * the same value in src/protocol/constants.ts, and every TS constant has its `#define`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADER_MIRROR } from '../../../src/protocol/index.js';

const header = readFileSync(new URL('../../../pam/otpd_protocol.h', import.meta.url), 'utf8');

function defines(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of header.split('\n')) {
    const m = /^#define\s+(OTPD_\w+)(?:\s+(.*))?$/.exec(line.trim());
    if (m === null || m[1] === 'OTPD_PROTOCOL_H') continue;
    const literal = /^(0x[0-9a-fA-F]+|\d+)u?$/.exec((m[2] ?? '').trim());
    if (literal === null) throw new Error(`otpd_protocol.h: ${m[1]} is not a plain literal: ${line}`);
    out.set(m[1] as string, Number(literal[1]));
  }
  return out;
}

function mirrored(): Map<string, number> {
  const out = new Map<string, number>();
  for (const [prefix, values] of HEADER_MIRROR) for (const [k, v] of Object.entries(values)) out.set(`OTPD_${prefix}${k}`, v);
  return out;
}

describe('protocol constants', () => {
  it('the header defines plenty of constants (the parser sees them)', () => {
    expect(defines().size).toBeGreaterThan(50);
  });

  it('every #define in pam/otpd_protocol.h has the same value in TS', () => {
    const ts = mirrored();
    for (const [name, value] of defines()) expect({ name, value: ts.get(name) }).toEqual({ name, value });
  });

  it('every TS constant has its #define', () => {
    const c = defines();
    for (const [name, value] of mirrored()) expect({ name, value: c.get(name) }).toEqual({ name, value });
  });
});
