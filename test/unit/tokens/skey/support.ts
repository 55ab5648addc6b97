/** Helpers shared by the S/KEY unit tests. */

export const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
export const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export { expectInvalid } from '../../../support/expect-invalid.js';
