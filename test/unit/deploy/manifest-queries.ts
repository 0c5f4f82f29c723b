import type { Manifest } from './deploy-files';

/** The parts of a pod template these tests read; the schema check covers the rest. */
export interface Container {
  name: string;
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { limits?: Record<string, string | number>; requests?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  lifecycle?: {
    preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } };
  };
}

export interface PodSpec {
  containers: Container[];
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
}

export interface Workload {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

/** The one object of a kind and name; throws naming what is missing. */
export function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find(
    (manifest) => manifest.kind === kind && (manifest.metadata as { name: string }).name === name,
  );

  if (found === undefined) {
    throw new Error(`expected a ${kind} named ${name}, found none`);
  }

  return found;
}

export function workload(manifests: readonly Manifest[], kind: string, name: string): Workload {
  return find(manifests, kind, name) as unknown as Workload;
}

export function ofKind(manifests: readonly Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.kind === kind);
}

/** Every label of `selector` is on `labels` with the same value. */
export function selects(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** The environment a container sees: its ConfigMaps' data, then its own env, secrets resolved. */
export function containerEnvironment(
  manifests: readonly Manifest[],
  container: Container,
): Record<string, string> {
  const environment: Record<string, string> = {};

  for (const source of container.envFrom ?? []) {
    if (source.configMapRef !== undefined) {
      const configMap = find(manifests, 'ConfigMap', source.configMapRef.name);
      Object.assign(environment, configMap.data as Record<string, string>);
    }
  }

  for (const variable of container.env ?? []) {
    environment[variable.name] = variable.value ?? secretValue(manifests, variable);
  }

  return environment;
}

function secretValue(
  manifests: readonly Manifest[],
  variable: NonNullable<Container['env']>[number],
): string {
  const reference = variable.valueFrom?.secretKeyRef;

  if (reference === undefined) {
    throw new Error(`env ${variable.name}: expected a value or a secretKeyRef, found neither`);
  }

  const secret = find(manifests, 'Secret', reference.name) as {
    stringData?: Record<string, string>;
  };
  const value = secret.stringData?.[reference.key];

  if (value === undefined) {
    throw new Error(`Secret ${reference.name} has no key ${reference.key} (env ${variable.name})`);
  }

  return value;
}

/** Seconds a container's preStop hook sleeps (`sleep N` or the sleep action); 0 without one. */
export function preStopSleepSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep !== undefined) {
    return preStop.sleep.seconds;
  }
  const [command, seconds, ...rest] = preStop?.exec?.command ?? [];
  if (command === undefined) {
    return 0;
  }
  if (command !== 'sleep' || rest.length > 0 || !/^\d+$/.test(seconds ?? '')) {
    throw new Error(
      `preStop of ${container.name}: expected [sleep, N], got ${JSON.stringify(preStop?.exec?.command)}`,
    );
  }
  return Number(seconds);
}

/** Deployments that an HPA or a KEDA ScaledObject scales but that still set spec.replicas. */
export function replicasFightingAutoscalers(manifests: readonly Manifest[]): string[] {
  const scaled = manifests.flatMap((manifest) => {
    if (manifest.kind !== 'HorizontalPodAutoscaler' && manifest.kind !== 'ScaledObject') {
      return [];
    }
    const target = (manifest.spec as { scaleTargetRef: { kind?: string; name: string } })
      .scaleTargetRef;
    return (target.kind ?? 'Deployment') === 'Deployment'
      ? [{ by: String(manifest.kind), name: target.name }]
      : [];
  });

  return scaled.flatMap(({ by, name }) =>
    workload(manifests, 'Deployment', name).spec.replicas === undefined
      ? []
      : [`Deployment ${name} sets replicas, which every kubectl apply resets under its ${by}`],
  );
}
