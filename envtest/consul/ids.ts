/**
 * IDs: Consul's UUID format and a generator driven by the injected random source.
 *
 * Invariants:
 * - Generated IDs are RFC 4122 version-4 UUIDs in lowercase.
 * - `isUuid` accepts what Consul's `uuid.ParseUUID` accepts: 36 characters, hex in 8-4-4-4-12 groups.
 */
import { randomUUID } from 'node:crypto';

import { type Random } from '../../src/time/clock.js';

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export type IdGenerator = () => string;

/** Cryptographic UUIDs by default; reproducible ones when a Random is injected. */
export function idGenerator(random?: Random): IdGenerator {
  if (!random) return () => randomUUID();
  return () => {
    const bytes: number[] = [];
    for (let i = 0; i < 16; i++) bytes.push(Math.floor(random() * 256) & 0xff);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
