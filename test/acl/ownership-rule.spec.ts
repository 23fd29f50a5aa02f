// Property tests of the ownership rule (controllers/domain/token-ownership.ts) and of the one
// write path that applies it (controllers/adapters/acl-writes.ts): for random token sets and random
// write attempts, no write ever lands on a token whose owner is not the service it was made for.
import { expect } from 'chai';
import fc from 'fast-check';
import { Registry } from 'prom-client';

import { type AclDeps } from '../../controllers/adapters/acl-deps.js';
import { AclMetrics } from '../../controllers/adapters/acl-metrics.js';
import { AclWrites } from '../../controllers/adapters/acl-writes.js';
import { clientPolicyName } from '../../controllers/domain/client-policy.js';
import { TokenOwnership, type TokenMarks } from '../../controllers/domain/token-ownership.js';
import { type AclApi } from '../../src/consul/acl-api.js';
import { envtestAclApi } from '../helpers/envtest-acl-api.js';
import { type ConsulServer, startConsulServer } from '../../envtest/consul/server.js';
import { SILENT_LOGGER } from '../../src/log/logger.js';
import { parseServiceKey, serviceKey } from '../../controllers/domain/service-ref.js';
import {
  clientTokenDescription,
  parseOwnedDescription,
  serviceDescription,
} from '../../controllers/domain/token-description.js';

const CLUSTER = 'prod';
const CLIENT_POLICY = clientPolicyName('p');
const SERVICES = ['web', 'api', 'consul-client-token', 'web-api'];

/** Who a generated token was made for: what the test expects the rule to say. */
type Made =
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'client' }
  | { readonly kind: 'foreign' };

interface TokenSpec {
  readonly made: Made;
  readonly description: string;
  readonly linksClientPolicy: boolean;
  readonly isClientAccessor: boolean;
}

const service = fc.constantFrom(...SERVICES);
const partitioned = fc.record({
  name: service,
  partition: fc.constantFrom('default', 'other'),
  namespace: fc.constantFrom('default', 'team1'),
});

const tokenSpec: fc.Arbitrary<TokenSpec> = fc.oneof(
  fc
    .record({ name: service, client: fc.boolean(), clientAccessor: fc.boolean() })
    .map(({ name, client, clientAccessor }): TokenSpec => ({
      made: client || clientAccessor ? { kind: 'foreign' } : { kind: 'service', service: name },
      description: serviceDescription('Token', { name }, CLUSTER),
      linksClientPolicy: client,
      isClientAccessor: clientAccessor,
    })),
  fc
    .constantFrom(clientTokenDescription(CLUSTER), 'ECS Consul client Token')
    .map((description): TokenSpec => ({
      made: { kind: 'client' },
      description,
      linksClientPolicy: true,
      isClientAccessor: false,
    })),
  fc
    .record({
      name: service,
      cluster: fc.constantFrom('prod-2', 'pro', 'prod ', 'arn:aws:ecs:us-east-1:1:cluster/prod2'),
      kind: fc.constantFrom<'Token' | 'Policy'>('Token', 'Policy'),
    })
    .map(({ name, cluster, kind }): TokenSpec => ({
      made: { kind: 'foreign' },
      description: serviceDescription(kind, { name }, cluster),
      linksClientPolicy: false,
      isClientAccessor: false,
    })),
  fc
    .record({
      name: service,
      suffix: fc.constantFrom('\nextra', ' ', '\nconsul.hashicorp.com/cluster: prod'),
    })
    .map(({ name, suffix }): TokenSpec => ({
      made: { kind: 'foreign' },
      description: serviceDescription('Token', { name }, CLUSTER) + suffix,
      linksClientPolicy: false,
      isClientAccessor: false,
    })),
  fc.string({ maxLength: 60 }).map((description): TokenSpec => ({
    made: { kind: 'foreign' },
    description,
    linksClientPolicy: false,
    isClientAccessor: false,
  })),
);

/** The client secret names one token: later tokens drawn as "the client's AccessorID" are not it. */
function withOneClientAccessor(specs: readonly TokenSpec[]): TokenSpec[] {
  const first = specs.findIndex((spec) => spec.isClientAccessor);
  return specs.map((spec, index) => {
    if (!spec.isClientAccessor || index === first) return spec;
    const owned = parseOwnedDescription(spec.description, CLUSTER);
    const made: Made =
      owned?.kind === 'token' && !spec.linksClientPolicy
        ? { kind: 'service', service: owned.service.name }
        : spec.made;
    return { ...spec, isClientAccessor: false, made };
  });
}

function marksOf(spec: TokenSpec, accessorId: string): TokenMarks {
  return {
    accessorId,
    description: spec.description,
    policyNames: spec.linksClientPolicy ? [CLIENT_POLICY, 'other-policy'] : ['other-policy'],
  };
}

function ownership(clientAccessor: string): TokenOwnership {
  const rule = new TokenOwnership({ cluster: CLUSTER, clientPolicyName: CLIENT_POLICY });
  rule.noteClientToken(clientAccessor);
  return rule;
}

