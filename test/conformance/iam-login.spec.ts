// Issue 17 probe, kept as a test: a real Consul 1.14.8 `aws-iam` auth method verifies logins
// against moto's STS and IAM (the method's STSEndpoint/IAMEndpoint point at moto), and our
// loginWithIamAuth logs in through it end to end, then logs out.
// Invariants:
// - skipped with a printed reason when moto or the Consul build is not installed (never passed);
// - every AWS request is signed for the real AWS hosts, as on ECS; only the connections go to
//   moto (Consul's forwarding keeps the signed Host; our lookup sender does the same);
// - each case makes its own role and auth method (unique names), so cases are independent.
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';

import { type FormPostSender, httpFormPostSender } from '../../src/aws/form-post-sender.js';
import { signFormPost } from '../../src/aws/sigv4-form-post.js';
import { GET_CALLER_IDENTITY_BODY } from '../../src/aws/sts-caller-identity.js';
import { ConsulError } from '../../src/consul/consul-error.js';
import { ConsulTransport } from '../../src/consul/consul-transport.js';
import { stsUrlFor } from '../../src/consul/iam-bearer-token.js';
import { loginWithIamAuth } from '../../src/consul/iam-login.js';
import { LoginApi } from '../../src/consul/login-api.js';
import { NO_API_OBSERVER } from '../../src/metrics/api-metrics.js';
import { SchedulerClock } from '../../src/time/scheduler-clock.js';
import { startConsulDevAgent, type ConsulDevAgent } from './backends/consul-dev.js';
import { motoBackend } from './backends/moto.js';
import {
  assumeRole,
  createTaggedRole,
  enableMotoAuth,
  type MotoIamSts,
  putRolePolicy,
} from './backends/moto-iam-sts.js';
import { BackendUnavailable, type BackendInstance } from './harness/backend.js';
import { uniqueName } from './harness/contract.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const SERVICE_TAG = 'consul.hashicorp.com.service-name';
const TAGS = ['consul.hashicorp.com.gateway-kind', 'consul.hashicorp.com.namespace', SERVICE_TAG];

