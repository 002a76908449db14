import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig, OPTIONS, parseListen, spoolDirOf, type CollectorConfig } from '../../src/collector/config.ts';
import { startTestCollector, tempDir } from '../helpers/collector.ts';
import { ROOT } from '../helpers/process.ts';

// deploy/ cannot be run here (no Docker engine, no Kubernetes): this test holds every manifest to
// the code instead — ports, probe paths (served by a real collector), env var names, flags, YAML
// config keys, the image's command.

const DEPLOY = join(ROOT, 'deploy');
const tmp = tempDir();
const ENV_NAMES = new Set(OPTIONS.map((o) => o.env));
const FLAGS = new Set([...OPTIONS.map((o) => o.flag), '--config']);

type Doc = Record<string, any>;

function docs(file: string): Doc[] {
  const all = parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8'));
  for (const d of all) expect(d.errors, `${file}: ${d.errors.join('; ')}`).toEqual([]);
  return all.map((d) => d.toJS() as Doc);
}

const portOf = (listen: string) => parseListen(listen)!.port;

/** Parses collector args (after the `collector` command) with a config file given by content. */
function configFrom(args: string[], files: Record<string, string>, env: Record<string, string> = {}): CollectorConfig {
  const mapped = args.map((a) => {
    if (!files[a]) return a;
    const local = join(tmp.dir, a.replace(/\W/g, '_'));
    writeFileSync(local, files[a]);
    return local;
  });
  return loadCollectorConfig(mapped, env);
}

function expectKnownFlags(args: string[]): void {
  for (const a of args.filter((x) => x.startsWith('--'))) expect(FLAGS, `unknown flag ${a}`).toContain(a.split('=')[0]);
}

let probe: Awaited<ReturnType<typeof startTestCollector>>;
beforeAll(async () => {
  probe = await startTestCollector(tmp.dir);
});
afterAll(async () => {
  await probe?.stop();
  tmp.cleanup();
});

/** A path a manifest probes must be served by a real collector with 200. */
async function expectServed(path: string): Promise<void> {
  const res = await fetch(`${probe.httpBase}${path}`);
  expect(res.status, `GET ${path}`).toBe(200);
}

