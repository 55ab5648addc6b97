/**
 * S/KEY one-time passwords (RFC 2289) and their extended responses (RFC 2243).
 *
 * @see https://www.rfc-editor.org/rfc/rfc2289
 * @see https://www.rfc-editor.org/rfc/rfc2243
 */
export { md4 } from './md4.js';
export { SKEY_VALUE_BYTES, skeyStep } from './step.js';
export { skeyChain, skeyList } from './chain.js';
export { SKEY_LIMITS } from './limits.js';
export { normaliseSeed, skeySecret, validatePassphrase, validateSeed } from './secret.js';
export { RFC2289_WORDS } from './dictionary.js';
export { parseSixWords, toSixWords } from './words.js';
export { SKEY_HEX_STYLES, type SkeyHexStyle, formatSkeyHex, parseSkeyHex } from './hex.js';
export {
  type SkeyChallenge,
  type SkeyParameters,
  findSkeyChallenge,
  formatSkeyChallenge,
  formatSkeyParameters,
  parseSkeyChallenge,
  parseSkeyParameters,
  validateSequence,
} from './challenge.js';
export {
  type SkeyEncoding,
  type SkeyInitResponse,
  type SkeyPlainResponse,
  type SkeyResponse,
  type SkeyTypedResponse,
  formatSkeyResponse,
  parseSkeyResponse,
} from './response.js';
