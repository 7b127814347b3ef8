/**
 * The operator's view, for real: the three roles run as processes, a session is streamed through
 * the native WebSocket protocol, and Debian's Prometheus scrapes the roles' health ports. Every
 * alert expression and every dashboard query is then evaluated through Prometheus's HTTP API, and
 * every series they name must exist there, exported by the role the metric table names.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultCluster, type RoleProcess } from '../faults/fault-cluster';
import { drain, sessionOf, speechWithPauses, stream } from '../faults/fault-client';
import { PrometheusServer, PROMTOOL } from '../helpers/prometheus-server';
import { testTempRoot } from '../helpers/test-temp';
import { randomWeightsModel } from '../helpers/test-env';
import { TestClient } from '../helpers/ws-client';
import { ROOT } from '../helpers/processes';
import { read, type Yaml, yamlFile } from './deploy-files';
import {
  alertQueries,
  dashboardQueries,
  metricTable,
  ownSelectors,
  queryFailures,
  ROLES,
  selectorsWithoutSeries,
  tableSelectors,
} from './observability-queries';

jest.setTimeout(300_000);

describe('a real Prometheus scraping the roles after a streamed session', () => {
  let cluster: FaultCluster;
  let gateway: RoleProcess;
  let prometheus: PrometheusServer | undefined;
  const queries = [...alertQueries(), ...dashboardQueries()];

  beforeAll(async () => {
    cluster = await FaultCluster.start();
    const [gw, stt, translation] = await Promise.all([
      cluster.spawn('gateway'),
      cluster.spawn('stt', { WHISPER_MODEL: randomWeightsModel() }),
      cluster.spawn('translation'),
    ]);
    gateway = gw;
    prometheus = await PrometheusServer.start(
      [gw, stt, translation].map((proc) => ({
        job: proc.role,
        address: `127.0.0.1:${proc.healthPort}`,
      })),
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await cluster?.stop();
  });

  it('scrapes every role, and after the session every series the table lists is there, from its role', async () => {
    const server = prometheus!;
    await waitForValue(async () => {
      const up = (await server.query('sum(up)')).result as { value: [number, string] }[];
      return up.length === 1 && Number(up[0].value[1]) === ROLES.length;
    }, 'every role scraped (up == 1)');

    // jfk.wav with pauses, en -> es: finals, their translations, interims.
    const client = await TestClient.connect(`${gateway.gatewayUrl}/?source=en&targets=es`);
    await sessionOf(client);
    await stream(client, speechWithPauses(['jfk']), 4);
    await client.waitCount('final', 1, 120_000);
    await client.waitCount('translation', 1, 60_000);
    await drain(client);
    expect(client.of('final').length).toBeGreaterThanOrEqual(1);
    expect(client.of('final').some((f) => String(f.text).trim() !== '')).toBe(true);
    // A malformed frame: an error message to the client (rt_errors_total).
    const bad = await TestClient.connect(`${gateway.gatewayUrl}/`);
    await sessionOf(bad);
    bad.ws.send('{ not json');
    const error = await bad.next((f) => f.type === 'error', { what: 'error frame' });
    bad.close();
    await bad.closed;

    expect(metricTable().length).toBeGreaterThanOrEqual(14);
    const expected = tableSelectors((role) => role);
    const missing = await waitForValue(
      async () => {
        const left = await selectorsWithoutSeries(server, expected);
        return left.length === 0 ? left : undefined;
      },
      'a series for every metric of the table from its role',
      () => selectorsWithoutSeries(server, expected),
    );
    expect(missing).toEqual([]);

    // The values follow the session: what the clients got is what the metrics count.
    const finals = client.of('final').length;
    const value = async (expr: string): Promise<number | undefined> => {
      const [sample] = (await server.query(expr)).result as { value: [number, string] }[];
      return sample ? Number(sample.value[1]) : undefined;
    };
    const expectations: [string, (v: number) => boolean][] = [
      ['sum(rt_sessions_total{result="started"})', (v) => v === 2],
      ['sum(rt_sessions_total{result=~"closed|error"})', (v) => v === 2],
      ['sum(rt_gateway_sessions_active)', (v) => v === 0],
      [`sum(rt_errors_total{code="${error.code}"})`, (v) => v === 1],
      ['sum(rt_final_latency_seconds_count)', (v) => v === finals],
      ['sum(rt_stage_latency_seconds_count{stage="delivery"})', (v) => v === finals],
      ['sum(rt_stage_latency_seconds_count{stage="vad"})', (v) => v >= finals],
      ['sum(rt_stage_latency_seconds_count{stage="stt"})', (v) => v >= finals],
      [
        'sum(rt_stage_latency_seconds_count{stage="translation"})',
        (v) => v >= client.of('translation').length,
      ],
      ['sum(rt_jobs_total{queue="stt",status="completed"})', (v) => v >= finals],
      ['sum(rt_jobs_total{status="failed"})', (v) => v === 0],
      ['sum(rt_queue_wait_seconds_count{queue="translation"})', (v) => v >= 1],
      ['sum(rt_stt_real_time_factor_sum{kind="final"})', (v) => v > 0],
      ['sum(rt_stt_audio_seconds_total{kind="final"})', (v) => v > 1],
    ];
    const wrong = await waitForValue(
      async () => {
        const off: string[] = [];
        for (const [expr, ok] of expectations) {
          const v = await value(expr);
          if (v === undefined || !ok(v)) off.push(`${expr} = ${v}`);
        }
        return off.length === 0 ? off : undefined;
      },
      `the metrics to count ${finals} finals and 2 sessions`,
      async () => Promise.all(expectations.map(async ([expr]) => `${expr} = ${await value(expr)}`)),
    );
    expect(wrong).toEqual([]);
  });

  it('every alert expression and dashboard query evaluates, and every rt_* series it names exists', async () => {
    const server = prometheus!;
    expect(queries.length).toBeGreaterThan(25);
    expect(await queryFailures(server)).toEqual([]);
    // The check itself: a series nobody exports, a variable it does not know, invalid PromQL.
    expect(
      await queryFailures(server, [
        { where: 'a', expr: 'sum(rate(rt_not_exported_total[$__rate_interval]))' },
        { where: 'b', expr: 'max(rt_queue_depth{queue="stt"}) > $threshold' },
        { where: 'c', expr: 'sum(rt_queue_depth' },
      ]),
    ).toEqual([
      'a: no series rt_not_exported_total',
      'b: unknown Grafana variable in max(rt_queue_depth{queue="stt"}) > $threshold',
      expect.stringMatching(/^c: query .*parse error/),
    ]);
    // kube_deployment_status_replicas_available comes from kube-state-metrics, not from the roles.
    const names = new Set(queries.flatMap((q) => ownSelectors(q.expr)));
    expect([...names].some((s) => s.startsWith('rt_final_latency_seconds_bucket'))).toBe(true);
    expect([...names].some((s) => s.startsWith('rt_stt_real_time_factor_bucket'))).toBe(true);
  });
});

describe('promtool on observability/', () => {
  it('check rules: alerts.yaml is valid', () => {
    const out = execFileSync(PROMTOOL, ['check', 'rules', 'observability/alerts.yaml'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('test rules: alerts.test.yaml passes', () => {
    const out = execFileSync(PROMTOOL, ['test', 'rules', 'observability/alerts.test.yaml'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(out).toContain('SUCCESS');
    // Every alert has a test.
    const tested = read('observability/alerts.test.yaml');
    for (const { where } of alertQueries()) {
      expect(tested).toContain(`alertname: ${where.replace('alert ', '')}`);
    }
  });

  it("prometheus.yml is valid and finds every compose service's replicas by DNS on its health port", () => {
    const config = yamlFile('observability/prometheus.yml');
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yaml']);
    const services = yamlFile('docker/compose.yaml').services as Yaml;
    const jobs = config.scrape_configs as Yaml[];
    for (const service of ['gateway', 'stt_worker', 'translation_worker']) {
      const job = jobs.find((j) => j.job_name === service);
      expect(job).toBeDefined();
      expect(job!.dns_sd_configs).toEqual([
        expect.objectContaining({
          names: [service],
          type: 'A',
          port: Number(services[service].environment.HEALTH_PORT),
        }),
      ]);
    }
    // promtool also loads the rule file: point it at the repository's copy.
    const dir = mkdtempSync(join(testTempRoot(), 'promtool-'));
    const copy = join(dir, 'prometheus.yml');
    writeFileSync(
      copy,
      read('observability/prometheus.yml').replaceAll(
        '/etc/prometheus/alerts.yaml',
        join(ROOT, 'observability/alerts.yaml'),
      ),
    );
    const out = execFileSync(PROMTOOL, ['check', 'config', copy], { encoding: 'utf8' });
    expect(out).toContain('is valid prometheus config file syntax');
  });
});

/** Polls `probe` every second for up to 90 s; on time-out, fails with `what` and `detail()`. */
async function waitForValue<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  detail?: () => Promise<unknown>,
): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await detail?.())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
