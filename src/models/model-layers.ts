import { inputDims } from '../imaging/pixel-tensor';
import { GraphView } from '../onnx/graph.view';
import { readModelFile } from '../onnx/model-file.reader';
import { defaultTargetLayer, listTargetableLayers, resolveLayer } from '../onnx/targetable-layers';
import type { ModelProto } from '../onnx/onnx.types';
import type { ValueFacts } from '../onnx/value-facts';
import { probeValueFacts } from '../runtime/value-probe';
import { ModelLoadError } from '../errors/model-load.error';
import type { LayerDescription } from './model-descriptor';
import { ModelValues } from './model-values';
import type { ResolvedSpec } from './model-spec.reader';

export interface ModelStructure {
  readonly layers: readonly LayerDescription[];
  readonly defaultLayer: string | undefined;
  /** True when the output is produced by a Softmax (so it already holds probabilities). */
  readonly outputIsSoftmax: boolean;
  /** The class output's shape in a batch-1 run at the model's input size. */
  readonly outputShape: readonly number[] | undefined;
  readonly values: ModelValues;
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
 * One run at the input size the service will feed. A model.json size that the
 * model does not run at is the spec's fault; without model.json, the size read
 * off the ONNX input (224 for a symbolic one) calls for a model.json.
 * @throws ModelLoadError MODEL_SPEC_INVALID with onnxruntime's reason
 */
async function probeAtInputSize(model: ModelProto, spec: ResolvedSpec): Promise<ValueFacts> {
  const dims = inputDims(spec.input, 1);
  try {
    return await probeValueFacts(model, { [spec.input.name]: dims });
  } catch (error) {
    const origin =
      spec.source === 'model.json'
        ? 'as model.json describes it'
        : 'read off the ONNX input; a model.json giving the input size is needed';
    throw new ModelLoadError(
      'MODEL_SPEC_INVALID',
      `the model does not run on the input tensor [${dims.join(', ')}] (${spec.input.layout}, ${origin}): ${(error as Error).message}`,
    );
  }
}

/**
 * The layers a caller can target, found by one probe run at the model's
 * input size (every value's shape for the size in use), and the default layer:
 * model.json's, validated, or the last spatial value before global pooling.
 */
export async function describeStructure(file: string, spec: ResolvedSpec): Promise<ModelStructure> {
  const { output, defaultLayer: configuredDefault } = spec;
  const model = readModelFile(file);
  const facts = await probeAtInputSize(model, spec);
  const layers = listTargetableLayers(model, facts);
  const found = {
    layers,
    outputIsSoftmax: producedBySoftmax(new GraphView(model), output),
    outputShape: facts.get(output)?.shape,
    values: ModelValues.of(model, facts),
  };

  if (configuredDefault === undefined) {
    return { ...found, defaultLayer: defaultTargetLayer(model, facts)?.value };
  }

  try {
    return { ...found, defaultLayer: resolveLayer(model, facts, configuredDefault) };
  } catch (error) {
    throw new ModelLoadError(
      'MODEL_SPEC_INVALID',
      `model.json defaultLayer: ${(error as Error).message}`,
    );
  }
}
