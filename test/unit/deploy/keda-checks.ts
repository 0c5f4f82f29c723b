import { QueueKeys as BullQueueKeys } from 'bullmq';

import { loadConfig } from '../../../src/config/app-config';
import { QUEUE_NAME } from '../../../src/jobs/queue/queue.keys';
import type { Manifest } from './deploy-files';
import { containerEnvironment, find, workload } from './manifest-queries';

interface RedisTrigger {
  type: string;
  metadata: Record<string, string>;
  authenticationRef?: { name: string };
}

function redisTrigger(manifests: readonly Manifest[]): RedisTrigger {
  const spec = find(manifests, 'ScaledObject', 'cnn-lens-worker').spec as {
    triggers: RedisTrigger[];
  };
  const trigger = spec.triggers.find((t) => t.type === 'redis');

  if (trigger === undefined) {
    throw new Error('expected a redis trigger in ScaledObject/cnn-lens-worker, found none');
  }
  return trigger;
}

/** The waiting list BullMQ fills for the workers as deployed: its key scheme, src's queue name, the workers' QUEUE_PREFIX. */
export function expectedWaitingList(manifests: readonly Manifest[]): string {
  const [container] = workload(manifests, 'Deployment', 'cnn-lens-worker').spec.template.spec
    .containers;
  const { prefix } = loadConfig(containerEnvironment(manifests, container)).queue;

  return new BullQueueKeys(prefix).toKey(QUEUE_NAME, 'wait');
}

/** Problems of the KEDA trigger's list name against the list the workers' queue uses. */
export function kedaListNameProblems(manifests: readonly Manifest[]): string[] {
  const expected = expectedWaitingList(manifests);
  const listName = redisTrigger(manifests).metadata.listName;

  return listName === expected
    ? []
    : [`listName is "${listName}", the workers' queue waits in "${expected}"`];
}

/**
 * Problems of the address KEDA's operator uses: it runs in its own namespace, so
 * the address must be the fully qualified name of the Service that REDIS_URL names,
 * in the namespace the kustomization deploys to, on the Service's port.
 */
export function kedaAddressProblems(manifests: readonly Manifest[], namespace: string): string[] {
  const auth = find(
    manifests,
    'TriggerAuthentication',
    redisTrigger(manifests).authenticationRef!.name,
  ).spec as { secretTargetRef: { parameter: string; name: string; key: string }[] };
  const reference = auth.secretTargetRef.find((ref) => ref.parameter === 'address')!;
  const secret = find(manifests, 'Secret', reference.name) as {
    stringData: Record<string, string>;
  };
  const serviceUrl = new URL(secret.stringData.REDIS_URL);
  const serviceName = serviceUrl.hostname.split('.')[0];
  const service = find(manifests, 'Service', serviceName).spec as { ports: { port: number }[] };
  const expected = `${serviceName}.${namespace}.svc.cluster.local:${service.ports[0].port}`;
  const address = secret.stringData[reference.key];

  return address === expected ? [] : [`KEDA's address is "${address}", expected "${expected}"`];
}
