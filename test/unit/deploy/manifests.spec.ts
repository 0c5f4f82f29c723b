import * as path from 'node:path';

import { loadConfig } from '../../../src/config/app-config';
import { QueueKeys } from '../../../src/jobs/queue/queue.keys';
import {
  DEPLOY_DIR,
  hasKubectl,
  K8S_DIR,
  kustomizationManifests,
  type Manifest,
  readYamlDocuments,
  renderKustomization,
  yamlFilesUnder,
} from './deploy-files';
import { LONGEST_JOB_MS } from './drain-limits';
import { expectedWaitingList, kedaAddressProblems, kedaListNameProblems } from './keda-checks';
import { kubernetesSchemaProblems } from './kubernetes-schema';
import {
  containerEnvironment,
  find,
  ofKind,
  preStopSleepSeconds,
  replicasFightingAutoscalers,
  selects,
  workload,
} from './manifest-queries';
import { unknownFieldProblems } from './strict-schema';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const [{ namespace: NAMESPACE }] = readYamlDocuments(path.join(K8S_DIR, 'kustomization.yaml')) as [
  { namespace: string },
];

/**
 * A deep copy of the manifests where one object has `key: value` set under the
 * dotted path `parent` (`spec.template.spec.containers.0`), to show a check failing.
 */
function withField(
  manifests: readonly Manifest[],
  [kind, name]: readonly [string, string],
  parent: string,
  key: string,
  value: unknown,
): Manifest[] {
  const copy = structuredClone(manifests) as Manifest[];
  const target = parent
    .split('.')
    .reduce<Record<string, unknown>>(
      (node, step) => node[step] as Record<string, unknown>,
      find(copy, kind, name),
    );
  target[key] = value;
  return copy;
}

const itWithKubectl = hasKubectl() ? it : it.skip;

describe('deploy/ YAML files', () => {
  it.each(yamlFilesUnder(DEPLOY_DIR))('%s parses as YAML without errors or warnings', (file) => {
    expect(readYamlDocuments(file).length).toBeGreaterThan(0);
  });
});

