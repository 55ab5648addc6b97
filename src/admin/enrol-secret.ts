/**
 * New token lines that hold only hashes or a shared secret: a static password (`OTPD/STATIC`, scrypt
 * from src/tokens/password.ts), backup codes (`OTPD/BACKUP`, docs/store.md) and Mobile-OTP
 * (`OTPD/MOTP`, whose secret and PIN the server must know to compute codes).
 */
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import { BACKUP_MAX_CODES, EXTENSION_TYPES, formatBackupLine } from '../store/index.js';
import { SCRYPT_LIMITS, hashPassword } from '../tokens/password.js';
import { toBinary } from '../store/index.js';
import { formatBackupCode, generateBackupCodes, hashBackupCodes } from '../tokens/backup-codes.js';
import { validateMotpOffset, validateMotpPin, validateMotpSecret } from '../tokens/motp.js';

/** Default number of backup codes, as most services print. */
export const DEFAULT_BACKUP_COUNT = 10;

/** @returns the `OTPD/STATIC` line for a password, hashed with scrypt */
export async function enrolPassword(user: string, password: string): Promise<string> {
  if (password.length < 8) throw new InvalidInputError('password', 'must be at least 8 characters');
  return `${EXTENSION_TYPES.static}\t${toBinary(user)}\t${await hashPassword(password)}\n`;
}

/**
 * @returns the `OTPD/BACKUP` line and the codes to print once (formatted `abcde-fghij`)
 */
export async function enrolBackup(user: string, count: number): Promise<{ line: string; codes: string[] }> {
  if (!Number.isSafeInteger(count) || count < 1 || count > BACKUP_MAX_CODES) throw new InvalidInputError('count', `must be 1 to ${BACKUP_MAX_CODES}`);
  const codes = generateBackupCodes(count);
  const params = { ln: SCRYPT_LIMITS.defaultLn, r: SCRYPT_LIMITS.defaultR, p: SCRYPT_LIMITS.defaultP };
  const { salt, hashes } = await hashBackupCodes(codes, params);
  return { line: formatBackupLine(toBinary(user), params, salt, hashes), codes: codes.map(formatBackupCode) };
}

/**
 * @param secret - 16 to 32 hex digits from the phone's app; absent: 16 fresh hex digits
 * @returns the `OTPD/MOTP` line and the secret to enter in the app
 */
export function enrolMotp(user: string, secret: string | undefined, pin: string, offsetHours: number): { line: string; secret: string } {
  const s = secret === undefined ? randomBytes(8).toString('hex') : validateMotpSecret(secret);
  validateMotpPin(pin);
  validateMotpOffset(offsetHours);
  const offset = offsetHours > 0 ? `+${offsetHours}` : String(offsetHours);
  return { line: `${EXTENSION_TYPES.motp}\t${toBinary(user)}\t-\t${s}\t${pin}\t${offset}\n`, secret: s };
}
