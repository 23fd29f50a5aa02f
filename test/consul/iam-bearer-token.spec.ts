// The aws-iam bearer token, decoded the way Consul 1.14 (consul-awsauth NewBearerToken) decodes
// it, on fixed credentials and a fixed signing time; each signature is recomputed here with
// node:crypto from the decoded request alone, as a verifier (AWS, or moto with auth on) does.
import { createHash, createHmac } from 'node:crypto';
import { expect } from 'chai';

import { iamEntityOfArn } from '../../src/aws/iam-principal-arn.js';
import { buildIamBearerToken, canonicalHeaderName, stsUrlFor } from '../../src/consul/iam-bearer-token.js';

const CREDENTIALS = {
  accessKeyId: 'ASIAEXAMPLEKEY000001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-value',
};
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

interface Decoded {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: string;
}

async function decode(token: string): Promise<Decoded> {
  const raw = JSON.parse(token) as Record<string, string>;
  expect(Object.keys(raw)).to.deep.equal([
    'iam_http_request_method',
    'iam_request_body',
    'iam_request_headers',
    'iam_request_url',
  ]);
  const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  return {
    method: raw.iam_http_request_method,
    url: text(raw.iam_request_url),
    headers: JSON.parse(text(raw.iam_request_headers)) as Record<string, string[]>,
    body: text(raw.iam_request_body),
  };
}

const one = (headers: Record<string, string[]>, name: string): string => {
  const values = headers[name];
  expect(values, name).to.be.an('array').with.lengthOf(1);
  return values[0];
};

