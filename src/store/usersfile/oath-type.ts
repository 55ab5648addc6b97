/**
 * The OATH token types liboath knows (`parse_type` in usersfile.c), as a closed list: HOTP/HOTP/E
 * (event, 6 digits), HOTP/E/6|7|8, and HOTP/T30 or HOTP/T60 (time steps of 30 or 60 s), optionally
 * followed by /6, /7 or /8. All HMAC-SHA1. The match is exact and case-sensitive; any other first
 * field (`hotp`, `HOTP/T30/9`, `HOTP/S`, `#`, …) makes liboath skip the line.
 */

/** What an OATH type string means. */
export interface OathType {
  /** The type exactly as written, e.g. `HOTP/T30/8`. */
  readonly name: string;
  /** 6, 7 or 8. */
  readonly digits: 6 | 7 | 8;
  /** 0 for event-based HOTP, else the TOTP time step in seconds. */
  readonly stepSeconds: 0 | 30 | 60;
}

const TYPES: ReadonlyMap<string, OathType> = new Map(
  (
    [
      ['HOTP', 6, 0],
      ['HOTP/E', 6, 0],
      ['HOTP/E/6', 6, 0],
      ['HOTP/E/7', 7, 0],
      ['HOTP/E/8', 8, 0],
      ['HOTP/T30', 6, 30],
      ['HOTP/T30/6', 6, 30],
      ['HOTP/T30/7', 7, 30],
      ['HOTP/T30/8', 8, 30],
      ['HOTP/T60', 6, 60],
      ['HOTP/T60/6', 6, 60],
      ['HOTP/T60/7', 7, 60],
      ['HOTP/T60/8', 8, 60],
    ] as const
  ).map(([name, digits, stepSeconds]) => [name, Object.freeze({ name, digits, stepSeconds })]),
);

/** Every type string liboath accepts, frozen. */
export const OATH_TYPE_NAMES: readonly string[] = Object.freeze([...TYPES.keys()]);

/**
 * Recognises an OATH type exactly as liboath does.
 *
 * @param field - the first field of a line
 * @returns the type, or undefined when liboath would skip the line
 * @example
 * parseOathType('HOTP/T30/8'); // { name: 'HOTP/T30/8', digits: 8, stepSeconds: 30 }
 * parseOathType('hotp'); // undefined
 */
export function parseOathType(field: string): OathType | undefined {
  return TYPES.get(field);
}

/**
 * The canonical type string for a digits/step pair (the shortest form liboath accepts).
 *
 * @param digits - 6, 7 or 8
 * @param stepSeconds - 0 (HOTP), 30 or 60
 * @returns e.g. `HOTP`, `HOTP/E/8`, `HOTP/T30`, `HOTP/T60/7`
 */
export function formatOathType(digits: 6 | 7 | 8, stepSeconds: 0 | 30 | 60): string {
  if (stepSeconds === 0) return digits === 6 ? 'HOTP' : `HOTP/E/${digits}`;
  return digits === 6 ? `HOTP/T${stepSeconds}` : `HOTP/T${stepSeconds}/${digits}`;
}
