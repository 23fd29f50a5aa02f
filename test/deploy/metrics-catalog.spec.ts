/**
 * The metric catalogue: every metric the Grafana dashboard and the Prometheus alert rules name
 * must really be exported by a running controller (histogram `_bucket/_sum/_count` mapped to
 * their family), and every label they group or match on must appear on its samples. `up` is
 * Prometheus's own. Both commands run end to end against envtest servers (test/acl/world.ts):
 * `acl-controller` (the Secrets Manager era) and `controller` (the IAM-auth era, configured as
 * upstream's modules/controller configures consul-ecs v0.10, with partitions on so that its
 * tenancy plugin reports too). Each expression must be served by one of them; the framework's
 * metrics (informers, queues, reconciles, API calls, process) by both, as must the dashboard's job
 * variable, so one dashboard serves either command.
 */
import { expect } from 'chai';

import { moduleControllerConfig } from '../helpers/consul-ecs/run-consul-ecs-controller.js';
import { startTaskMetadataStub, type TaskMetadataStub } from '../helpers/consul-ecs/task-metadata-stub.js';
import { type ControllerProcess, spawnIamController } from '../acl/cli-process.js';
import { AclWorld, eventually, meshTagsIn } from '../acl/world.js';
import { alertRules, dashboard, dashboardExprs } from './deploy-configs.js';
import { type Exposition, familyOf, labelNames, metricNames, parseExposition } from './promql.js';

const FROM_PROMETHEUS = new Set(['up']);
const TARGET_LABELS = new Set(['job', 'instance', 'le']);
/** Families only the IAM-auth era's `controller` exports (acl-controller without -iam-auth-cluster). */
const IAM_ERA = ['task_cleanup_removals_total', 'consul_resources_changes_total'];
const TENANCY = 'acl_controller_tenancy_changes_total';
const ACCOUNT = '123456789012';

type Command = 'acl-controller' | 'controller';

/** What is wrong with an expression against one exposition; empty when it serves it. */
function problemsOf(expr: string, exposition: Exposition): string[] {
  const names = metricNames(expr).filter((name) => !FROM_PROMETHEUS.has(name));
  const problems = names
    .filter((name) => !exposition.types.has(familyOf(name, exposition)))
    .map((name) => `${name} not exported`);
  if (names.length === 0 || problems.length > 0) return problems;
  const seen = new Set(names.flatMap((name) => [...(exposition.samples.get(name) ?? [])]));
  if (!names.some((name) => exposition.samples.has(name)))
    problems.push(`no samples yet for ${names.join(', ')}`);
  for (const label of labelNames(expr))
    if (!TARGET_LABELS.has(label) && !seen.has(label))
      problems.push(`label ${label} not on ${names.join(', ')}`);
  return problems;
}