/** Recomputes the SigV4 signature of a decoded request (Host from the URL, as Consul sends it). */
function expectValidSignature(req: Decoded, service: string, region: string): void {
  const auth = one(req.headers, 'Authorization');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  expect(match, auth).to.not.equal(null);
  const [, keyId, day, scopeRegion, scopeService, signedHeaders, signature] = match!;
  expect([keyId, day, scopeRegion, scopeService]).to.deep.equal([
    CREDENTIALS.accessKeyId,
    '20260102',
    region,
    service,
  ]);
  const url = new URL(req.url);
  const lower: Record<string, string> = { host: url.host };
  for (const [name, values] of Object.entries(req.headers)) lower[name.toLowerCase()] = values.join(',');
  const names = signedHeaders.split(';');
  expect(names).to.deep.equal([...names].sort());
  const canonical = [
    req.method,
    url.pathname,
    '',
    ...names.map((name) => `${name}:${lower[name].trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    createHash('sha256').update(req.body).digest('hex'),
  ].join('\n');
  const amzDate = lower['x-amz-date'];
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${day}/${region}/${service}/aws4_request`,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${CREDENTIALS.secretAccessKey}`).update(day).digest();
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  expect(signature).to.equal(createHmac('sha256', key).update(toSign).digest('hex'));
}

describe('aws-iam bearer token', () => {
  it('is a signed sts:GetCallerIdentity POST to the regional endpoint, headers as Go marshals them', async () => {
    const req = await decode(
      await buildIamBearerToken({ region: 'eu-west-1', credentials: CREDENTIALS, nowMs: NOW }),
    );
    expect(req.method).to.equal('POST');
    expect(req.url).to.equal('https://sts.eu-west-1.amazonaws.com/');
    expect(req.body).to.equal('Action=GetCallerIdentity&Version=2011-06-15');
    expect(Object.keys(req.headers)).to.deep.equal([
      'Authorization',
      'Content-Length',
      'Content-Type',
      'X-Amz-Date',
      'X-Amz-Security-Token',
    ]);
    expect(one(req.headers, 'Content-Type')).to.equal('application/x-www-form-urlencoded; charset=utf-8');
    expect(one(req.headers, 'Content-Length')).to.equal('43');
    expect(one(req.headers, 'X-Amz-Date')).to.equal('20260102T030405Z');
    expect(one(req.headers, 'X-Amz-Security-Token')).to.equal('session-token-value');
    expect(one(req.headers, 'Authorization')).to.contain(
      'SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token,',
    );
    expectValidSignature(req, 'sts', 'eu-west-1');
  });

  it('signs the server-ID header and embeds a signed iam:GetRole in the X-Consul-IAM-GetEntity-* headers', async () => {
    const req = await decode(
      await buildIamBearerToken({
        region: 'us-west-2',
        credentials: CREDENTIALS,
        nowMs: NOW,
        entity: { type: 'role', name: 'web-task' },
        serverIdHeaderValue: 'consul.example.com',
      }),
    );
    expect(one(req.headers, 'X-Consul-Iam-Serverid')).to.equal('consul.example.com');
    expect(one(req.headers, 'Authorization')).to.contain(
      'SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;' +
        'x-consul-iam-getentity-body;x-consul-iam-getentity-headers;x-consul-iam-getentity-method;' +
        'x-consul-iam-getentity-url;x-consul-iam-serverid,',
    );
    expectValidSignature(req, 'sts', 'us-west-2');

    expect(one(req.headers, 'X-Consul-Iam-Getentity-Method')).to.equal('POST');
    expect(one(req.headers, 'X-Consul-Iam-Getentity-Url')).to.equal('https://iam.amazonaws.com/');
    expect(one(req.headers, 'X-Consul-Iam-Getentity-Body')).to.equal(
      'Action=GetRole&RoleName=web-task&Version=2010-05-08',
    );
    const entity: Decoded = {
      method: 'POST',
      url: 'https://iam.amazonaws.com/',
      headers: JSON.parse(one(req.headers, 'X-Consul-Iam-Getentity-Headers')) as Record<string, string[]>,
      body: one(req.headers, 'X-Consul-Iam-Getentity-Body'),
    };
    expect(one(entity.headers, 'X-Consul-Iam-Serverid')).to.equal('consul.example.com');
    expect(one(entity.headers, 'Authorization')).to.contain('/20260102/us-east-1/iam/aws4_request');
    expect(one(entity.headers, 'Authorization')).to.contain('x-consul-iam-serverid,');
    expectValidSignature(entity, 'iam', 'us-east-1');
  });

  it('embeds GetUser for a user, and uses the given STS and IAM endpoints, server-ID header name and regions', async () => {
    const req = await decode(
      await buildIamBearerToken({
        region: 'us-east-1',
        credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey },
        nowMs: NOW,
        stsEndpoint: 'http://127.0.0.1:5000',
        iamEndpoint: 'iam.internal.example',
        iamRegion: 'eu-central-1',
        entity: { type: 'user', name: 'ci+bot' },
        serverIdHeaderValue: 'x',
        serverIdHeaderName: 'X-My-Server-Id',
      }),
    );
    expect(req.url).to.equal('http://127.0.0.1:5000/');
    expect(req.headers['X-Amz-Security-Token']).to.equal(undefined);
    expect(one(req.headers, 'X-My-Server-Id')).to.equal('x');
    expectValidSignature(req, 'sts', 'us-east-1');
    expect(one(req.headers, 'X-Consul-Iam-Getentity-Url')).to.equal('https://iam.internal.example/');
    expect(one(req.headers, 'X-Consul-Iam-Getentity-Body')).to.equal(
      'Action=GetUser&UserName=ci%2Bbot&Version=2010-05-08',
    );
    const entityHeaders = JSON.parse(one(req.headers, 'X-Consul-Iam-Getentity-Headers')) as Record<
      string,
      string[]
    >;
    expect(one(entityHeaders, 'Authorization')).to.contain('/eu-central-1/iam/aws4_request');
  });

  it('picks the partition endpoints from the region', () => {
    expect(stsUrlFor('cn-north-1').toString()).to.equal('https://sts.cn-north-1.amazonaws.com.cn/');
    expect(stsUrlFor('us-gov-west-1').toString()).to.equal('https://sts.us-gov-west-1.amazonaws.com/');
    expect(stsUrlFor('eu-west-1', 'sts.example.com').toString()).to.equal('https://sts.example.com/');
  });

  it('writes header names as Go canonicalizes them', () => {
    expect(canonicalHeaderName('x-consul-iam-serverid')).to.equal('X-Consul-Iam-Serverid');
    expect(canonicalHeaderName('X-Consul-IAM-GetEntity-URL')).to.equal('X-Consul-Iam-Getentity-Url');
    expect(canonicalHeaderName('content-type')).to.equal('Content-Type');
  });
});

describe('iamEntityOfArn', () => {
  it('reads roles, assumed roles and users as Consul does, and nothing else', () => {
    expect(iamEntityOfArn('arn:aws:sts::123456789012:assumed-role/web-task/ecs-session')).to.deep.equal({
      type: 'role',
      name: 'web-task',
    });
    expect(iamEntityOfArn('arn:aws:iam::123456789012:role/consul-ecs/web-task')).to.deep.equal({
      type: 'role',
      name: 'web-task',
    });
    expect(iamEntityOfArn('arn:aws-cn:iam::123456789012:user/ci')).to.deep.equal({
      type: 'user',
      name: 'ci',
    });
    for (const bad of [
      'arn:aws:sts::123456789012:assumed-role/web-task',
      'arn:aws:iam::123456789012:instance-profile/x',
      'arn:aws:ecs:us-east-1:123456789012:cluster/x',
      'arn:aws:iam:::role/x',
      'arn:aws:iam::123456789012:role/',
      'not-an-arn',
    ]) {
      expect(iamEntityOfArn(bad), bad).to.equal(undefined);
    }
  });
});