describe('aws-iam login: real Consul 1.14.8 verifying against moto STS/IAM', function () {
  const clock = new SchedulerClock(asyncScheduler);
  let moto: BackendInstance | undefined;
  let consul: ConsulDevAgent | undefined;
  let aws: MotoIamSts;
  let toMoto: FormPostSender;

  before(async function () {
    this.timeout(120_000);
    try {
      moto = await motoBackend.start();
      consul = await startConsulDevAgent();
    } catch (error) {
      if (error instanceof BackendUnavailable) {
        console.log(`    [unavailable] ${error.message}`);
        this.skip();
      }
      throw error;
    }
    const send = httpFormPostSender(clock);
    aws = { endpoint: new URL(moto.endpoint), region: REGION, send };
    toMoto = (post) => send(post, aws.endpoint);
  });

  after(async function () {
    this.timeout(30_000);
    await consul?.stop();
    await moto?.stop();
  });

  const transport = (token?: string) =>
    new ConsulTransport(
      { address: new URL(consul!.endpoint), token, verifyTls: true, timeoutMs: 10_000, maxRetries: 0 },
      clock,
      NO_API_OBSERVER,
      () => 0,
    );
  const admin = () => transport(consul!.consulToken);

  async function consulCall(method: 'PUT' | 'GET', path: string, body?: unknown): Promise<unknown> {
    return (await admin().json<unknown>({ operation: 'probe', method, path, body })).value;
  }

  /** consul-ecs v0.10's method (its Config plus the two endpoints) and its service-identity rule. */
  async function makeMethod(name: string, extra: Record<string, unknown> = {}): Promise<void> {
    await consulCall('PUT', '/v1/acl/auth-method', {
      Name: name,
      Type: 'aws-iam',
      Description: 'AWS IAM auth method for ECS service tokens',
      Config: {
        BoundIAMPrincipalARNs: [`arn:aws:iam::${ACCOUNT}:role/consul-ecs/*`],
        EnableIAMEntityDetails: true,
        IAMEntityTags: TAGS,
        STSEndpoint: moto!.endpoint,
        IAMEndpoint: moto!.endpoint,
        ...extra,
      },
    });
    await consulCall('PUT', '/v1/acl/binding-rule', {
      AuthMethod: name,
      Description: 'Bind a service identity from IAM role tag for ECS',
      BindType: 'service',
      BindName: `\${entity_tags.${SERVICE_TAG}}`,
      Selector: '',
    });
  }

  async function taskRole(service: string, path = '/consul-ecs/') {
    const role = await createTaggedRole(aws, clock.now(), uniqueName(`${service}-task`), path, {
      [SERVICE_TAG]: service,
    });
    const credentials = await assumeRole(aws, clock.now(), role.arn, uniqueName('task'));
    return { role, credentials };
  }

  const meta = (taskId: string) => ({
    'consul.hashicorp.com/task-id': taskId,
    'consul.hashicorp.com/cluster': `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/probe`,
  });

  it('logs in with a tagged task role (service identity, login meta in the description), then logs out', async function () {
    this.timeout(30_000);
    const method = uniqueName('iam-ecs-service-token');
    await makeMethod(method, { ServerIDHeaderValue: 'consul.probe.test' });
    const { credentials } = await taskRole('web');
    expect(credentials.assumedRoleArn).to.match(
      /^arn:aws:sts::123456789012:assumed-role\/web-task-[0-9a-f]+\/task-/,
    );

    const token = await loginWithIamAuth({
      consul: transport(),
      method,
      meta: meta('0123456789abcdef'),
      region: REGION,
      credentials: async () => credentials,
      clock,
      serverIdHeaderValue: 'consul.probe.test',
      send: toMoto,
    });

    expect(token.AuthMethod).to.equal(method);
    expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'web' }]);
    expect(token.Description).to.equal(
      'token created via login: {"consul.hashicorp.com/cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/probe",' +
        '"consul.hashicorp.com/task-id":"0123456789abcdef"}',
    );
    expect(token.SecretID).to.match(/^[0-9a-f-]{36}$/);
    const read = (await consulCall('GET', `/v1/acl/token/${token.AccessorID}`)) as { AuthMethod?: string };
    expect(read.AuthMethod).to.equal(method);

    await new LoginApi(transport()).logout(token.SecretID);
    const gone = await consulCall('GET', `/v1/acl/token/${token.AccessorID}`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(gone).to.be.instanceOf(ConsulError);
    expect((gone as ConsulError).status).to.equal(403);
    expect((gone as ConsulError).message).to.contain('ACL not found');
  });

  it('refuses a role outside the bound path: "IAM principal … is not trusted"', async function () {
    this.timeout(30_000);
    const method = uniqueName('iam-ecs-service-token');
    await makeMethod(method);
    const { role, credentials } = await taskRole('api', '/other/');
    const error = await loginWithIamAuth({
      consul: transport(),
      method,
      region: REGION,
      credentials: async () => credentials,
      clock,
      send: toMoto,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConsulError);
    expect((error as ConsulError).status).to.equal(500);
    expect((error as ConsulError).message).to.contain(`IAM principal ${role.arn} is not trusted`);
  });

  it('refuses a login without the server ID the method requires: missing header "X-Consul-IAM-ServerID"', async function () {
    this.timeout(30_000);
    const method = uniqueName('iam-ecs-service-token');
    await makeMethod(method, { ServerIDHeaderValue: 'consul.probe.test' });
    const { credentials } = await taskRole('db');
    const error = await loginWithIamAuth({
      consul: transport(),
      method,
      region: REGION,
      credentials: async () => credentials,
      clock,
      send: toMoto,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConsulError);
    expect((error as ConsulError).message).to.contain('missing header "X-Consul-IAM-ServerID"');
  });

  it('rejects STSRegion in the method config: Consul 1.14 has no such key (a client-side setting)', async function () {
    const error = await makeMethod(uniqueName('iam-ecs-service-token'), { STSRegion: REGION }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConsulError);
    expect((error as ConsulError).message).to.contain('STSRegion');
  });

  // Last: moto's auth is process-wide and cannot be turned off again.
  describe("with moto's auth on (it then recomputes every SigV4 signature)", function () {
    let method: string;
    let credentials: Awaited<ReturnType<typeof assumeRole>>;
    let roleName: string;

    before(async function () {
      this.timeout(30_000);
      if (moto === undefined) this.skip();
      method = uniqueName('iam-ecs-service-token');
      await makeMethod(method, { ServerIDHeaderValue: 'consul.probe.test' });
      roleName = uniqueName('signed-task');
      const role = await createTaggedRole(aws, clock.now(), roleName, '/consul-ecs/', {
        [SERVICE_TAG]: 'signed',
      });
      await putRolePolicy(aws, clock.now(), roleName, {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }],
      });
      credentials = await assumeRole(aws, clock.now(), role.arn, uniqueName('task'));
      await enableMotoAuth(aws.endpoint);
    });

    it('accepts our signatures of sts:GetCallerIdentity and the embedded iam:GetRole, as forwarded by Consul', async function () {
      this.timeout(30_000);
      const token = await loginWithIamAuth({
        consul: transport(),
        method,
        meta: meta('fedcba9876543210'),
        region: REGION,
        credentials: async () => credentials,
        clock,
        serverIdHeaderValue: 'consul.probe.test',
        send: toMoto,
      });
      expect(token.ServiceIdentities).to.deep.equal([{ ServiceName: 'signed' }]);
      await new LoginApi(transport()).logout(token.SecretID);
    });

    // moto answers a bad signature 403 SignatureDoesNotMatch with Content-Type
    // "text/html; charset=utf-8"; Consul (consul-awsauth auth.go submitRequest) checks for exactly
    // "text/xml" before it looks at the status, so its error is "response body is invalid", where
    // real AWS (text/xml errors) gives "received error code 403: <ErrorResponse>…".
    it('rejects a bearer signed with the wrong secret key (moto: SignatureDoesNotMatch; Consul: "response body is invalid")', async function () {
      this.timeout(30_000);
      const wrong = { ...credentials, secretAccessKey: 'not-the-secret' };
      const direct = await aws.send(
        await signFormPost(
          { url: stsUrlFor(REGION), body: GET_CALLER_IDENTITY_BODY },
          { service: 'sts', region: REGION, credentials: wrong, nowMs: clock.now() },
        ),
        aws.endpoint,
      );
      expect(direct.status).to.equal(403);
      expect(direct.body).to.contain('<Code>SignatureDoesNotMatch</Code>');
      expect(direct.contentType).to.not.equal('text/xml');

      const error = await loginWithIamAuth({
        consul: transport(),
        method,
        region: REGION,
        credentials: async () => wrong,
        clock,
        entity: { type: 'role', name: roleName },
        serverIdHeaderValue: 'consul.probe.test',
        send: toMoto,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ConsulError);
      expect((error as ConsulError).status).to.equal(500);
      expect((error as ConsulError).message).to.contain('response body is invalid');
    });
  });
});
