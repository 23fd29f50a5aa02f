/**
 * STS GetCallerIdentity over a signed form POST: who the credentials are (ARN, user id, account).
 * Needs no IAM permission. Used to name the role or user whose `iam:GetRole`/`GetUser` request a
 * Consul aws-iam bearer token embeds.
 *
 * Invariants:
 * - The request is the one the bearer token signs (`Action=GetCallerIdentity&Version=2011-06-15`),
 *   sent to the URL it is signed for unless `sendTo` redirects it (the signed Host is kept).
 * - A non-200 answer, or an answer without a non-empty Arn, UserId and Account, rejects with
 *   `StsCallerIdentityError`, whose message holds the status and at most 300 characters of the
 *   body (STS error bodies hold no credentials); the request's signature is never in a message.
 */
import { type AwsCredentials, signFormPost } from './sigv4-form-post.js';
import { type FormPostSender } from './form-post-sender.js';

export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

export interface CallerIdentity {
  readonly arn: string;
  readonly userId: string;
  readonly account: string;
}

export class StsCallerIdentityError extends Error {
  override readonly name = 'StsCallerIdentityError';
}

export interface CallerIdentityRequest {
  readonly stsUrl: URL;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly nowMs: number;
  readonly send: FormPostSender;
  /** Send to this base URL instead, keeping the signed Host header (tests, emulators). */
  readonly sendTo?: URL;
}

export async function getCallerIdentity(req: CallerIdentityRequest): Promise<CallerIdentity> {
  const signed = await signFormPost(
    { url: req.stsUrl, body: GET_CALLER_IDENTITY_BODY },
    { service: 'sts', region: req.region, credentials: req.credentials, nowMs: req.nowMs },
  );
  const answer = await req.send(signed, req.sendTo);
  if (answer.status !== 200) {
    throw new StsCallerIdentityError(
      `sts:GetCallerIdentity answered ${answer.status}: ${answer.body.slice(0, 300)}`,
    );
  }
  const arn = xmlElement(answer.body, 'Arn');
  const userId = xmlElement(answer.body, 'UserId');
  const account = xmlElement(answer.body, 'Account');
  if (!arn || !userId || !account) {
    throw new StsCallerIdentityError(
      `sts:GetCallerIdentity answer lacks Arn, UserId or Account: ${answer.body.slice(0, 300)}`,
    );
  }
  return { arn, userId, account };
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** The text of the first `<name>…</name>` element, XML entities decoded. */
function xmlElement(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1].replace(/&(amp|lt|gt|quot|apos);/g, (_, entity: string) => ENTITIES[entity]).trim();
}