describe('Kubernetes manifests (deploy/k8s)', () => {
  const manifests = kustomizationManifests();

  it('lists the objects the deployment needs', () => {
    const names = manifests.map(
      (m) => `${String(m.kind)}/${(m.metadata as { name: string }).name}`,
    );

    expect(names).toEqual(
      expect.arrayContaining([
        'Namespace/cnn-lens',
        'ConfigMap/cnn-lens-config',
        'Secret/cnn-lens-redis',
        'Service/cnn-lens-redis',
        'StatefulSet/cnn-lens-redis',
        'Deployment/cnn-lens-api',
        'Service/cnn-lens-api',
        'HorizontalPodAutoscaler/cnn-lens-api',
        'PodDisruptionBudget/cnn-lens-api',
        'Deployment/cnn-lens-worker',
        'PodDisruptionBudget/cnn-lens-worker',
        'TriggerAuthentication/cnn-lens-redis',
        'ScaledObject/cnn-lens-worker',
      ]),
    );
  });

  it('validates every object against the Kubernetes and KEDA OpenAPI schemas', () => {
    expect(manifests.flatMap(kubernetesSchemaProblems)).toEqual([]);
  });

  it('uses no field that the schemas do not name (strict, as kubeconform -strict)', () => {
    expect(manifests.flatMap(unknownFieldProblems)).toEqual([]);
  });

  it('selects its own pod template in every Deployment and StatefulSet', () => {
    for (const kind of ['Deployment', 'StatefulSet']) {
      for (const manifest of ofKind(manifests, kind)) {
        const { spec } = manifest as unknown as ReturnType<typeof workload>;
        expect(selects(spec.selector.matchLabels, spec.template.metadata.labels)).toBe(true);
      }
    }
  });

  it('routes every Service port to a named container port of the pods it selects', () => {
    for (const service of ofKind(manifests, 'Service')) {
      const spec = service.spec as {
        selector: Record<string, string>;
        ports: { targetPort: string }[];
      };
      const pods = [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'StatefulSet')]
        .map((m) => (m as unknown as ReturnType<typeof workload>).spec.template)
        .filter((template) => selects(spec.selector, template.metadata.labels));
      const portNames = pods.flatMap((pod) =>
        pod.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)),
      );

      expect(pods.length).toBeGreaterThan(0);
      for (const port of spec.ports) {
        expect(portNames).toContain(port.targetPort);
      }
    }
  });

  it('serves REST on 8080 and gRPC on 50051 from the API Service', () => {
    const ports = (find(manifests, 'Service', 'cnn-lens-api').spec as { ports: unknown[] }).ports;

    expect(ports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'http', port: 8080 }),
        expect.objectContaining({ name: 'grpc', port: 50051 }),
      ]),
    );
  });

  it.each(['cnn-lens-api', 'cnn-lens-worker'])(
    'probes %s: liveness on /healthz, readiness on /readyz',
    (name) => {
      const [container] = workload(manifests, 'Deployment', name).spec.template.spec.containers;

      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.ports).toContainEqual({ name: 'http', containerPort: 8080 });
    },
  );

  it('gives each worker one GPU, tolerates GPU taints, and lets a job drain on SIGTERM', () => {
    const pod = workload(manifests, 'Deployment', 'cnn-lens-worker').spec.template.spec;

    expect(pod.containers[0].resources?.limits?.['nvidia.com/gpu']).toBe(1);
    expect(pod.tolerations).toContainEqual(
      expect.objectContaining({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }),
    );
    expect((pod.terminationGracePeriodSeconds ?? 0) * 1000).toBeGreaterThan(LONGEST_JOB_MS);
  });

  it.each([
    ['cnn-lens-api', 'api', ['cpu']],
    ['cnn-lens-worker', 'worker', ['cuda', 'cpu']],
  ])('configures %s so that the service itself accepts it', (name, role, providers) => {
    const [container] = workload(manifests, 'Deployment', name).spec.template.spec.containers;

    const config = loadConfig(containerEnvironment(manifests, container));

    expect(config.role).toBe(role);
    expect(config.executionProviders).toEqual(providers);
    expect(config.redisUrl).toBe('redis://cnn-lens-redis:6379');
    expect(config.modelRepository).toBe('/app/models');
    expect(config.port).toBe(8080);
  });

  it('scales the workers with KEDA on the length of the BullMQ waiting list', () => {
    const spec = find(manifests, 'ScaledObject', 'cnn-lens-worker').spec as {
      scaleTargetRef: { kind?: string; name: string };
      triggers: {
        type: string;
        metadata: Record<string, string>;
        authenticationRef?: { name: string };
      }[];
    };
    const [trigger] = spec.triggers;

    expect(spec.scaleTargetRef.name).toBe('cnn-lens-worker');
    expect(trigger.type).toBe('redis');
    expect(kedaListNameProblems(manifests)).toEqual([]);
    expect(Number(trigger.metadata.listLength)).toBeGreaterThan(0);
    expect(find(manifests, 'TriggerAuthentication', trigger.authenticationRef!.name)).toBeDefined();
  });

  it("derives the waiting list from BullMQ's key scheme, and src's queue keys agree", () => {
    const [container] = workload(manifests, 'Deployment', 'cnn-lens-worker').spec.template.spec
      .containers;
    const { prefix } = loadConfig(containerEnvironment(manifests, container)).queue;

    expect(expectedWaitingList(manifests)).toBe(new QueueKeys(prefix).waitList());
  });

  it('sees a QUEUE_PREFIX set in the ConfigMap that the KEDA list name does not follow', () => {
    const changed = withField(
      manifests,
      ['ConfigMap', 'cnn-lens-config'],
      'data',
      'QUEUE_PREFIX',
      'tenant-a',
    );

    expect(kedaListNameProblems(changed)).toEqual([
      `listName is "${expectedWaitingList(manifests)}", the workers' queue waits in "tenant-a:cnn-lens-jobs:wait"`,
    ]);
  });

  it("points KEDA at the fully qualified name of the service's Redis, which resolves from KEDA's namespace", () => {
    expect(kedaAddressProblems(manifests, NAMESPACE)).toEqual([]);
  });

  it('refuses the short Service name as KEDA address, and a namespace other than the one deployed to', () => {
    const short = withField(
      manifests,
      ['Secret', 'cnn-lens-redis'],
      'stringData',
      'REDIS_ADDRESS',
      'cnn-lens-redis:6379',
    );

    expect(kedaAddressProblems(short, NAMESPACE)).toEqual([
      `KEDA's address is "cnn-lens-redis:6379", expected "cnn-lens-redis.${NAMESPACE}.svc.cluster.local:6379"`,
    ]);
    expect(kedaAddressProblems(manifests, 'elsewhere')).toHaveLength(1);
  });

  it('autoscales the API on CPU with autoscaling/v2', () => {
    const hpa = find(manifests, 'HorizontalPodAutoscaler', 'cnn-lens-api') as {
      apiVersion: string;
      spec: {
        scaleTargetRef: { kind: string; name: string };
        metrics: { resource: { name: string } }[];
      };
    };
    const api = workload(manifests, 'Deployment', 'cnn-lens-api');

    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'cnn-lens-api' });
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    // Utilization is measured against the request: without one the HPA cannot act.
    expect(api.spec.template.spec.containers[0].resources?.requests?.cpu).toBeDefined();
  });

  it('leaves the replica count of every autoscaled Deployment to its HPA or ScaledObject', () => {
    expect(replicasFightingAutoscalers(manifests)).toEqual([]);
  });

  it('sees a replicas field that an autoscaler would fight with', () => {
    const api = withField(manifests, ['Deployment', 'cnn-lens-api'], 'spec', 'replicas', 2);
    const worker = withField(manifests, ['Deployment', 'cnn-lens-worker'], 'spec', 'replicas', 1);

    expect(replicasFightingAutoscalers(api)).toEqual([
      'Deployment cnn-lens-api sets replicas, which every kubectl apply resets under its HorizontalPodAutoscaler',
    ]);
    expect(replicasFightingAutoscalers(worker)).toEqual([
      'Deployment cnn-lens-worker sets replicas, which every kubectl apply resets under its ScaledObject',
    ]);
  });

  it('lets the API leave the Service endpoints before SIGTERM starts its drain', () => {
    const [container] = workload(manifests, 'Deployment', 'cnn-lens-api').spec.template.spec
      .containers;

    expect(container.lifecycle?.preStop?.exec?.command).toEqual(['sleep', expect.any(String)]);
    expect(preStopSleepSeconds(container)).toBeGreaterThanOrEqual(3);
    expect(preStopSleepSeconds(container)).toBeLessThanOrEqual(15);
  });

  it('covers the API and the workers with PodDisruptionBudgets that select them', () => {
    for (const name of ['cnn-lens-api', 'cnn-lens-worker']) {
      const pdb = find(manifests, 'PodDisruptionBudget', name).spec as {
        selector: { matchLabels: Record<string, string> };
      };
      const labels = workload(manifests, 'Deployment', name).spec.template.metadata.labels;

      expect(selects(pdb.selector.matchLabels, labels)).toBe(true);
    }
  });

  it('keeps Redis on a persistent volume with append-only persistence and no eviction', () => {
    const redis = find(manifests, 'StatefulSet', 'cnn-lens-redis').spec as {
      volumeClaimTemplates: unknown[];
      template: { spec: { containers: { args: string[] }[] } };
    };
    const args = redis.template.spec.containers[0].args.join(' ');

    expect(redis.volumeClaimTemplates).toHaveLength(1);
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--maxmemory-policy noeviction');
  });
});

