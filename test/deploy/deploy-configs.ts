/**
 * Loaders for the files under config/ that the deployment tests read: the Prometheus alert rules
 * and scrape config (YAML, via js-yaml), the Grafana dashboard, the ECS task definition and the
 * IAM policy. Each loader checks the shape it returns, so a malformed file fails loudly here.
 */
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO } from './tools.js';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export function readYaml(relativePath: string): unknown {
  return load(readFileSync(join(REPO, relativePath), 'utf8'));
}

export function alertRules(): AlertRule[] {
  const doc = readYaml('config/prometheus/alerts.yml') as {
    groups?: Array<{ name?: string; rules?: AlertRule[] }>;
  };
  if (!Array.isArray(doc.groups)) throw new Error('alerts.yml: no groups list');
  return doc.groups.flatMap((group) => {
    if (typeof group.name !== 'string' || !Array.isArray(group.rules))
      throw new Error('alerts.yml: bad group');
    return group.rules;
  });
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly targets?: Array<{ refId: string; expr: string }>;
}

export function dashboard(): {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: unknown[] };
} {
  return JSON.parse(readFileSync(join(REPO, 'config/grafana/dashboard.json'), 'utf8'));
}

export function dashboardExprs(): string[] {
  return dashboard().panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

export function readJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readFileSync(join(REPO, relativePath), 'utf8')) as T;
}
