/**
 * SecretArns: Secrets Manager ARNs, `arn:aws:secretsmanager:<region>:<account>:secret:<name>-XXXXXX`.
 *
 * Invariants:
 * - The suffix is a hyphen and 6 random alphanumerics, drawn from the injected Random.
 * - A partial ARN is the full ARN without that 7-character suffix.
 */
import { type Random } from '../../src/time/clock.js';
import { randomChars } from '../aws/ids.js';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const ARN_SUFFIX_LENGTH = 7;

export function secretArn(region: string, accountId: string, name: string, random: Random): string {
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${randomChars(random, SUFFIX_ALPHABET, 6)}`;
}

export function partialArnOf(arn: string): string {
  return arn.slice(0, arn.length - ARN_SUFFIX_LENGTH);
}
