/**
 * ensureSecretIds: makes a token secret hold a complete pair of IDs, writing new ones first when
 * it does not (consul-ecs's write-the-secret-before-the-token rule, which makes a crash between
 * the two steps harmless: the next run finds the IDs and creates the token with them).
 *
 * Repair policy for a secret whose value is not valid JSON, whose IDs are not UUIDs, or that holds
 * SecretBinary instead of SecretString: it is counted
 * (`acl_controller_errors_total{kind="secret_malformed"}`), logged as an error without its value,
 * and treated as empty: fresh IDs are written. The old value stays in AWSPREVIOUS.
 * A missing secret is an error (Terraform creates it) unless `createSecrets` is on.
 */
import { type TokenIds } from '../domain/token-secret.js';
import { type AclDeps } from './acl-deps.js';
import { skipForDryRun } from './dry-run.js';

export interface EnsuredIds {
  readonly ids: TokenIds;
  /** True when new IDs were generated (and written, unless dry-run). */
  readonly fresh: boolean;
}

export class SecretNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretNotReadyError';
  }
}

export async function ensureSecretIds(
  deps: AclDeps,
  secretId: string,
  context: Record<string, string>,
  signal: AbortSignal,
  options: { readonly forceNew?: boolean } = {},
): Promise<EnsuredIds> {
  const { secrets, metrics, logger, config } = deps;
  let read;
  try {
    read = await secrets.read(secretId, signal);
  } catch (error) {
    metrics.errors.inc({ kind: 'secret_read' });
    throw error;
  }
  if (read.state === 'missing' && config.createSecrets) {
    if (!skipForDryRun(deps, 'create secret', { ...context, secretName: secretId })) {
      await secrets.createEmpty(secretId, { 'ecs-acl-controller/created-by': 'ecs-acl-controller' }, signal);
      logger.info('created secret', { ...context, secretName: secretId });
    }
    read = { state: 'empty' } as const;
  }
  if (read.state === 'missing' || read.state === 'scheduled-for-deletion') {
    metrics.errors.inc({ kind: 'secret_missing' });
    throw new SecretNotReadyError(
      read.state === 'missing'
        ? `secret ${secretId} does not exist (create it, or run with -create-secrets)`
        : `secret ${secretId} is scheduled for deletion (restore it with RestoreSecret)`,
    );
  }
  if (read.state === 'complete' && !options.forceNew) return { ids: read.ids, fresh: false };
  if (read.state === 'malformed') {
    metrics.errors.inc({ kind: 'secret_malformed' });
    logger.error('secret value is malformed; replacing it with new IDs', {
      ...context,
      secretName: secretId,
      reason: read.reason,
    });
  }
  const ids: TokenIds = { accessorId: deps.newId(), secretId: deps.newId() };
  const fields = { ...context, secretName: secretId, accessorId: ids.accessorId };
  if (skipForDryRun(deps, 'write new token IDs to secret', fields)) return { ids, fresh: true };
  try {
    await secrets.write(secretId, ids, signal);
  } catch (error) {
    metrics.errors.inc({ kind: 'secret_write' });
    throw error;
  }
  logger.info('wrote new token IDs to secret', fields);
  return { ids, fresh: true };
}
