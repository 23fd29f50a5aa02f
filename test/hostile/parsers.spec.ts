/**
 * Property tests on every pure parser of outside input: secret values, ECS tags and ARNs, service
 * keys, token descriptions, and the Consul ACL answer shapes. For each: it never throws, and it
 * classifies correctly.
 */
import { expect } from 'chai';
import fc from 'fast-check';

import { formatTokenSecret, isUuid, parseTokenSecret } from '../../controllers/domain/token-secret.js';
import { aclPolicyProblem, aclTokenProblem, listProblem } from '../../src/consul/acl-shape.js';
import { ConsulError } from '../../src/consul/consul-error.js';
import { type AclPolicy, type AclToken } from '../../src/consul/acl-types.js';
import { toOwnedPolicy, toOwnedToken } from '../../controllers/adapters/owned-acl.js';
import {
  MESH_TAG,
  NAMESPACE_TAG,
  PARTITION_TAG,
  SERVICE_NAME_TAG,
} from '../../controllers/domain/mesh-tags.js';
import { familyFromTaskDefinitionArn, taskIdFromTaskArn } from '../../src/aws/arn.js';
import { parseLoginDescription } from '../../controllers/domain/login-token.js';
import { toMeshTask } from '../../controllers/domain/mesh-task.js';
import {
  isValidServiceIdentityName,
  parseServiceKey,
  serviceKey,
} from '../../controllers/domain/service-ref.js';
import {
  clientTokenDescription,
  parseOwnedDescription,
  serviceDescription,
} from '../../controllers/domain/token-description.js';
import {
  anyString,
  garbageBody,
  hostileJsonText,
  hostileJsonValue,
  pollutingKey,
  truncatedJson,
  uuid,
} from './arbitraries.js';

const RUNS = { numRuns: 300 };

/** Every reason parseTokenSecret may give: fixed texts, so no part of a value is ever quoted. */
const SECRET_REASONS = new Set([
  'the value is not valid JSON',
  'the value is not a JSON object',
  '"accessor_id" is not a string',
  '"token" is not a string',
  '"accessor_id" is not a UUID',
  '"token" is not a UUID',
  '"accessor_id" and "token" are the same UUID',
]);

