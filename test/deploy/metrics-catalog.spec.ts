/**
 * The metric catalogue: every metric the Grafana dashboard and the Prometheus alert rules name
 * must really be exported by a running controller (histogram `_bucket/_sum/_count` mapped to
 * their family), and every label they group or match on must appear on its samples. `up` is
 * Prometheus's own. The controller runs end to end against envtest servers (test/acl/world.ts).
 */
import { expect } from 'chai';

import { AclWorld, eventually } from '../acl/world.js';
import { alertRules, dashboardExprs } from './deploy-configs.js';
import { type Exposition, familyOf, labelNames, metricNames, parseExposition } from './promql.js';

const FROM_PROMETHEUS = new Set(['up']);
const TARGET_LABELS = new Set(['job', 'instance', 'le']);

describe('metric catalogue of the dashboard and alert rules', function () {
  this.timeout(30_000);

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

  describe('against a running controller', () => {
    let world: AclWorld;
    let exposition: Exposition;
    const exprs = [...alertRules().map((rule) => rule.expr), ...dashboardExprs()];

    before(async () => {
      world = await AclWorld.start();
      await world.createServiceSecret('web');
      await world.runTasks('web');
      const controller = await world.startController();
      const token = await eventually('a token for web', async () => (await world.serviceTokens())[0]);
      // Delete the token out of band, so the repair counter gets a sample too.
      await world.consul('DELETE', `/v1/acl/token/${token.AccessorID}`);
      exposition = await eventually('time_to_token and a repair observed', async () => {
        const parsed = parseExposition(await controller.metrics());
        const ready = ['acl_controller_time_to_token_seconds_bucket', 'acl_controller_tokens_repaired_total'];
        return ready.every((name) => parsed.samples.has(name)) ? parsed : undefined;
      });
    });
    after(async () => {
      await world?.close();
    });

    it('the configs name a broad set of metrics', () => {
      const names = new Set(exprs.flatMap(metricNames));
      expect(names.size).to.be.at.least(25);
      expect(exprs.length).to.be.at.least(30);
    });

    it('exports every metric the alert rules and dashboard name', () => {
      const missing = new Set<string>();
      for (const expr of exprs) {
        for (const name of metricNames(expr)) {
          if (FROM_PROMETHEUS.has(name)) continue;
          const family = familyOf(name, exposition);
          if (!exposition.types.has(family)) missing.add(`${name} (in ${expr})`);
        }
      }
      expect([...missing]).to.deep.equal([]);
    });

    it('has samples carrying every label the expressions group or match on', () => {
      const problems: string[] = [];
      for (const expr of exprs) {
        const names = metricNames(expr).filter((name) => !FROM_PROMETHEUS.has(name));
        if (names.length === 0) continue;
        const seen = new Set(names.flatMap((name) => [...(exposition.samples.get(name) ?? [])]));
        const sampled = names.filter((name) => exposition.samples.has(name));
        if (sampled.length === 0) problems.push(`no samples yet for ${names.join(', ')}`);
        for (const label of labelNames(expr)) {
          if (!TARGET_LABELS.has(label) && !seen.has(label))
            problems.push(`label ${label} not on ${names.join(', ')}`);
        }
      }
      expect(problems).to.deep.equal([]);
    });

    it('the catalogue check would catch a misspelled metric', () => {
      const family = familyOf('acl_controller_tokens_creatd_total', exposition);
      expect(exposition.types.has(family)).to.equal(false);
      expect(exposition.types.get('acl_controller_time_to_token_seconds')).to.equal('histogram');
    });
  });
});