describe('metric catalogue of the dashboard and alert rules', function () {
  this.timeout(60_000);

  describe('PromQL name extraction', () => {
    it('keeps metric names and drops functions, keywords, labels, ranges and strings', () => {
      const expr =
        'histogram_quantile(0.99, sum by (job, le) (rate(a_seconds_bucket{job="x", code=~"b_c"}[5m]))) > 60 and on (job) time() - b_total offset 5m';
      expect(metricNames(expr)).to.deep.equal(['a_seconds_bucket', 'b_total']);
      expect(labelNames(expr)).to.deep.equal(['code', 'job', 'le']);
    });

    it('maps histogram suffixes to their family only for histograms', () => {
      const exposition = parseExposition(
        '# TYPE h histogram\nh_bucket{le="1"} 0\nh_sum 0\nh_count 0\n# TYPE c_count counter\nc_count 1\n',
      );
      expect(familyOf('h_bucket', exposition)).to.equal('h');
      expect(familyOf('h_count', exposition)).to.equal('h');
      expect(familyOf('c_count', exposition)).to.equal('c_count');
    });
  });

  describe('against running controllers of both eras', () => {
    const worlds: AclWorld[] = [];
    let stub: TaskMetadataStub | undefined;
    let iamController: ControllerProcess | undefined;
    const expositions = {} as Record<Command, Exposition>;
    const alertExprs = alertRules().map((rule) => rule.expr);
    const exprs = [...alertExprs, ...dashboardExprs()];

    before(async () => {
      const world = await AclWorld.start();
      worlds.push(world);
      await world.createServiceSecret('web');
      await world.runTasks('web');
      const controller = await world.startController();
      const token = await eventually('a token for web', async () => (await world.serviceTokens())[0]);
      // Delete the token out of band, so the repair counter gets a sample too.
      await world.consul('DELETE', `/v1/acl/token/${token.AccessorID}`);
      expositions['acl-controller'] = await eventually('time_to_token and a repair observed', async () => {
        const parsed = parseExposition(await controller.metrics());
        const ready = ['acl_controller_time_to_token_seconds_bucket', 'acl_controller_tokens_repaired_total'];
        return ready.every((name) => parsed.samples.has(name)) ? parsed : undefined;
      });
      expositions.controller = await iamEraExposition();
    });

    /** `controller` with partitions on: Consul resources and tenancy made, one stopped task's login token deleted. */
    async function iamEraExposition(): Promise<Exposition> {
      const world = await AclWorld.start({ consul: { enterprise: true } });
      worlds.push(world);
      const [, stopping] = await world.runTasks('web', 2, meshTagsIn('team1'));
      const clusterArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${world.cluster}`;
      const taskId = (stopping as string).slice((stopping as string).lastIndexOf('/') + 1);
      const meta = { 'consul.hashicorp.com/cluster': clusterArn, 'consul.hashicorp.com/task-id': taskId };
      await world.consul('PUT', '/v1/acl/token', {
        Description: `token created via login: ${JSON.stringify(meta)}`,
        ServiceIdentities: [{ ServiceName: 'web' }],
      });
      stub = await startTaskMetadataStub({ cluster: world.cluster, accountId: ACCOUNT });
      const config = {
        ...moduleControllerConfig({ consulHttpUrl: world.backends.consulUrl, grpcPort: 8502 }),
        controller: { iamRolePath: '/consul-ecs/', partitionsEnabled: true, partition: 'default' },
      };
      iamController = spawnIamController(world, stub.url, config, [
        '-gc-grace-period',
        '0',
        '-resync-interval',
        '1s',
        '-listen-addr',
        '127.0.0.1:0',
      ]);
      await iamController.metricsMatching(/consul_resources_changes_total\{/, 'Consul resources made');
      await world.stopTasks([stopping as string]);
      const url = `${await iamController.opsUrl()}/metrics`;
      return eventually('a removal and a tenancy change observed', async () => {
        const parsed = parseExposition(await (await fetch(url)).text());
        return [...IAM_ERA, TENANCY].every((name) => parsed.samples.has(name)) ? parsed : undefined;
      });
    }

    after(async () => {
      iamController?.child.kill('SIGKILL');
      await iamController?.exited;
      await stub?.close();
      for (const world of worlds) await world.close();
    });

    it('the configs name a broad set of metrics', () => {
      const names = new Set(exprs.flatMap(metricNames));
      expect(names.size).to.be.at.least(28);
      expect(exprs.length).to.be.at.least(38);
    });

    it('every expression is served by one of the two commands: metrics exported, samples with its labels', () => {
      const unserved: string[] = [];
      for (const expr of exprs) {
        const problems = (Object.keys(expositions) as Command[]).map((command) => [
          command,
          problemsOf(expr, expositions[command]),
        ]);
        if (problems.every(([, list]) => (list as string[]).length > 0))
          unserved.push(`${expr}: ${JSON.stringify(Object.fromEntries(problems))}`);
      }
      expect(unserved).to.deep.equal([]);
    });

    it('has the IAM-auth era metrics on the dashboard and in the alerts, exported by `controller` only', () => {
      const dashboardNames = new Set(dashboardExprs().flatMap(metricNames));
      const alertNames = new Set(alertExprs.flatMap(metricNames));
      for (const name of [...IAM_ERA, TENANCY]) {
        expect(dashboardNames, name).to.include(name);
        expect(alertNames, name).to.include(name);
        expect(expositions.controller.types.get(name), name).to.equal('counter');
      }
      for (const name of IAM_ERA) expect(expositions['acl-controller'].types.has(name), name).to.equal(false);
    });

    it("the framework's metrics are exported by both commands", () => {
      const framework = [...new Set(exprs.flatMap(metricNames))].filter(
        (name) =>
          !FROM_PROMETHEUS.has(name) && !name.startsWith('acl_controller_') && !IAM_ERA.includes(name),
      );
      expect(framework.length).to.be.at.least(15);
      const missing = framework.flatMap((name) =>
        (Object.keys(expositions) as Command[])
          .filter((command) => !expositions[command].types.has(familyOf(name, expositions[command])))
          .map((command) => `${name} (${command})`),
      );
      expect(missing).to.deep.equal([]);
    });

    it("the dashboard's job variable finds the job of either command", () => {
      const job = (dashboard().templating.list as Array<{ name: string; query?: { query?: string } }>).find(
        (variable) => variable.name === 'job',
      );
      const metric = /^label_values\((\w+), job\)$/.exec(job?.query?.query ?? '')?.[1] as string;
      expect(metric).to.be.a('string');
      for (const command of Object.keys(expositions) as Command[])
        expect(expositions[command].samples.has(metric), `${metric} (${command})`).to.equal(true);
    });

    it('the catalogue check would catch a misspelled metric', () => {
      const exposition = expositions['acl-controller'];
      expect(problemsOf('rate(acl_controller_tokens_creatd_total[5m])', exposition)).to.deep.equal([
        'acl_controller_tokens_creatd_total not exported',
      ]);
      expect(problemsOf('sum by (nope) (task_cleanup_removals_total)', expositions.controller)).to.deep.equal(
        ['label nope not on task_cleanup_removals_total'],
      );
      expect(exposition.types.get('acl_controller_time_to_token_seconds')).to.equal('histogram');
    });
  });
});