describe('strict Kubernetes schema check', () => {
  const manifests = kustomizationManifests();

  it.each([
    ['Deployment', 'cnn-lens-worker', 'spec.template.spec', 'terminationGracePeriodSecond', 150],
    ['Deployment', 'cnn-lens-api', 'spec.template.spec.containers.0', 'livenessprobe', {}],
    ['ScaledObject', 'cnn-lens-worker', 'spec.triggers.0.metadata', 'listNme', 'bull:x:wait'],
    ['StatefulSet', 'cnn-lens-redis', 'spec.template.spec.securityContext', 'runAsNonRot', true],
    [
      'ScaledObject',
      'cnn-lens-worker',
      'spec.advanced.horizontalPodAutoscalerConfig',
      'behaviour',
      {},
    ],
  ])(
    'rejects %s/%s with %s.%s, which the OpenAPI check lets through',
    (kind, name, parent, key, value) => {
      const changed = find(withField(manifests, [kind, name], parent, key, value), kind, name);
      const field = `${parent}.${key}`.replace(/\.(\d+)(?=\.|$)/g, '[$1]');

      expect(kubernetesSchemaProblems(changed)).toEqual([]);
      expect(unknownFieldProblems(changed)).toEqual([
        expect.stringMatching(new RegExp(`^${kind}/${name}\\.${escapeRegExp(field)}: unknown`)),
      ]);
    },
  );

  it('accepts any key in free maps (labels, ConfigMap data) and refuses a kind it has no schema for', () => {
    const configMap = ['ConfigMap', 'cnn-lens-config'] as const;
    const labelled = withField(manifests, configMap, 'metadata.labels', 'example.com/any', 'x');
    const changed = find(withField(labelled, configMap, 'data', 'ANY_SETTING', 'y'), ...configMap);

    expect(unknownFieldProblems(changed)).toEqual([]);
    expect(unknownFieldProblems({ apiVersion: 'batch/v1', kind: 'CronJob' })).toEqual([
      'no schema known for batch/v1/CronJob',
    ]);
  });
});

