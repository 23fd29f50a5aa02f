/**
 * Ids: identifiers drawn from an injected random source, so a seeded Random gives repeatable ids.
 *
 * Invariants:
 * - Ids use only the alphabet given and have exactly the length asked for.
 * - Nothing here reads global randomness; `Math.random` is only a default passed in by callers.
 */
import { type Random } from '../../src/time/clock.js';

const HEX = '0123456789abcdef';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomChars(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1)
    out += alphabet[Math.floor(random() * alphabet.length) % alphabet.length];
  return out;
}

export function randomHex(random: Random, length: number): string {
  return randomChars(random, HEX, length);
}

export function randomLetters(random: Random, length: number): string {
  return randomChars(random, LETTERS, length);
}

/** A version-4-shaped UUID. */
export function randomUuid(random: Random): string {
  const hex = randomHex(random, 32);
  const variant = HEX[8 + Math.floor(random() * 4)];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** AWS JSON 1.1 timestamps are epoch seconds (fractional). */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
