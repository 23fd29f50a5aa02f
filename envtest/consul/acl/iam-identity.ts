/**
 * The faked identity check of an `aws-iam` auth method: what Consul would learn of a login's
 * caller from STS `GetCallerIdentity` (and IAM `GetRole`/`GetUser` with EnableIAMEntityDetails),
 * looked up by bearer token in a map the test configures instead of being sent to AWS.
 *
 * Invariants (Consul 1.14: internal/iamauth/auth.go, internal/iamauth/token.go,
 * agent/consul/authmethod/awsauth/aws.go):
 * - A bearer is looked up as given, then (a real client's signed bearer) as
 *   `access-key:<AKID>` of its signed GetCallerIdentity (see accessKeyKey).
 * - A bearer that is not JSON fails as Consul's token decoding does: `invalid token: <json error>`;
 *   a JSON bearer that is not in the map fails as an STS refusal: `received error code 403 from
 *   STS: …` (both 500 over HTTP: plain errors of the RPC).
 * - The ARN checked against `BoundIAMPrincipalARNs` is the entity's full ARN (with its path) when
 *   EnableIAMEntityDetails is on, else the canonical ARN without path
 *   (`arn:aws:iam::<account>:role/<name>`). An exact entry trusts it; an entry ending in `*` is a
 *   prefix match, only with EnableIAMEntityDetails. Otherwise: `IAM principal <arn> is not trusted`.
 * - Projected variables (for `${…}` in bind names) and selectable fields (for binding-rule
 *   selectors): `entity_name`, `entity_id`, `account_id` always; `entity_path` and
 *   `entity_tags.<tag>` (selector `entity_tags["<tag>"]`) only with EnableIAMEntityDetails, and only
 *   for the tags listed in `IAMEntityTags`; a listed tag the entity lacks is "".
 */
import { rpcError } from '../errors.js';
import { type AclAuthMethod } from './model.js';
import { type SelectableFields } from './selector.js';

/** What AWS says of a login's caller (the value of the bearer map). */
export interface IamIdentity {
  /** The entity's full ARN, with its path: `arn:aws:iam::<account>:role/<path><name>`. */
  readonly arn: string;
  readonly accountId: string;
  /** The role or user name. */
  readonly entityName: string;
  /** With its slashes, e.g. `/consul-ecs/`. */
  readonly entityPath: string;
  /** STS's UserId (the role's unique ID, e.g. `AROA…`). */
  readonly entityId: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface VerifiedIdentity {
  readonly projectedVars: ReadonlyMap<string, string>;
  readonly fields: SelectableFields;
}

export function verifyIamLogin(
  method: AclAuthMethod,
  bearer: string,
  identities: ReadonlyMap<string, IamIdentity>,
): VerifiedIdentity {
  const identity = identities.get(bearer) ?? identities.get(accessKeyKey(bearer) ?? '');
  if (!identity) {
    const jsonError = goJsonSyntaxError(bearer);
    if (jsonError !== undefined) throw rpcError(`invalid token: ${jsonError}`);
    throw rpcError(
      'received error code 403 from STS: envtest: the bearer token is not in the IAM identity map',
    );
  }
  const details = method.config['EnableIAMEntityDetails'] === true;
  const arn = details ? identity.arn : canonicalArn(identity);
  if (!trusted(method, arn, details)) throw rpcError(`IAM principal ${arn} is not trusted`);
  const vars = new Map<string, string>([
    ['entity_name', identity.entityName],
    ['entity_id', identity.entityId],
    ['account_id', identity.accountId],
  ]);
  const scalars: Record<string, string> = Object.fromEntries(vars);
  const tags = new Map<string, string>();
  if (details) {
    vars.set('entity_path', identity.entityPath);
    scalars['entity_path'] = identity.entityPath;
    const listed = method.config['IAMEntityTags'];
    for (const tag of Array.isArray(listed) ? listed : []) {
      if (typeof tag !== 'string') continue;
      const value = identity.tags[tag] ?? '';
      vars.set(`entity_tags.${tag}`, value);
      tags.set(tag, value);
    }
  } else {
    scalars['entity_path'] = '';
  }
  return { projectedVars: vars, fields: { scalars, maps: { entity_tags: tags } } };
}

/**
 * The map key of a real client's bearer: `access-key:<AKID>`, from the Credential of the signed
 * GetCallerIdentity's Authorization header (a signed bearer differs every second, so tests that
 * run a real client map the access key instead). No signature is checked.
 */
export function accessKeyKey(bearer: string): string | undefined {
  try {
    const parsed = JSON.parse(bearer) as Record<string, unknown>;
    const raw = parsed['iam_request_headers'];
    if (typeof raw !== 'string') return undefined;
    const headers = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Record<string, unknown>;
    const authorization = Object.entries(headers).find(
      ([name]) => name.toLowerCase() === 'authorization',
    )?.[1];
    const value = Array.isArray(authorization) ? authorization[0] : authorization;
    const match = typeof value === 'string' ? /Credential=([A-Z0-9]+)\//.exec(value) : null;
    return match ? `access-key:${match[1]}` : undefined;
  } catch {
    return undefined;
  }
}

/** `arn:aws:iam::<account>:role/<name>`: the path dropped, as responses.ParseArn's CanonicalArn. */
function canonicalArn(identity: IamIdentity): string {
  const kind = /:user\//.test(identity.arn) ? 'user' : 'role';
  return `arn:aws:iam::${identity.accountId}:${kind}/${identity.entityName}`;
}

function trusted(method: AclAuthMethod, arn: string, details: boolean): boolean {
  const bound = method.config['BoundIAMPrincipalARNs'];
  if (!Array.isArray(bound)) return false;
  if (bound.includes(arn)) return true;
  return (
    details &&
    bound.some(
      (entry) => typeof entry === 'string' && entry.endsWith('*') && arn.startsWith(entry.slice(0, -1)),
    )
  );
}

/**
 * The error Go's encoding/json gives for text that is not a JSON value, for the common cases
 * (undefined when it parses): the bearer of a real login is a JSON object.
 */
function goJsonSyntaxError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    if (text.trim() === '') return 'unexpected end of JSON input';
    const first = text.trimStart()[0]!;
    if ('ntf'.includes(first)) {
      const word = first === 'n' ? 'null' : first === 't' ? 'true' : 'false';
      const at = [...text.trimStart()].findIndex((char, i) => char !== word[i]);
      if (at > 0 && at < word.length)
        return `invalid character '${text.trimStart()[at]}' in literal ${word} (expecting '${word[at]}')`;
    }
    if (!'{["-0123456789ntf'.includes(first))
      return `invalid character '${first}' looking for beginning of value`;
    return 'unexpected end of JSON input';
  }
}