describe('the ownership rule (property tests)', function () {
  const CLIENT_ACCESSOR = '11111111-2222-4333-8444-555555555555';
  const OTHER_ACCESSOR = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

  it('says a token is a service S own exactly when it was made as S own; the client token and everything else are nobody', () => {
    fc.assert(
      fc.property(tokenSpec, (spec) => {
        const rule = ownership(CLIENT_ACCESSOR);
        const marks = marksOf(spec, spec.isClientAccessor ? CLIENT_ACCESSOR : OTHER_ACCESSOR);
        for (const name of SERVICES) {
          const expected = spec.made.kind === 'service' && spec.made.service === name;
          expect(rule.isServiceTokenOf(marks, name), `${JSON.stringify(spec)} as ${name}`).to.equal(expected);
        }
        expect(rule.isClientToken(marks)).to.equal(spec.made.kind === 'client');
      }),
      { numRuns: 500 },
    );
  });

  it('never gives one token two owners, with partitions too', () => {
    fc.assert(
      fc.property(partitioned, partitioned, fc.boolean(), (a, b, linksClient) => {
        const rule = ownership(CLIENT_ACCESSOR);
        const marks: TokenMarks = {
          accessorId: OTHER_ACCESSOR,
          description: serviceDescription('Token', a, CLUSTER),
          policyNames: linksClient ? [CLIENT_POLICY] : [],
        };
        const ownsA = rule.isServiceTokenOf(marks, serviceKey(a));
        const ownsB = rule.isServiceTokenOf(marks, serviceKey(b));
        expect(ownsA).to.equal(!linksClient);
        if (serviceKey(a) !== serviceKey(b)) expect(ownsA && ownsB).to.equal(false);
        expect(parseServiceKey(serviceKey(a))).to.deep.equal(a);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the one write path (AclWrites) against envtest Consul (property test)', function () {
  this.timeout(120_000);
  let consul: ConsulServer;
  let acl: AclApi;

  before(async () => {
    consul = await startConsulServer();
    acl = envtestAclApi(consul);
    await acl.createPolicy({ Name: CLIENT_POLICY, Rules: 'node_prefix "" { policy = "write" }' });
    await acl.createPolicy({ Name: 'other-policy', Rules: 'service_prefix "" { policy = "read" }' });
  });

  after(() => consul.close());

  const attempt = fc.record({
    op: fc.constantFrom<'update' | 'delete'>('update', 'delete'),
    key: service,
    target: fc.nat(),
  });

  it('writes (updates and deletes) only tokens whose owner is the service the write is for', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tokenSpec, { minLength: 1, maxLength: 6 }),
        fc.array(attempt, { minLength: 1, maxLength: 8 }),
        async (drawn, attempts) => {
          const specs = withOneClientAccessor(drawn);
          const made = new Map<string, Made>();
          const accessors: string[] = [];
          let clientAccessor = '';
          for (const spec of specs) {
            const created = await acl.createToken({
              Description: spec.description,
              Policies: spec.linksClientPolicy ? [{ Name: CLIENT_POLICY }] : [{ Name: 'other-policy' }],
            });
            if (spec.isClientAccessor) clientAccessor = created.AccessorID;
            made.set(created.AccessorID, spec.made);
            accessors.push(created.AccessorID);
          }
          const rule = new TokenOwnership({ cluster: CLUSTER, clientPolicyName: CLIENT_POLICY });
          rule.noteClientToken(clientAccessor || undefined);
          const deps = {
            acl,
            ownership: rule,
            metrics: new AclMetrics(new Registry(), CLUSTER),
            logger: SILENT_LOGGER,
            config: { dryRun: false },
          } as unknown as AclDeps;
          const writes = new AclWrites(deps);
          const before = consul.calls.all().length;
          const allowed = new Set<string>();
          for (const { op, key, target } of attempts) {
            const accessorId = accessors[target % accessors.length];
            const owner = made.get(accessorId);
            if (owner?.kind === 'service' && owner.service === key) allowed.add(`${op}:${accessorId}`);
            const write = { key, scope: {}, context: { service: key }, signal: new AbortController().signal };
            if (op === 'delete') await writes.delete(write, accessorId, 'delete');
            else
              await writes.update(
                write,
                { AccessorID: accessorId, Description: serviceDescription('Token', { name: key }, CLUSTER) },
                'update',
              );
          }
          const landed = consul.calls
            .all()
            .slice(before)
            .filter((call) => call.operation === 'acl.token.update' || call.operation === 'acl.token.delete');
          for (const call of landed) {
            const op = call.operation === 'acl.token.update' ? 'update' : 'delete';
            expect(
              allowed.has(`${op}:${call.resource}`),
              `${op} of ${call.resource} (${JSON.stringify(made.get(call.resource ?? ''))})`,
            ).to.equal(true);
          }
          for (const accessorId of accessors) await acl.deleteToken(accessorId);
        },
      ),
      { numRuns: 40 },
    );
  });
});
