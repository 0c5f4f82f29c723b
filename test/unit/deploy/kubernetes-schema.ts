import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';

interface Validatable {
  validate(): void;
}

type ModelClass = new (data: never) => Validatable;

/** apiVersion/kind → the kubernetes-models class whose validate() runs the OpenAPI schema. */
const MODELS: ReadonlyMap<string, ModelClass> = new Map<string, ModelClass>([
  ['v1/Namespace', Namespace],
  ['v1/ConfigMap', ConfigMap],
  ['v1/Secret', Secret],
  ['v1/Service', Service],
  ['v1/PersistentVolumeClaim', PersistentVolumeClaim],
  ['apps/v1/Deployment', Deployment],
  ['apps/v1/StatefulSet', StatefulSet],
  ['autoscaling/v2/HorizontalPodAutoscaler', HorizontalPodAutoscaler],
  ['policy/v1/PodDisruptionBudget', PodDisruptionBudget],
  ['keda.sh/v1alpha1/ScaledObject', ScaledObject],
  ['keda.sh/v1alpha1/TriggerAuthentication', TriggerAuthentication],
]);

/** Schema problems of one manifest object; empty when it validates. */
export function kubernetesSchemaProblems(object: Record<string, unknown>): string[] {
  const type = `${String(object.apiVersion)}/${String(object.kind)}`;
  const Model = MODELS.get(type);

  if (Model === undefined) {
    return [`no schema known for ${type}`];
  }

  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    return [`${type} ${describeName(object)}: ${(error as Error).message}`];
  }
}

function describeName(object: Record<string, unknown>): string {
  const metadata = object.metadata as { name?: string } | undefined;
  return metadata?.name ?? '(unnamed)';
}
