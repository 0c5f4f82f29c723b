import type { ModelDescriptor } from '../../models/model-descriptor';
import type { RepositoryEntry } from '../../models/model-repository';

/** ModelSummary of the .proto, for a loaded model or one that failed to load. */
export function modelSummary(entry: RepositoryEntry) {
  if (entry.status !== 'ready') {
    return {
      name: entry.name,
      status: entry.status,
      error_code: entry.code,
      error_message: entry.reason,
    };
  }
  return readySummary(entry.descriptor);
}

export function readySummary(descriptor: ModelDescriptor) {
  const input = descriptor.input;
  return {
    name: descriptor.name,
    status: 'ready',
    description: descriptor.description,
    input: {
      name: input.name,
      layout: input.layout,
      height: input.height,
      width: input.width,
      channels: input.channels,
      channel_order: input.channelOrder,
      scale: input.scale,
      mean: [...input.mean],
      std: [...input.std],
      resize: input.resize,
      background: input.background,
    },
    output_kind: descriptor.outputKind,
    label_count: descriptor.labels.length,
    execution_provider: descriptor.executionProvider,
    default_layer: descriptor.defaultLayer ?? '',
  };
}

export function modelDetails(descriptor: ModelDescriptor) {
  const tensor = (t: ModelDescriptor['inputs'][number]) => ({
    name: t.name,
    type: t.type,
    shape: t.shape.map(String),
  });

  return {
    summary: readySummary(descriptor),
    inputs: descriptor.inputs.map(tensor),
    outputs: descriptor.outputs.map(tensor),
    output: descriptor.output,
    labels: [...descriptor.labels],
    spec_source: descriptor.specSource,
    layers: descriptor.layers.map((layer) => ({
      value: layer.value,
      node: layer.node,
      op_type: layer.opType,
      shape: [...layer.shape],
    })),
  };
}
