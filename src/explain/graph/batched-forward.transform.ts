import { GraphView } from '../../onnx/graph.view';
import { makeValueInfo } from '../../onnx/onnx.factory';
import type { ModelProto, ValueInfoProto } from '../../onnx/onnx.types';
import type { ValueFacts } from '../../onnx/value-facts';
import { ablateChannels } from './channel-ablation.transform';

export interface BatchedForwardOptions {
  /** The score value (logits or probabilities), published as an output. */
  readonly score: string;
  /** The target layer, published as an output. */
  readonly layer: string;
  /** Adds inputs keep and fill [N, K, 1, 1]: the layer's consumers read A * keep + fill (Ablation-CAM). */
  readonly gate: boolean;
}

export interface BatchedForwardModel {
  readonly model: ModelProto;
  readonly input: string;
  readonly scoreOutput: string;
  readonly layerOutput: string;
  readonly ablation: ChannelAblationInputs | undefined;
}

export interface ChannelAblationInputs {
  readonly keepInput: string;
  readonly fillInput: string;
}

const BATCH = 'cnnlens_batch';

/**
 * The forward model with the score and the layer as outputs and a symbolic
 * batch dimension, so masked or ablated copies of one image run together.
 * Shapes come from the facts of a batch-1 probe, with the first dimension
 * made symbolic; intermediate value_info is dropped since it pins batch 1.
 */
export function batchedForward(
  model: ModelProto,
  facts: ValueFacts,
  options: BatchedForwardOptions,
): BatchedForwardModel {
  const ablated = options.gate ? ablateChannels(model, options.layer, facts, BATCH) : undefined;
  const source = ablated?.model ?? model;
  const view = new GraphView(source);
  const graph = view.graph;
  const input = view.inputNames[0] ?? '';
  const batched = (name: string): ValueInfoProto => {
    const fact = facts.get(name);
    if (fact === undefined) {
      throw new Error(`batchedForward: no facts for "${name}"`);
    }
    return makeValueInfo(name, fact.elementType, [BATCH, ...fact.shape.slice(1)]);
  };

  const outputs = [options.score, options.layer].filter((v, i, all) => all.indexOf(v) === i);
  return {
    model: {
      ...source,
      graph: {
        ...graph,
        input: graph.input.map((info) => (info.name === input ? batched(input) : info)),
        output: outputs.map(batched),
        valueInfo: [],
      },
    },
    input,
    scoreOutput: options.score,
    layerOutput: options.layer,
    ablation:
      ablated === undefined
        ? undefined
        : { keepInput: ablated.keepInput, fillInput: ablated.fillInput },
  };
}
