/**
 * Structure of config/prometheus/{scrape,alerts}.yml and config/grafana/dashboard.json: the
 * YAML parses (js-yaml), the scrape job is the one the rules select, every rule is complete and
 * its templates only use labels its expression keeps, the alerts the runbook needs exist, and
 * the dashboard's panels are well-formed and tile the grid. Metric names are checked against a
 * live controller in metrics-catalog.spec.ts.
 */
import { expect } from 'chai';

import { alertRules, dashboard, type DashboardPanel, readYaml } from './deploy-configs.js';
import { labelNames, metricNames } from './promql.js';

const JOB = 'ecs-acl-controller';

function balanced(expr: string): boolean {
  let depth = 0;
  for (const char of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ('([{'.includes(char)) depth++;
    if (')]}'.includes(char)) depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

describe('Prometheus configuration', () => {
  it('scrape.yml has the ecs-acl-controller job on /metrics, port 8080', () => {
    const doc = readYaml('config/prometheus/scrape.yml') as {
      scrape_configs: Array<{
        job_name: string;
        metrics_path: string;
        static_configs?: Array<{ targets: string[] }>;
      }>;
    };
    const job = doc.scrape_configs.find((config) => config.job_name === JOB);
    expect(job?.metrics_path).to.equal('/metrics');
    const targets = job?.static_configs?.flatMap((config) => config.targets) ?? [];
    expect(targets).to.have.length.greaterThan(0);
    for (const target of targets) expect(target).to.match(/:8080$/);
  });

  describe('alerts.yml', () => {
    const rules = alertRules();

    it('has complete rules with unique names, a known severity and a summary', () => {
      expect(new Set(rules.map((rule) => rule.alert)).size).to.equal(rules.length);
      for (const rule of rules) {
        expect(rule.alert, rule.alert).to.match(/^EcsAclController[A-Z][A-Za-z]+$/);
        expect(rule.expr, rule.alert).to.be.a('string').and.not.equal('');
        expect(balanced(rule.expr), `${rule.alert} parentheses`).to.equal(true);
        if (rule.for !== undefined) expect(rule.for, rule.alert).to.match(/^\d+[smh]$/);
        expect(['critical', 'warning', 'info'], rule.alert).to.include(rule.labels.severity);
        expect(rule.annotations.summary, rule.alert).to.be.a('string');
      }
    });

    it('selects the scrape job in every rule', () => {
      for (const rule of rules) expect(rule.expr, rule.alert).to.include(`job="${JOB}"`);
    });

    it('uses in its templates only labels that the expression keeps', () => {
      for (const rule of rules) {
        const grouped = [...rule.expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) =>
          (m[1] as string).split(',').map((label) => label.trim()),
        );
        const templated = Object.values(rule.annotations).flatMap((text) =>
          [...text.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1] as string),
        );
        if (grouped.length > 0)
          for (const label of templated) expect(grouped, `${rule.alert}: ${label}`).to.include(label);
      }
    });

    it('covers controller down, reconcile errors, time to token, informer sync and the client token', () => {
      const find = (test: (expr: string) => boolean) =>
        rules.filter((rule) => test(rule.expr)).map((rule) => rule.alert);
      expect(find((e) => /\bup\{[^}]*\} == 0/.test(e))).to.have.length(1);
      expect(find((e) => /^absent\(up\{/.test(e))).to.have.length(1);
      expect(
        find((e) => /rate\(controller_runtime_reconcile_errors_total\{.*\[5m\]\)\) > 0$/.test(e)),
      ).to.have.length(1);
      expect(
        find((e) => /^histogram_quantile\(0\.99, .*acl_controller_time_to_token_seconds_bucket/.test(e)),
      ).to.have.length(1);
      expect(
        find((e) => /^time\(\) - informer_last_sync_timestamp_seconds\{.*\} > \d+$/.test(e)),
      ).to.have.length(1);
      expect(find((e) => /^informer_synced\{.*\} == 0$/.test(e))).to.have.length(1);
      // Over the replicas of a cluster: a standby reports 0, only the lock holder speaks for it.
      expect(
        find((e) => /^max by \(job, cluster\) \(acl_controller_client_token_ready\{.*\}\) == 0$/.test(e)),
      ).to.have.length(1);
      const sustained = rules.filter((rule) =>
        /controller_runtime_reconcile_errors_total|time_to_token/.test(rule.expr),
      );
      for (const rule of sustained) expect(rule.for, rule.alert).to.match(/^\d+m$/);
    });

    it('covers the IAM-auth era: Consul resources and tenancy undone again and again, merge races, refused removals', () => {
      const find = (test: (expr: string) => boolean) =>
        rules.filter((rule) => test(rule.expr)).map((rule) => rule.alert);
      const flapping = (metric: string) =>
        new RegExp(
          `^sum by \\(job, cluster, change\\) \\(increase\\(${metric}\\{[^}]*\\}\\[1h\\]\\)\\) > \\d+$`,
        );
      expect(
        find((e) => flapping('consul_resources_changes_total').test(e) && /_repaired/.test(e)),
      ).to.have.length(1);
      expect(find((e) => flapping('acl_controller_tenancy_changes_total').test(e))).to.have.length(1);
      expect(
        find((e) => /consul_resources_changes_total\{[^}]*change="auth_method_merge_raced"/.test(e)),
      ).to.have.length(1);
      expect(find((e) => /task_cleanup_removals_total\{[^}]*outcome="refused"/.test(e))).to.have.length(1);
    });
  });
});

describe('Grafana dashboard', () => {
  const board = dashboard();
  const panels = board.panels.filter((panel) => panel.type !== 'row');

  it('has a uid, a title, a data-source variable and a job variable', () => {
    expect(board.uid).to.equal(JOB);
    expect(board.title).to.be.a('string');
    const names = (board.templating.list as Array<{ name: string }>).map((variable) => variable.name);
    expect(names).to.include.members(['datasource', 'job']);
  });

  it('has a row for the IAM-auth era with panels on its metrics below it', () => {
    const row = board.panels.find((panel) => panel.type === 'row' && /IAM-auth era/.test(panel.title));
    expect(row, 'IAM-auth era row').to.not.equal(undefined);
    const below = panels.filter((panel) => panel.gridPos.y > (row as DashboardPanel).gridPos.y);
    const named = below.flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) => metricNames(target.expr)),
    );
    expect(named).to.include.members([
      'task_cleanup_removals_total',
      'consul_resources_changes_total',
      'acl_controller_tenancy_changes_total',
    ]);
  });

  it('has unique panel ids, and every panel queries with unique refIds', () => {
    expect(new Set(board.panels.map((panel) => panel.id)).size).to.equal(board.panels.length);
    expect(panels.length).to.be.at.least(15);
    for (const panel of panels) {
      const targets = panel.targets ?? [];
      expect(targets, panel.title).to.have.length.greaterThan(0);
      expect(new Set(targets.map((target) => target.refId)).size, panel.title).to.equal(targets.length);
      for (const target of targets)
        expect(balanced(target.expr), `${panel.title}: ${target.expr}`).to.equal(true);
    }
  });

  it('filters every metric by the job variable', () => {
    for (const panel of panels) {
      for (const { expr } of panel.targets ?? []) {
        const selectors = [...expr.matchAll(/([a-z_:]+)\{([^}]*)\}/g)];
        expect(selectors.length, expr).to.equal(metricNames(expr).length);
        for (const selector of selectors) expect(selector[2], expr).to.include('job=~"$job"');
        expect(labelNames(expr)).to.include('job');
      }
    }
  });

  it('tiles the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const panel of board.panels as DashboardPanel[]) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).to.be.at.most(24);
      for (let row = y; row < y + h; row++) {
        for (let column = x; column < x + w; column++) {
          const cell = `${column},${row}`;
          expect(cells.has(cell), `${panel.title} overlaps at ${cell}`).to.equal(false);
          cells.add(cell);
        }
      }
    }
  });
});
