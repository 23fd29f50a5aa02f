/**
 * redact: makes a log record safe to write.
 *
 * Invariants:
 * - The value of any field whose name looks like a credential (`token`, `SecretID`, `secret`,
 *   `password`, `authorization`, and any name ending in `token`, `secret` or `secretid`) is replaced
 *   by "[REDACTED]", at any depth, whatever its type.
 * - Errors become plain `{ name, message, code? }` objects; their causes are redacted the same way.
 * - Cycles and very deep nesting are cut, never followed forever.
 */
export const REDACTED = '[REDACTED]';

const CREDENTIAL_NAME =
  /^(password|authorization|x-consul-token|secretstring)$|(token|secret|secretid|secret_id)$/i;

export function isCredentialField(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { name: value.name, message: value.message };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) plain.code = code;
    if (value.cause !== undefined) plain.cause = redact(value.cause, depth + 1, seen);
    return plain;
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isCredentialField(key) ? REDACTED : redact(item, depth + 1, seen);
  }
  return out;
}
