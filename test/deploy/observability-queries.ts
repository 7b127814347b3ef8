import { type PrometheusApi } from '../helpers/prometheus-server';
import { read, type Yaml, yamlFile } from './deploy-files';

/**
 * The PromQL that observability/ ships (alerts and dashboard), and the checks of it against a real
 * Prometheus: for local processes (prometheus.e2e-spec.ts) and for a container stack alike.
 */

export const ROLES = ['gateway', 'stt', 'translation'] as const;
export type Role = (typeof ROLES)[number];

export interface Query {
  where: string;
  expr: string;
}

export function alertQueries(): Query[] {
  return (yamlFile('observability/alerts.yaml').groups as Yaml[])
    .flatMap((group) => group.rules as Yaml[])
    .map((rule) => ({ where: `alert ${rule.alert}`, expr: String(rule.expr) }));
}

export function dashboardQueries(): Query[] {
  const panels = (JSON.parse(read('observability/grafana-dashboard.json')) as Yaml)
    .panels as Yaml[];
  return panels
    .filter((panel) => panel.type !== 'row')
    .flatMap((panel) =>
      (panel.targets as Yaml[]).map((target) => ({
        where: `panel "${panel.title}" ${target.refId}`,
        expr: String(target.expr),
      })),
    );
}

/**
 * Grafana's interval variables become a fixed window of 1m (enough samples at a short scrape
 * interval); any other `$` is left, and the check reports it as a variable it does not know.
 */
export function withGrafanaVariables(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '1m');
}

/** Selectors, with their matchers, of the service's own series: `rt_*` and Node's `process_*`. */
export function ownSelectors(expr: string): string[] {
  return [...expr.matchAll(/\b((?:rt|process)_[a-z0-9_]+)(\{[^}]*\})?/g)].map((m) => m[0]);
}

export interface MetricRow {
  name: string;
  type: string;
  roles: Role[];
}

/** The metric table of observability/README.md, with the roles that export each metric. */
export function metricTable(): MetricRow[] {
  return [
    ...read('observability/README.md').matchAll(
      /^\| `(rt_\w+)` \| (\w+) \|[^|]*\| \w+ \| ([a-z, ]+) \|/gm,
    ),
  ].map((m) => ({
    name: m[1],
    type: m[2],
    roles: m[3] === 'every' ? [...ROLES] : (m[3].split(', ') as Role[]),
  }));
}

/** One selector per metric of the table and role that exports it; `job` names the role's job. */
export function tableSelectors(job: (role: Role) => string): string[] {
  return metricTable().flatMap((row) =>
    row.roles.map(
      (role) => `${row.type === 'histogram' ? `${row.name}_bucket` : row.name}{job="${job(role)}"}`,
    ),
  );
}

export async function selectorsWithoutSeries(
  prometheus: PrometheusApi,
  selectors: string[],
): Promise<string[]> {
  const missing: string[] = [];
  for (const selector of selectors) {
    if ((await prometheus.series(selector)).length === 0) missing.push(selector);
  }
  return missing;
}

/**
 * Evaluates every alert expression and dashboard query; reports the ones Prometheus refuses, an
 * unknown Grafana variable, and every selector of ours that matches no series.
 */
export async function queryFailures(
  prometheus: PrometheusApi,
  queries: Query[] = [...alertQueries(), ...dashboardQueries()],
): Promise<string[]> {
  const failures: string[] = [];
  for (const { where, expr } of queries) {
    const promql = withGrafanaVariables(expr);
    if (promql.includes('$')) {
      failures.push(`${where}: unknown Grafana variable in ${expr}`);
      continue;
    }
    try {
      await prometheus.query(promql);
    } catch (error) {
      failures.push(`${where}: ${(error as Error).message}`);
    }
    for (const selector of await selectorsWithoutSeries(prometheus, ownSelectors(promql))) {
      failures.push(`${where}: no series ${selector}`);
    }
  }
  return failures;
}
