import { GraphView } from '../../onnx/graph.view';
import { gateValue } from '../../onnx/gate-value';
import { makeValueInfo } from '../../onnx/onnx.factory';
import type { ModelProto, ValueInfoProto } from '../../onnx/onnx.types';
import type { ValueFacts } from '../../onnx/value-facts';

export interface BatchedForwardOptions {
  /** The score value (logits or probabilities), published as an output. */
  readonly score: string;
  /** The target layer, published as an output. */
  readonly layer: string;
  /** Adds an input [N, K, 1, 1] multiplying the layer channel by channel (Ablation-CAM). */
  readonly gate: boolean;
}

export interface BatchedForwardModel {
  readonly model: ModelProto;
  readonly input: string;
  readonly scoreOutput: string;
  readonly layerOutput: string;
  readonly gateInput: string | undefined;
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
  const gateInput = options.gate ? 'cnnlens_gate' : undefined;
  const source =
    gateInput === undefined
      ? model
      : gateValue(model, options.layer, gateInput, facts, BATCH).model;
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
    gateInput,
  };
}
