import { startApp } from 'src/bootstrap';
import { ROLES } from 'src/common/config/app-config';
import { cleanupPrefix, testConfig } from '../helpers/test-env';
import { read, type Yaml, yamlFile } from './deploy-files';

interface MetricRow {
  name: string;
  status: string;
}

/** The metric table of observability/README.md. */
function metricTable(): MetricRow[] {
  return [
    ...read('observability/README.md').matchAll(/^\| `(rt_\w+)` \|[^|]*\|[^|]*\| (\w+) \|/gm),
  ].map((match) => ({ name: match[1], status: match[2] }));
}

/** rt_* metric names in PromQL, without the histogram suffixes. */
function metricsIn(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/\b(rt_[a-z0-9_]+)/g)].map((m) => m[1].replace(/_(bucket|sum|count)$/, '')),
  );
}

describe('observability', () => {
  const dashboard = JSON.parse(read('observability/grafana-dashboard.json')) as Yaml;
  const rules = (yamlFile('observability/alerts.yaml').groups as Yaml[]).flatMap(
    (g) => g.rules as Yaml[],
  );
  const table = metricTable();

  it('the dashboard has unique panel ids, and every panel queries Prometheus', () => {
    const panels = dashboard.panels as Yaml[];
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const graphs = panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThan(15);
    for (const panel of graphs) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target.expr).toMatch(/\(|rt_|process_/);
    }
    const titles = graphs.map((p) => String(p.title).toLowerCase()).join('\n');
    for (const topic of [
      'sessions',
      'audio',
      'queue depth',
      'queue wait',
      'stage latency',
      'real-time factor',
      'errors',
    ]) {
      expect(titles).toContain(topic);
    }
  });

  it('the alert rules cover queue backlog, final latency, missing replicas and error rate', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'RtQueueBackingUp',
        'RtFinalLatencyHigh',
        'RtRoleNoReadyReplicas',
        'RtRoleAbsent',
        'RtJobFailureRate',
        'RtErrorRate',
      ]),
    );
    for (const rule of rules) {
      expect(rule.expr).toEqual(expect.any(String));
      expect(rule.for).toMatch(/^\d+m$/);
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toEqual(expect.any(String));
    }
  });

  it('every rt_* metric the dashboard and alerts use is in the metric table, and exists', () => {
    const used = new Set([
      ...metricsIn(read('observability/grafana-dashboard.json')),
      ...metricsIn(read('observability/alerts.yaml')),
    ]);
    const documented = new Set(table.map((row) => row.name));
    expect([...used].filter((name) => !documented.has(name))).toEqual([]);
    expect(table.filter((row) => row.status !== 'exists')).toEqual([]);
  });

  it('a running process serves every metric the table marks as existing', async () => {
    const config = await testConfig({ ROLE: ROLES.join(',') });
    const running = await startApp(config);
    try {
      const metrics = await (
        await fetch(`http://127.0.0.1:${config.http.healthPort}/metrics`)
      ).text();
      const existing = table.filter((row) => row.status === 'exists').map((row) => row.name);
      expect(existing.length).toBeGreaterThanOrEqual(2);
      for (const name of existing) expect(metrics).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    } finally {
      await running.close();
      await cleanupPrefix(config.redis.prefix);
    }
  });
});
