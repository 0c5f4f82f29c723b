import * as path from 'node:path';

import type { InferenceSession } from 'onnxruntime-node';

import { ModelLoadError } from '../errors/model-load.error';

import type { CreatedSession } from '../runtime/session-factory';
import type { ModelDescriptor, TensorDescription } from './model-descriptor';
import { describeStructure } from './model-layers';
import { resolveSpec, type ResolvedSpec } from './model-spec.reader';

function describeValues(metadata: readonly InferenceSession.ValueMetadata[]): TensorDescription[] {
  return metadata.map((value) =>
    value.isTensor
      ? { name: value.name, type: value.type, shape: [...value.shape] }
      : { name: value.name, type: 'non-tensor', shape: [] },
  );
}

/** Scores per image: every entry of the batch-1 output, as predictions and explanations read it. */
function classCount(outputShape: readonly number[] | undefined): number | undefined {
  if (outputShape === undefined || outputShape.length < 2) {
    return undefined;
  }
  return outputShape.slice(1).reduce((count, dim) => count * dim, 1);
}

/**
 * Labels are named by class index, so a list of another length would label
 * some classes and leave others as bare numbers.
 * @throws ModelLoadError MODEL_SPEC_INVALID naming both counts
 */
function checkLabelCount(spec: ResolvedSpec, folder: string, classes: number | undefined): void {
  if (spec.labels === undefined || classes === undefined || spec.labels.length === classes) {
    return;
  }
  throw new ModelLoadError(
    'MODEL_SPEC_INVALID',
    `${path.join(folder, 'model.json')}: labels has ${spec.labels.length} entries, but the model's output "${spec.output}" has ${classes} classes`,
  );
}

/** Builds what the API says about a model from its session and its model.json (or defaults). */
export async function describeModel(
  name: string,
  folder: string,
  file: string,
  session: InferenceSession,
  providers: Omit<CreatedSession, 'session'>,
): Promise<ModelDescriptor> {
  const spec = await resolveSpec(folder, session);
  const structure = await describeStructure(file, spec);
  const inputs = describeValues(session.inputMetadata);
  const outputs = describeValues(session.outputMetadata);
  const classes = classCount(structure.outputShape);
  checkLabelCount(spec, folder, classes);
  const labels =
    spec.labels ??
    (classes === undefined ? [] : Array.from({ length: classes }, (_, i) => `class ${i}`));

  return {
    name,
    description: spec.description,
    input: spec.input,
    inputs,
    outputs,
    output: spec.output,
    outputKind: spec.outputKind ?? (structure.outputIsSoftmax ? 'probabilities' : 'logits'),
    labels,
    defaultLayer: structure.defaultLayer,
    layers: structure.layers,
    values: structure.values,
    executionProvider: providers.provider,
    requestedExecutionProviders: providers.requested,
    ...(providers.fallbackReason === undefined
      ? {}
      : { executionProviderFallback: providers.fallbackReason }),
    specSource: spec.source,
  };
}
