/**
 * iamEntityOfArn: the IAM role or user an STS caller-identity ARN stands for, read as Consul's
 * aws-iam auth method reads it (consul-awsauth `responses.ParseArn`).
 *
 * Invariants:
 * - `arn:<p>:sts::<acct>:assumed-role/<role>/<session>` is the role `<role>`;
 *   `arn:<p>:iam::<acct>:role/<path…>/<name>` and `…:user/<path…>/<name>` are that role or user.
 * - Anything else (another service, another principal type, an empty name) is undefined; never
 *   throws.
 */
export interface IamEntity {
  readonly type: 'role' | 'user';
  readonly name: string;
}

export function iamEntityOfArn(arn: string): IamEntity | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[1] === '' || parts[4] === '') return undefined;
  if (parts[2] !== 'iam' && parts[2] !== 'sts') return undefined;
  const path = parts[5].split('/');
  if (path.length < 2) return undefined;
  const [kind] = path;
  if (kind === 'assumed-role') {
    return path.length >= 3 && path[1] !== '' ? { type: 'role', name: path[1] } : undefined;
  }
  const name = path[path.length - 1];
  if (name === '' || (kind !== 'role' && kind !== 'user')) return undefined;
  return { type: kind, name };
}