describe('hostile input: pure parsers (property-based)', () => {
  afterEach(() => {
    // No parser may have polluted the shared prototype.
    expect(Object.prototype).to.not.have.property('accessor_id');
    expect(Object.prototype).to.not.have.property('token');
    expect(Object.prototype).to.not.have.property('AccessorID');
  });

  describe('parseTokenSecret (Secrets Manager values)', () => {
    const field = fc.oneof(uuid, hostileJsonValue);
    const secretObject = fc
      .record({ accessor_id: field, token: field, extra: hostileJsonValue }, { requiredKeys: [] })
      .map((object) => JSON.stringify(object));
    const anySecret = fc.oneof(
      anyString,
      hostileJsonText,
      truncatedJson(hostileJsonText),
      secretObject,
      garbageBody,
    );

    it('never throws, and gives a fixed reason for every malformed value', () => {
      fc.assert(
        fc.property(fc.option(anySecret, { nil: undefined }), (value) => {
          const parsed = parseTokenSecret(value);
          if (parsed.state === 'malformed') expect(SECRET_REASONS).to.include(parsed.reason);
        }),
        RUNS,
      );
    });

    it('is complete exactly when both IDs are distinct UUID strings', () => {
      fc.assert(
        fc.property(secretObject, (value) => {
          const parsed = parseTokenSecret(value);
          const object = JSON.parse(value) as Record<string, unknown>;
          const a = object['accessor_id'];
          const t = object['token'];
          const complete =
            typeof a === 'string' &&
            typeof t === 'string' &&
            isUuid(a) &&
            isUuid(t) &&
            a.toLowerCase() !== t.toLowerCase();
          expect(parsed.state === 'complete').to.equal(complete);
          if (parsed.state === 'complete') expect(parsed.ids).to.deep.equal({ accessorId: a, secretId: t });
        }),
        RUNS,
      );
    });

    it('classifies non-objects as malformed, and blank values as empty', () => {
      fc.assert(
        fc.property(hostileJsonValue, (value) => {
          const text = JSON.stringify(value);
          const parsed = parseTokenSecret(text);
          if (value === null || typeof value !== 'object' || Array.isArray(value)) {
            expect(parsed).to.deep.equal({ state: 'malformed', reason: 'the value is not a JSON object' });
          }
        }),
        RUNS,
      );
      for (const blank of [undefined, '', '   ', '\n\t'])
        expect(parseTokenSecret(blank).state).to.equal('empty');
    });

    it('does not read IDs through __proto__ or other inherited keys', () => {
      fc.assert(
        fc.property(pollutingKey, uuid, uuid, (key, a, t) => {
          const value = `{"${key}":{"accessor_id":"${a}","token":"${t}"}}`;
          expect(parseTokenSecret(value).state).to.not.equal('complete');
        }),
        { numRuns: 50 },
      );
    });

    it("round-trips consul-ecs's format", () => {
      fc.assert(
        fc.property(uuid, uuid, (accessorId, secretId) => {
          fc.pre(accessorId !== secretId);
          expect(parseTokenSecret(formatTokenSecret({ accessorId, secretId }))).to.deep.equal({
            state: 'complete',
            ids: { accessorId, secretId },
          });
        }),
        { numRuns: 100 },
      );
    });

    it('handles a 5 MB value without throwing', () => {
      const huge = `{"accessor_id":"${'a'.repeat(5_000_000)}"}`;
      expect(parseTokenSecret(huge)).to.deep.equal({
        state: 'malformed',
        reason: '"accessor_id" is not a UUID',
      });
    });
  });

  describe('toMeshTask (ECS tags and task-definition ARNs)', () => {
    const tagKey = fc.oneof(
      fc.constantFrom(MESH_TAG, SERVICE_NAME_TAG, PARTITION_TAG, NAMESPACE_TAG),
      anyString,
      pollutingKey,
    );
    const tag = fc.record(
      {
        key: fc.option(tagKey, { nil: undefined }),
        value: fc.option(fc.oneof(fc.constant('true'), anyString), { nil: undefined }),
      },
      { requiredKeys: [] },
    );
    const arn = fc.oneof(
      anyString,
      fc
        .tuple(fc.string({ maxLength: 20 }), fc.nat())
        .map(
          ([family, revision]) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`,
        ),
    );
    const facts = fc.record({
      taskArn: anyString,
      taskDefinitionArn: arn,
      tags: fc.array(tag, { maxLength: 8 }),
      version: fc.nat(),
    });

    it('never throws; mesh only for the exact tag value "true"; a usable task has a non-empty service', () => {
      fc.assert(
        fc.property(facts, fc.boolean(), fc.constantFrom('default', 'p'), (task, partitions, served) => {
          const mesh = toMeshTask(task, partitions, served);
          const meshTags = task.tags.filter((t) => (t.key ?? '') === MESH_TAG);
          const last = meshTags[meshTags.length - 1];
          expect(mesh.mesh).to.equal(last !== undefined && last.value === 'true');
          expect(mesh.taskArn).to.equal(task.taskArn);
          if (!mesh.mesh) expect(mesh.service).to.equal(undefined);
          if (mesh.mesh) {
            // Exactly one of: a service, a problem, another partition.
            const outcomes = [mesh.service, mesh.problem, mesh.foreignPartition].filter(
              (x) => x !== undefined,
            );
            expect(outcomes).to.have.length(1);
          }
          if (mesh.foreignPartition !== undefined) {
            expect(partitions).to.equal(true);
            expect(mesh.foreignPartition).to.not.equal(served);
          }
          if (mesh.service) {
            expect(mesh.service.name).to.not.equal('');
            expect(mesh.service.partition === undefined).to.equal(!partitions);
            if (partitions) expect(mesh.service.partition).to.equal(served);
          }
        }),
        RUNS,
      );
    });

    it('keys every usable service unambiguously: parseServiceKey(serviceKey(service)) gives it back', () => {
      const slashy = fc.oneof(anyString, fc.constantFrom('a/b/c', 'x/y', '/', 'p/ns/web'));
      fc.assert(
        fc.property(
          slashy,
          fc.option(slashy, { nil: undefined }),
          fc.option(slashy, { nil: undefined }),
          fc.boolean(),
          (name, partition, namespace, partitions) => {
            const tags = [
              { key: MESH_TAG, value: 'true' },
              { key: SERVICE_NAME_TAG, value: name },
              ...(partition !== undefined ? [{ key: PARTITION_TAG, value: partition }] : []),
              ...(namespace !== undefined ? [{ key: NAMESPACE_TAG, value: namespace }] : []),
            ];
            // Served partition = the tagged one, so the partition tag is used, not skipped.
            const mesh = toMeshTask(
              { taskArn: 't', taskDefinitionArn: 'arn:x:task-definition/fam:1', tags, version: 0 },
              partitions,
              partition ?? 'default',
            );
            if (mesh.service) expect(parseServiceKey(serviceKey(mesh.service))).to.deep.equal(mesh.service);
          },
        ),
        RUNS,
      );
    });

    it('does not let a service-name tag with slashes pose as a partitioned service (regression)', () => {
      const task = toMeshTask(
        {
          taskArn: 't',
          taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/web:1',
          version: 0,
          tags: [
            { key: MESH_TAG, value: 'true' },
            { key: SERVICE_NAME_TAG, value: 'evil/default/web' },
          ],
        },
        false,
      );
      expect(task.service).to.equal(undefined);
      expect(task.problem).to.match(/"\/"/);
    });

    it('taskIdFromTaskArn never throws and returns a non-empty id without "/" or nothing', () => {
      expect(taskIdFromTaskArn('arn:aws:ecs:us-east-1:123456789012:task/prod/abc123')).to.equal('abc123');
      expect(taskIdFromTaskArn('arn:aws:ecs:us-east-1:123456789012:task/abc123')).to.equal('abc123');
      expect(taskIdFromTaskArn('arn:aws:ecs:us-east-1:123456789012:task/prod/')).to.equal(undefined);
      fc.assert(
        fc.property(anyString, (arn) => {
          const id = taskIdFromTaskArn(arn);
          if (id !== undefined) expect(id).to.match(/^[^/]+$/);
        }),
        RUNS,
      );
    });

    it('parseLoginDescription never throws on hostile descriptions, and what it returns is complete', () => {
      fc.assert(
        fc.property(fc.oneof(anyString, hostileJsonText), (rest) => {
          for (const description of [rest, `token created via login: ${rest}`]) {
            const meta = parseLoginDescription(description);
            if (meta !== undefined) {
              expect(meta.cluster).to.be.a('string').and.not.equal('');
              expect(meta.taskId)
                .to.be.a('string')
                .and.match(/^[^/]+$/);
            }
          }
        }),
        RUNS,
      );
    });

    it('familyFromTaskDefinitionArn never throws and never returns an empty family', () => {
      fc.assert(
        fc.property(anyString, (arn) => {
          const family = familyFromTaskDefinitionArn(arn);
          if (family !== undefined) expect(family).to.not.equal('');
        }),
        RUNS,
      );
    });
  });

  describe('service names and keys', () => {
    it('isValidServiceIdentityName never throws and accepts only Consul identity names', () => {
      fc.assert(
        fc.property(anyString, (name) => {
          const valid = isValidServiceIdentityName(name);
          if (valid) {
            expect(name).to.match(/^[a-z0-9-]+$/);
            expect(name.length).to.be.within(1, 256);
            expect(name.startsWith('-') || name.endsWith('-')).to.equal(false);
          }
        }),
        RUNS,
      );
      expect(isValidServiceIdentityName('a'.repeat(257))).to.equal(false);
    });

    it('parseServiceKey never throws', () => {
      fc.assert(
        fc.property(anyString, (key) => {
          const ref = parseServiceKey(key);
          expect(ref.name).to.be.a('string');
        }),
        RUNS,
      );
    });
  });

  describe('token descriptions', () => {
    const word = fc.stringMatching(/^\S{1,24}$/);

    it('parseOwnedDescription never throws on any description or cluster', () => {
      fc.assert(
        fc.property(fc.option(anyString, { nil: undefined }), anyString, (description, cluster) => {
          parseOwnedDescription(description, cluster);
        }),
        RUNS,
      );
    });

    it('owns exactly what it wrote for this cluster, and nothing of another cluster', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('Token' as const, 'Policy' as const),
          word,
          fc.option(fc.tuple(word, word), { nil: undefined }),
          word,
          word,
          (kind, name, scope, cluster, other) => {
            const service = scope ? { name, partition: scope[0], namespace: scope[1] } : { name };
            const description = serviceDescription(kind, service, cluster);
            expect(parseOwnedDescription(description, cluster)).to.deep.equal({
              kind: kind === 'Token' ? 'token' : 'policy',
              service,
            });
            if (other !== cluster) expect(parseOwnedDescription(description, other)).to.equal(undefined);
            expect(parseOwnedDescription(`${description}\nextra`, cluster)).to.equal(undefined);
            expect(parseOwnedDescription(`x${description}`, cluster)).to.equal(undefined);
            expect(parseOwnedDescription(description, `${cluster}-2`)).to.equal(undefined);
          },
        ),
        RUNS,
      );
    });
  });

  describe('Consul ACL answers (shape checks and owned-object conversion)', () => {
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, hostileJsonValue);
    const link = fc.record({ ID: maybe(fc.string()), Name: maybe(fc.string()) }, { requiredKeys: [] });
    const token = fc.record(
      {
        AccessorID: maybe(uuid),
        SecretID: maybe(fc.oneof(uuid, fc.constant('<hidden>'))),
        Description: maybe(fc.oneof(fc.string(), fc.constant(clientTokenDescription('prod')))),
        Policies: maybe(fc.oneof(fc.constant(null), fc.array(maybe(link), { maxLength: 3 }))),
        ServiceIdentities: maybe(
          fc.oneof(
            fc.constant(null),
            fc.array(maybe(fc.record({ ServiceName: maybe(fc.string()) })), { maxLength: 3 }),
          ),
        ),
        ModifyIndex: maybe(fc.nat()),
      },
      { requiredKeys: [] },
    );
    const policy = fc.record(
      {
        ID: maybe(uuid),
        Name: maybe(fc.string()),
        Description: maybe(fc.string()),
        ModifyIndex: maybe(fc.nat()),
      },
      { requiredKeys: [] },
    );

    it('aclTokenProblem/aclPolicyProblem/listProblem never throw on any JSON', () => {
      fc.assert(
        fc.property(
          fc.oneof(hostileJsonValue, token, policy, fc.array(fc.oneof(token, hostileJsonValue))),
          (value) => {
            aclTokenProblem(value);
            aclPolicyProblem(value);
            listProblem(value, aclTokenProblem);
          },
        ),
        RUNS,
      );
    });

    it('every value that passes the token check converts without throwing', () => {
      fc.assert(
        fc.property(fc.oneof(token, hostileJsonValue), fc.string({ maxLength: 10 }), (value, cluster) => {
          if (aclTokenProblem(value) !== undefined) return;
          const owned = toOwnedToken(value as AclToken, cluster);
          if (owned) expect(owned.accessorId).to.equal((value as AclToken).AccessorID);
        }),
        RUNS,
      );
    });

    it('every value that passes the policy check converts without throwing', () => {
      fc.assert(
        fc.property(fc.oneof(policy, hostileJsonValue), fc.string({ maxLength: 10 }), (value, cluster) => {
          if (aclPolicyProblem(value) === undefined) toOwnedPolicy(value as AclPolicy, cluster);
        }),
        RUNS,
      );
    });

    it('a list passes only if it is null or an array whose every entry passes', () => {
      fc.assert(
        fc.property(fc.oneof(hostileJsonValue, fc.array(token, { maxLength: 4 })), (value) => {
          const ok = listProblem(value, aclTokenProblem) === undefined;
          const expected =
            value === null ||
            (Array.isArray(value) && value.every((item) => aclTokenProblem(item) === undefined));
          expect(ok).to.equal(expected);
        }),
        RUNS,
      );
    });

    it('rejects tokens without an AccessorID and non-objects, with reasons that quote nothing', () => {
      for (const value of [null, 1, 'x', [], {}, { AccessorID: '' }, { AccessorID: 5 }]) {
        expect(aclTokenProblem(value)).to.be.oneOf(['not a JSON object', 'AccessorID is missing']);
      }
      const secret = '0b8c1f4e-35b4-4a67-8f4e-0d6c7a8b9c0d';
      const reason = aclTokenProblem({ AccessorID: 'a', SecretID: secret, Policies: 'nope' });
      expect(reason).to.equal('Policies is not a list');
    });
  });

  describe('ConsulError', () => {
    it('never quotes more than 200 characters of a body, and classifies not-found flavours', () => {
      fc.assert(
        fc.property(fc.integer({ min: 100, max: 599 }), garbageBody, (status, body) => {
          const error = new ConsulError('acl.token.read', status, body);
          expect(error.message.length).to.be.at.most('consul acl.token.read: HTTP 599: '.length + 200);
          expect(error.isNotFound).to.equal(
            status === 404 || (status === 403 && /ACL not found/i.test(body)),
          );
          expect(error.isRetryable).to.equal([429, 502, 503, 504].includes(status));
        }),
        RUNS,
      );
    });
  });
});
