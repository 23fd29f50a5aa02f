/**
 * SecretsManagerIam: the IAM requests each Secrets Manager operation needs, as the Service
 * Authorization Reference (AWS Secrets Manager) documents them.
 *
 * Invariants:
 * - Every operation the emulator serves has an entry (checked by
 *   test/envtest/secretsmanager/iam.spec.ts).
 * - A call naming an existing secret (by name, ARN or partial ARN) authorizes against its full
 *   ARN; one naming no secret authorizes against the SecretId as sent, so an ARN-scoped policy
 *   denies it (AccessDenied, not ResourceNotFound), as AWS does.
 * - CreateSecret authorizes against the ARN the new secret would get (name plus a fresh
 *   `-XXXXXX` suffix); with Tags it also needs secretsmanager:TagResource on that ARN ("If you
 *   include tags in the secret, you also need secretsmanager:TagResource").
 * - ListSecrets authorizes against `*` and its denial names no resource, as AWS words it.
 * - Context: `secretsmanager:SecretId` (the ARN), the secret's tags as `aws:ResourceTag/<k>` and
 *   `secretsmanager:ResourceTag/<k>`, `secretsmanager:Name` on create, `secretsmanager:VersionId`
 *   and `secretsmanager:VersionStage` on GetSecretValue when sent, request tags as
 *   `request-context.ts` says.
 * - Builds requests from the input and read-only store lookups: it changes nothing. The fresh
 *   CreateSecret suffix is drawn only for callers with a policy.
 */
import { type JsonObject } from '../aws/input.js';
import { type CallAuthorization } from '../aws/iam/authorizer.js';
import { type RequestContext } from '../aws/iam/conditions.js';
import {
  requestTagContext,
  resourceTagContext,
  stringField,
  stringsField,
  tagKeysContext,
  tagList,
} from '../aws/iam/request-context.js';
import { type Random } from '../../src/time/clock.js';
import { secretArn } from './arns.js';
import { type SecretStore } from './store.js';

type Authorize = (input: JsonObject) => CallAuthorization[];

export interface SecretsManagerIamSpec {
  readonly store: SecretStore;
  readonly region: string;
  readonly accountId: string;
  readonly random: Random;
}

export function secretsManagerAuthorization(
  spec: SecretsManagerIamSpec,
): Readonly<Record<string, Authorize>> {
  const { store } = spec;
  const target = (input: JsonObject): { resource: string; context: RequestContext } => {
    const id = stringField(input, 'SecretId') ?? '';
    const secret = id === '' ? undefined : store.find(id);
    if (secret === undefined) return { resource: id, context: { 'secretsmanager:SecretId': id } };
    const tags = secret.tags.map((tag) => ({ key: tag.Key, value: tag.Value }));
    return {
      resource: secret.arn,
      context: { 'secretsmanager:SecretId': secret.arn, ...resourceTagContext(tags, 'secretsmanager') },
    };
  };
  const onSecret =
    (action: string, extra: (input: JsonObject) => RequestContext = () => ({})): Authorize =>
    (input) => {
      const { resource, context } = target(input);
      return [{ action: `secretsmanager:${action}`, resource, context: { ...context, ...extra(input) } }];
    };
  const sentTags = (input: JsonObject) => requestTagContext(tagList(input, 'Tags', 'Key', 'Value'));

  return {
    CreateSecret: (input) => {
      const name = stringField(input, 'Name') ?? '';
      const existing = name === '' ? undefined : store.find(name);
      const arn = existing?.arn ?? secretArn(spec.region, spec.accountId, name, spec.random);
      const tags = sentTags(input);
      const context = { 'secretsmanager:Name': name, ...tags };
      const create: CallAuthorization = { action: 'secretsmanager:CreateSecret', resource: arn, context };
      if (Object.keys(tags).length === 0) return [create];
      return [create, { action: 'secretsmanager:TagResource', resource: arn, context: tags }];
    },
    UpdateSecret: onSecret('UpdateSecret'),
    DescribeSecret: onSecret('DescribeSecret'),
    DeleteSecret: onSecret('DeleteSecret'),
    RestoreSecret: onSecret('RestoreSecret'),
    GetSecretValue: onSecret('GetSecretValue', (input) => {
      const versionId = stringField(input, 'VersionId');
      const versionStage = stringField(input, 'VersionStage');
      return {
        ...(versionId !== undefined ? { 'secretsmanager:VersionId': versionId } : {}),
        ...(versionStage !== undefined ? { 'secretsmanager:VersionStage': versionStage } : {}),
      };
    }),
    PutSecretValue: onSecret('PutSecretValue'),
    ListSecrets: () => [{ action: 'secretsmanager:ListSecrets', resource: '*', omitResource: true }],
    TagResource: onSecret('TagResource', sentTags),
    UntagResource: onSecret('UntagResource', (input) => tagKeysContext(stringsField(input, 'TagKeys'))),
  };
}