describe('deploy/Dockerfile', () => {
  const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages = text.split(/^FROM /m).slice(1).map((s) => 'FROM ' + s);
  const collector = stages.find((s) => /^FROM \S+ AS collector/m.test(s))!;

  it('builds the collector on Node 24 slim and runs it as a non-root user', () => {
    expect(collector).toMatch(/^FROM node:24[\w.-]*-slim AS collector/);
    const user = /^USER (\S+)/m.exec(collector)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('its command runs the collector from sources that exist', () => {
    const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(collector)![1]) as string[];
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(collector)![1]) as string[];
    expect([...entry, ...cmd]).toEqual(['node', '--max-semi-space-size=16', 'src/cli/main.ts', 'collector']);
    // The same node flags as `npm start`.
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start).toBe('node --max-semi-space-size=16 bin/logq.js collector');
    expect(existsSync(join(ROOT, 'src/cli/main.ts'))).toBe(true);
    expect(readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8')).toMatch(/case 'collector':/);
    for (const m of collector.matchAll(/^COPY (?!--from)(\S+) /gm)) expect(existsSync(join(ROOT, m[1])), m[1]).toBe(true);
  });

  it('sets only real env vars, exposes the ports they listen on, and health-checks a real path', async () => {
    const env = Object.fromEntries([...collector.matchAll(/(LOGQ_[A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    for (const name of Object.keys(env)) expect(ENV_NAMES, name).toContain(name);
    const config = loadCollectorConfig([], env);
    const exposed = /^EXPOSE (.+)$/m.exec(collector)![1].split(/\s+/).map(Number).sort();
    expect(exposed).toEqual([portOf(config.grpcListen), portOf(config.httpListen)].sort());
    const health = /HEALTHCHECK .*fetch\('http:\/\/127\.0\.0\.1:(\d+)(\/\w+)'\)/.exec(collector)!;
    expect(Number(health[1])).toBe(portOf(config.httpListen));
    await expectServed(health[2]);
  });
});

describe('deploy/docker-compose.yml', () => {
  const [compose] = docs('docker-compose.yml');
  const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');

  it('runs ClickHouse, the collector and an example app from real Dockerfile targets', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'clickhouse', 'collector']);
    for (const name of ['collector', 'app']) {
      const b = compose.services[name].build;
      expect(existsSync(join(DEPLOY, b.context, b.dockerfile))).toBe(true);
      expect(dockerfile).toContain(` AS ${b.target}`);
    }
  });

  it('configures the collector with real flags, env vars and config keys, and publishes its ports on 127.0.0.1', () => {
    const svc = compose.services.collector;
    const [command, ...args] = svc.command as string[];
    expect(command).toBe('collector');
    expectKnownFlags(args);
    for (const name of Object.keys(svc.environment)) expect(ENV_NAMES, name).toContain(name);
    const mounted = (svc.volumes as string[]).map((v) => v.split(':')).find(([, target]) => target === args[args.indexOf('--config') + 1])!;
    const config = configFrom(args, { [mounted[1]]: readFileSync(join(DEPLOY, mounted[0]), 'utf8') }, {
      LOGQ_CLICKHOUSE_URL: 'http://logq:x@clickhouse:8123',
      LOGQ_AUTH_TOKEN: 't',
    });
    const published = (svc.ports as string[]).map((p) => p.split(':'));
    for (const p of published) expect(p[0]).toBe('127.0.0.1');
    expect(published.map((p) => Number(p[2])).sort()).toEqual([portOf(config.grpcListen), portOf(config.httpListen)].sort());
    const state = (svc.volumes as string[]).find((v) => v.startsWith('collector-state:'))!.split(':')[1];
    expect(spoolDirOf(config).startsWith(state)).toBe(true);
    const app = compose.services.app.environment;
    expect(app.LOGQ_ENDPOINT).toBe(`http://collector:${portOf(config.grpcListen)}`);
    expect(compose.services.clickhouse.ports[0]).toMatch(/^127\.0\.0\.1:/);
  });
});

describe('deploy/k8s', () => {
  const all = readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml')).flatMap((f) => docs(join('k8s', f)));
  const byKind = (kind: string) => all.filter((d) => d.kind === kind);
  const [deployment] = byKind('Deployment');
  const [configMap] = byKind('ConfigMap');
  const [service] = byKind('Service');
  const [secret] = byKind('Secret');
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0];
  const portByName = Object.fromEntries((container.ports as Doc[]).map((p) => [p.name, p.containerPort]));

  it('has every required kind', () => {
    expect(all.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service']);
  });

  function deploymentConfig(): CollectorConfig {
    const [command, ...args] = container.args as string[];
    expect(command).toBe('collector');
    expectKnownFlags(args);
    const mount = (container.volumeMounts as Doc[]).find((m) => args[args.indexOf('--config') + 1].startsWith(m.mountPath + '/'))!;
    const volume = (pod.spec.volumes as Doc[]).find((v) => v.name === mount.name)!;
    expect(volume.configMap.name).toBe(configMap.metadata.name);
    const file = args[args.indexOf('--config') + 1];
    const key = file.slice(mount.mountPath.length + 1);
    return configFrom(args, { [file]: configMap.data[key] }, { LOGQ_CLICKHOUSE_URL: 'http://logq:x@clickhouse:8123' });
  }

  it('the ConfigMap and Deployment args form a valid collector config whose ports are the container ports', () => {
    const config = deploymentConfig();
    expect(portByName['otlp-grpc']).toBe(portOf(config.grpcListen));
    expect(portByName['otlp-http']).toBe(portOf(config.httpListen));
    expect(parseListen(config.grpcListen)!.host).toBe('0.0.0.0');
    for (const e of container.env as Doc[]) {
      expect(ENV_NAMES, e.name).toContain(e.name);
      if (e.valueFrom?.secretKeyRef) {
        expect(e.valueFrom.secretKeyRef.name).toBe(secret.metadata.name);
        expect(Object.keys(secret.stringData)).toContain(e.valueFrom.secretKeyRef.key);
      }
    }
  });

  it('probes real endpoints on the HTTP port', async () => {
    const config = deploymentConfig();
    const probes = ['livenessProbe', 'readinessProbe', 'startupProbe'].map((p) => container[p]);
    expect(probes[0].httpGet.path).toBe('/healthz');
    expect(probes[1].httpGet.path).toBe('/readyz');
    for (const p of probes) {
      expect(portByName[p.httpGet.port] ?? p.httpGet.port).toBe(portOf(config.httpListen));
      await expectServed(p.httpGet.path);
    }
    const ann = pod.metadata.annotations;
    expect(Number(ann['prometheus.io/port'])).toBe(portOf(config.httpListen));
    await expectServed(ann['prometheus.io/path']);
  });

  it('mounts a volume for the spool and the tokens file the args name, and runs as non-root', () => {
    const config = deploymentConfig();
    const mounts = container.volumeMounts as Doc[];
    const spoolMount = mounts.find((m) => spoolDirOf(config).startsWith(m.mountPath + '/'))!;
    expect(spoolMount.readOnly).toBeFalsy();
    expect((pod.spec.volumes as Doc[]).find((v) => v.name === spoolMount.name)).toBeDefined();
    const tokensMount = mounts.find((m) => config.authTokensFile!.startsWith(m.mountPath + '/'))!;
    const tokens = (pod.spec.volumes as Doc[]).find((v) => v.name === tokensMount.name)!;
    expect(tokens.secret.secretName).toBe(secret.metadata.name);
    expect(tokens.secret.items[0].path).toBe(config.authTokensFile!.slice(tokensMount.mountPath.length + 1));
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(pod.spec.securityContext.runAsUser).not.toBe(0);
  });

  it('the Service, HPA and PDB point at the Deployment and its ports', () => {
    const labels = pod.metadata.labels;
    const matches = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    expect(matches(deployment.spec.selector.matchLabels)).toBe(true);
    expect(matches(service.spec.selector)).toBe(true);
    expect((service.spec.ports as Doc[]).map((p) => [p.port, portByName[p.targetPort]])).toEqual([[4317, 4317], [4318, 4318]]);
    const [hpa] = byKind('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const [pdb] = byKind('PodDisruptionBudget');
    expect(matches(pdb.spec.selector.matchLabels)).toBe(true);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
  });
});
