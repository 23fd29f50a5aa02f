/**
 * skipForDryRun: the one dry-run check for every write the ACL controllers make (Consul ACL
 * writes in AclWrites, Secrets Manager writes in ensureSecretIds).
 *
 * Invariants:
 * - Returns false, logging nothing, unless `config.dryRun` is set.
 * - In dry-run it logs `dry-run: would <action>` at info with `fields` (never a SecretID) and
 *   returns true: the caller must then skip the write.
 */
import { type LogFields, type Logger } from '../../src/log/logger.js';

export interface DryRunDeps {
  readonly config: { readonly dryRun: boolean };
  readonly logger: Logger;
}

export function skipForDryRun(deps: DryRunDeps, action: string, fields: LogFields): boolean {
  if (!deps.config.dryRun) return false;
  deps.logger.info(`dry-run: would ${action}`, fields);
  return true;
}