describe('Kubernetes schema check', () => {
  it('rejects a Deployment whose containerPort is not an integer', () => {
    const broken = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 'http' }] }] },
        },
      },
    };

    expect(kubernetesSchemaProblems(broken)).toEqual([
      expect.stringContaining('containerPort must be integer'),
    ]);
  });

  it('rejects a ScaledObject without scaleTargetRef and an unknown kind', () => {
    const scaledObject = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'x' },
      spec: { triggers: [] },
    };

    expect(kubernetesSchemaProblems(scaledObject)).toEqual([
      expect.stringContaining('spec must have required property scaleTargetRef'),
    ]);
    expect(kubernetesSchemaProblems({ apiVersion: 'apps/v1beta1', kind: 'Deployment' })).toEqual([
      'no schema known for apps/v1beta1/Deployment',
    ]);
  });
});

describe('kubectl kustomize deploy/k8s', () => {
  itWithKubectl('renders the base into the cnn-lens namespace, every object valid', () => {
    const rendered = renderKustomization();

    expect(rendered.length).toBe(kustomizationManifests().length);
    expect(rendered.flatMap(kubernetesSchemaProblems)).toEqual([]);
    expect(rendered.flatMap(unknownFieldProblems)).toEqual([]);
    expect(kedaAddressProblems(rendered, NAMESPACE)).toEqual([]);
    for (const manifest of rendered.filter((m) => m.kind !== 'Namespace')) {
      expect((manifest.metadata as { namespace?: string }).namespace).toBe('cnn-lens');
    }
  });

  itWithKubectl('mounts the models claim read-only in both Deployments (models-pvc)', () => {
    const rendered = renderKustomization(['models-pvc']);

    expect(rendered.flatMap(kubernetesSchemaProblems)).toEqual([]);
    expect(rendered.flatMap(unknownFieldProblems)).toEqual([]);
    expect(find(rendered, 'PersistentVolumeClaim', 'cnn-lens-models')).toBeDefined();
    for (const name of ['cnn-lens-api', 'cnn-lens-worker']) {
      const pod = workload(rendered, 'Deployment', name).spec.template.spec;

      expect(pod.volumes).toContainEqual(
        expect.objectContaining({
          persistentVolumeClaim: expect.objectContaining({ claimName: 'cnn-lens-models' }),
        }),
      );
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'models',
        mountPath: '/app/models',
        readOnly: true,
      });
    }
  });

  itWithKubectl('drops the in-cluster Redis and keeps the Secret (external-redis)', () => {
    const rendered = renderKustomization(['external-redis']);
    const kinds = rendered.map(
      (m: Manifest) => `${String(m.kind)}/${(m.metadata as { name: string }).name}`,
    );

    expect(kinds).not.toContain('StatefulSet/cnn-lens-redis');
    expect(kinds).not.toContain('Service/cnn-lens-redis');
    expect(kinds).toContain('Secret/cnn-lens-redis');
  });
});
