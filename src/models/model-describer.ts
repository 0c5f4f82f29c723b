import type { InferenceSession } from 'onnxruntime-node';

import type { CreatedSession } from '../runtime/session-factory';
import type { ModelDescriptor, TensorDescription } from './model-descriptor';
import { describeStructure } from './model-layers';
import { resolveSpec } from './model-spec.reader';

function describeValues(metadata: readonly InferenceSession.ValueMetadata[]): TensorDescription[] {
  return metadata.map((value) =>
    value.isTensor
      ? { name: value.name, type: value.type, shape: [...value.shape] }
      : { name: value.name, type: 'non-tensor', shape: [] },
  );
}

function classCount(outputs: readonly TensorDescription[], output: string): number | undefined {
  const shape = outputs.find((o) => o.name === output)?.shape ?? [];
  const last = shape[shape.length - 1];
  return typeof last === 'number' && last > 0 ? last : undefined;
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
  const structure = await describeStructure(file, spec.input, spec.output, spec.defaultLayer);
  const inputs = describeValues(session.inputMetadata);
  const outputs = describeValues(session.outputMetadata);
  const classes = classCount(outputs, spec.output);
  const labels =
    spec.labels ?? (classes === undefined ? [] : Array.from({ length: classes }, (_, i) => `class ${i}`));

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
    executionProvider: providers.provider,
    requestedExecutionProviders: providers.requested,
    ...(providers.fallbackReason === undefined
      ? {}
      : { executionProviderFallback: providers.fallbackReason }),
    specSource: spec.source,
  };
}
