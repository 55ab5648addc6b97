/**
 * Window settings shared by the verifiers, validated once at the boundary.
 * @internal
 */
import { MAX_WINDOW } from '../../bounds.js';
import { InvalidInputError } from '../../errors.js';

/**
 * Checks a window size: an integer from 0 to {@link MAX_WINDOW}.
 *
 * @throws InvalidInputError naming `field`
 * @internal
 */
export function validateWindow(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_WINDOW) {
    throw new InvalidInputError(field, `must be an integer from 0 to ${MAX_WINDOW}, got ${String(value)}`);
  }
  return value;
}

/** Removes the blanks a PAM conversation or a terminal may leave around an answer. @internal */
export function trimAnswer(answer: string): string {
  return answer.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}
