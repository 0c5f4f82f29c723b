import { inputDims } from '../imaging/pixel-tensor';
import { GraphView } from '../onnx/graph.view';
import { readModelFile } from '../onnx/model-file.reader';
import { defaultTargetLayer, listTargetableLayers, resolveLayer } from '../onnx/targetable-layers';
import { probeValueFacts } from '../runtime/value-probe';
import { ModelLoadError } from '../errors/model-load.error';
import type { InputSpec, LayerDescription } from './model-descriptor';

export interface ModelStructure {
  readonly layers: readonly LayerDescription[];
  readonly defaultLayer: string | undefined;
  /** True when the output is produced by a Softmax (so it already holds probabilities). */
  readonly outputIsSoftmax: boolean;
}

const SOFTMAX_PASS_THROUGH = new Set(['Identity', 'Flatten', 'Reshape', 'Squeeze']);

function producedBySoftmax(view: GraphView, output: string): boolean {
  let producer = view.producer(output)?.node;

  while (producer !== undefined && SOFTMAX_PASS_THROUGH.has(producer.opType ?? '')) {
    producer = view.producer(producer.input[0] ?? '')?.node;
  }
  return producer?.opType === 'Softmax';
}

/**
 * The layers a caller can target, found by one probe run at the model's
 * input size (every value's shape for the size in use), and the default layer:
 * model.json's, validated, or the last spatial value before global pooling.
 */
export async function describeStructure(
  file: string,
  input: InputSpec,
  output: string,
  configuredDefault: string | undefined,
): Promise<ModelStructure> {
  const model = readModelFile(file);
  const facts = await probeValueFacts(model, { [input.name]: inputDims(input, 1) });
  const layers = listTargetableLayers(model, facts);
  const outputIsSoftmax = producedBySoftmax(new GraphView(model), output);

  if (configuredDefault === undefined) {
    return { layers, defaultLayer: defaultTargetLayer(model, facts)?.value, outputIsSoftmax };
  }

  try {
    return { layers, defaultLayer: resolveLayer(model, facts, configuredDefault), outputIsSoftmax };
  } catch (error) {
    throw new ModelLoadError('MODEL_SPEC_INVALID', `model.json defaultLayer: ${(error as Error).message}`);
  }
}
