import * as keda from '@kubernetes-models/keda';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import * as kubernetes from 'kubernetes-models';
import { loadConfig } from 'src/common/config/load-config';
import { QueueName } from 'src/contracts/queue-names';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../helpers/test-env';
import {
  K8S_DIR,
  kustomizeObjects,
  read,
  type Yaml,
  yamlDocuments,
  yamlFilesUnder,
} from './deploy-files';

const objects = kustomizeObjects();
const ofKind = (kind: string): Yaml[] =>
  objects.filter(({ object }) => object.kind === kind).map(({ object }) => object);
const named = (kind: string, name: string): Yaml => {
  const found = ofKind(kind).find((object) => object.metadata.name === name);
  if (!found) throw new Error(`No ${kind} ${name}`);
  return found;
};
const workloads = [...ofKind('Deployment'), ...ofKind('StatefulSet')];
const appDeployments = ofKind('Deployment');
const ROLE_OF: Record<string, string> = {
  gateway: 'gateway',
  'stt-worker': 'stt',
  'translation-worker': 'translation',
};

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('every manifest parses, and kustomization.yaml applies every one outside optional/', () => {
    const files = yamlFilesUnder(K8S_DIR).map((file) => file.replace('deploy/k8s/', ''));
    for (const file of files) expect(() => yamlDocuments(`deploy/k8s/${file}`)).not.toThrow();
    const applied = new Set(objects.map(({ file }) => file));
    const expected = files.filter((f) => f !== 'kustomization.yaml' && !f.startsWith('optional/'));
    expect([...applied].sort()).toEqual(expected.sort());
    for (const { object } of objects) {
      expect(object.apiVersion).toEqual(expect.any(String));
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  it('has one Deployment per role, each running its ROLE on its health port', () => {
    expect(appDeployments.map((d) => d.metadata.name).sort()).toEqual(Object.keys(ROLE_OF).sort());
    const configMap = named('ConfigMap', 'realtime-stt-config').data as Record<string, string>;
    for (const deployment of appDeployments) {
      const container = deployment.spec.template.spec.containers[0];
      const env = Object.fromEntries(
        (container.env as Yaml[]).filter((e) => 'value' in e).map((e) => [e.name, e.value]),
      );
      expect(env.ROLE).toBe(ROLE_OF[deployment.metadata.name]);
      // The ConfigMap plus the Deployment's own variables form a configuration the service accepts.
      const config = loadConfig({
        ...configMap,
        ...env,
        // From the realtime-stt-secrets Secret.
        REDIS_URL: 'redis://redis:6379',
        JWT_SECRET: 'k8s-manifest-test-secret-0123456789abcdef',
      });
      const healthPort = container.ports.find((p: Yaml) => p.name === 'health').containerPort;
      expect(config.http.healthPort).toBe(healthPort);
      expect(container.envFrom).toEqual([
        { configMapRef: { name: 'realtime-stt-config' } },
        { secretRef: { name: 'realtime-stt-secrets' } },
      ]);
    }
  });

  it.each(workloads.map((w) => [w.kind, w.metadata.name, w] as const))(
    '%s %s: restricted security context, probes and resources on every container',
    (_kind, _name, workload) => {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      const containers = [...(pod.initContainers ?? []), ...pod.containers] as Yaml[];
      const mounted = new Set((pod.volumes ?? []).map((v: Yaml) => v.name));
      for (const claim of workload.spec.volumeClaimTemplates ?? [])
        mounted.add(claim.metadata.name);
      for (const container of containers) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        for (const kind of ['requests', 'limits']) {
          expect(container.resources[kind].cpu).toBeDefined();
          expect(container.resources[kind].memory).toBeDefined();
        }
        expect(container.livenessProbe).toBeDefined();
        expect(container.readinessProbe).toBeDefined();
        // A read-only root needs /tmp on a volume.
        const mounts = (container.volumeMounts ?? []) as Yaml[];
        expect(mounts.map((m) => m.mountPath)).toContain('/tmp');
        for (const mount of mounts) expect(mounted.has(mount.name)).toBe(true);
      }
    },
  );

  it.each(appDeployments.map((d) => [d.metadata.name, d] as const))(
    '%s: probes hit /health/live and /health/ready, grace outlasts the 30 s drain',
    (_name, deployment) => {
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'health' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'health' });
      const preStopSeconds = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
      expect(read('src/main.ts')).toMatch(/SHUTDOWN_DEADLINE_MS = 30_000/);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(30 + preStopSeconds);
      expect(deployment.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
    },
  );

  it('gateway waits in preStop until it is out of the Service endpoints', () => {
    const gateway = named('Deployment', 'gateway').spec.template.spec.containers[0];
    expect(gateway.lifecycle.preStop.exec.command).toEqual(['sleep', '10']);
  });

  it('Services, PDBs and autoscalers point at existing workloads and ports', () => {
    const podLabels = workloads.map((w) => w.spec.template.metadata.labels);
    for (const service of ofKind('Service')) {
      const target = workloads.find((w) =>
        matches(service.spec.selector, w.spec.template.metadata.labels),
      );
      expect(target).toBeDefined();
      const ports = target!.spec.template.spec.containers.flatMap((c: Yaml) => c.ports);
      for (const port of service.spec.ports) {
        expect(ports.map((p: Yaml) => p.name)).toContain(port.targetPort);
      }
    }
    for (const pdb of ofKind('PodDisruptionBudget')) {
      expect(podLabels.some((labels) => matches(pdb.spec.selector.matchLabels, labels))).toBe(true);
    }
    const deploymentNames = appDeployments.map((d) => d.metadata.name);
    expect(named('HorizontalPodAutoscaler', 'gateway').spec.scaleTargetRef.name).toBe('gateway');
    expect(named('HorizontalPodAutoscaler', 'gateway').spec.metrics[0].resource.name).toBe('cpu');
    for (const scaled of ofKind('ScaledObject')) {
      expect(deploymentNames).toContain(scaled.spec.scaleTargetRef.name);
    }
  });

  it('Redis persists (AOF every second, volume claim) and never evicts', () => {
    const conf = named('ConfigMap', 'redis-config').data['redis.conf'] as string;
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^appendfsync everysec$/m);
    const redis = named('StatefulSet', 'redis');
    expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(redis.spec.template.spec.containers[0].args).toContain('--requirepass');
  });

  it('denies all traffic by default and lets the roles reach Redis', () => {
    const policies = ofKind('NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name === 'default-deny')!;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const redisIngress = policies.find((p) => p.metadata.name === 'redis-ingress')!;
    expect(redisIngress.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 6379 }]);
  });

  it('secrets come from Secret objects, never from the ConfigMap', () => {
    const configMap = named('ConfigMap', 'realtime-stt-config').data as Record<string, string>;
    expect(Object.keys(configMap)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/REDIS_URL|DATABASE_URL|PASSWORD/)]),
    );
    // No secret value is shipped: the Secrets are generated by create-secrets.sh.
    expect(ofKind('Secret')).toEqual([]);
    const script = read('deploy/k8s/create-secrets.sh');
    for (const name of ['REDIS_URL', 'DATABASE_URL', 'JWT_SECRET', 'REDIS_PASSWORD']) {
      expect(script).toContain(`--from-literal=${name}=`);
    }
    expect(script).toContain('openssl rand -base64 48');
  });
});

