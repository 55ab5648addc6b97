/** Base64 without `=` padding, as the `$scrypt$` hashes and OTPD/BACKUP lines write their bytes. */

/**
 * @param bytes - any bytes
 * @returns standard base64 (`+` and `/`) with the trailing `=` removed
 * @example
 * unpaddedBase64(Buffer.from('ab')); // 'YWI'
 */
export function unpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}