describe('KEDA triggers watch the keys BullMQ really uses', () => {
  const prefix = uniquePrefix();
  afterAll(() => cleanupPrefix(prefix));

  it('the redis trigger lists are <QUEUE_PREFIX>:<queue>:wait, prioritized jobs go elsewhere', async () => {
    const configPrefix = named('ConfigMap', 'realtime-stt-config').data.QUEUE_PREFIX as string;
    const triggers = ofKind('ScaledObject').flatMap((s) =>
      (s.spec.triggers as Yaml[]).map((t): Yaml => ({ ...t, target: s.spec.scaleTargetRef.name })),
    );
    const queueOf: Record<string, QueueName> = {
      'stt-worker': QueueName.Stt,
      'translation-worker': QueueName.Translation,
    };
    const redisTriggers = triggers.filter((t) => t.type === 'redis');
    expect(redisTriggers).toHaveLength(2);
    for (const trigger of redisTriggers) {
      expect(trigger.metadata.listName).toBe(`${configPrefix}:${queueOf[trigger.target]}:wait`);
      expect(trigger.authenticationRef.name).toBe('redis-auth');
    }
    for (const trigger of triggers.filter((t) => t.type === 'prometheus')) {
      expect(trigger.metadata.query).toContain(`queue="${queueOf[trigger.target]}"`);
      expect(trigger.metadata.query).toContain('rt_queue_depth');
    }

    // The same key layout, checked against BullMQ on real Redis under a test prefix.
    const redis = new Redis(REDIS_URL);
    const queue = new Queue(QueueName.Stt, { connection: { url: REDIS_URL }, prefix });
    try {
      await queue.add('plain', { n: 1 });
      await queue.add('final', { n: 2 }, { priority: 1 });
      expect(await redis.llen(`${prefix}:${QueueName.Stt}:wait`)).toBe(1);
      expect(await redis.zcard(`${prefix}:${QueueName.Stt}:prioritized`)).toBe(1);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});

type Model = new (data: object) => { validate(): void };
type Kinds = Record<string, Model | undefined>;
type Versions = Record<string, Kinds | undefined>;

/**
 * The kubernetes-models class for an object's apiVersion and kind: the API groups of Kubernetes
 * 1.27 (`kubernetes-models`) and KEDA's CRDs (`@kubernetes-models/keda`), each with the JSON
 * schema it validates against. Undefined when neither package has one.
 */
function schemaModel(object: Yaml): Model | undefined {
  const apiVersion = String(object.apiVersion);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  // API groups are exported camel-cased: networking.k8s.io -> networkingK8sIo, keda.sh -> kedaSh.
  const exported = group.replace(/\.(\w)/g, (_, letter: string) => letter.toUpperCase());
  const groups = { ...kubernetes, ...keda } as unknown as Record<string, Versions | undefined>;
  const versions =
    group === '' ? { [version]: kubernetes.v1 as unknown as Kinds } : groups[exported];
  return versions?.[version]?.[String(object.kind)];
}

/** Every schema error of an object, or [] when it is valid. */
function schemaErrors(object: Yaml): string[] {
  const Model = schemaModel(object);
  if (!Model) return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

const schemaSource = (object: Yaml): string =>
  String(object.apiVersion).startsWith('keda.sh/')
    ? 'KEDA CRD schema'
    : 'Kubernetes 1.27 API schema';

describe('Kubernetes manifests against the API schemas (kubernetes-models, @kubernetes-models/keda)', () => {
  it.each(
    objects.map(({ object }) => [object.kind, object.metadata.name, schemaSource(object), object]),
  )('%s %s is valid against the %s', (_kind, _name, _schema, object) => {
    expect(schemaModel(object)).toBeDefined();
    expect(schemaErrors(object)).toEqual([]);
  });

  it('every object kustomize applies has a schema: Kubernetes API groups and KEDA CRDs', () => {
    const kinds = new Set(objects.map(({ object }) => `${object.apiVersion} ${object.kind}`));
    expect(kinds).toContain('keda.sh/v1alpha1 ScaledObject');
    expect(kinds).toContain('keda.sh/v1alpha1 TriggerAuthentication');
    expect([...kinds].filter((kind) => schemaModel(yamlOf(kind)) === undefined)).toEqual([]);
  });

  it('the validator finds wrong types and missing required fields', () => {
    const gateway = structuredClone(named('Deployment', 'gateway'));
    gateway.spec.replicas = 'two';
    delete gateway.spec.template.spec.containers[0].name;
    const errors = schemaErrors(gateway).join('\n');
    expect(errors).toMatch(/replicas must be integer/);
    expect(errors).toMatch(/containers\/0 must have required property name/);
    const scaled = structuredClone(named('ScaledObject', 'stt-worker'));
    delete scaled.spec.scaleTargetRef;
    expect(schemaErrors(scaled).join('\n')).toMatch(/scaleTargetRef/);
  });

  it('optional/: the Ingress is valid against the API schema; the PodMonitor (prometheus-operator CRD: no schema installed) is checked for its selector and port only', () => {
    const [ingress] = yamlDocuments('deploy/k8s/optional/ingress.yaml');
    expect(ingress.kind).toBe('Ingress');
    expect(schemaErrors(ingress)).toEqual([]);
    const [podMonitor] = yamlDocuments('deploy/k8s/optional/podmonitor.yaml');
    expect(podMonitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(schemaModel(podMonitor)).toBeUndefined();
    const components = appDeployments.map(
      (d) => d.spec.template.metadata.labels['app.kubernetes.io/component'] as string,
    );
    expect([...podMonitor.spec.selector.matchExpressions[0].values].sort()).toEqual(
      components.sort(),
    );
    expect(podMonitor.spec.podMetricsEndpoints.map((e: Yaml) => e.port)).toEqual(['health']);
  });
});

function yamlOf(kind: string): Yaml {
  const [apiVersion, name] = kind.split(' ');
  return { apiVersion, kind: name };
}
