import { GraphView } from '../../onnx/graph.view';
import { makeNode, makeValueInfo } from '../../onnx/onnx.factory';
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
  const view = new GraphView(model);
  const graph = view.graph;
  const input = view.inputNames[0] ?? '';
  const batched = (name: string): ValueInfoProto => {
    const fact = facts.get(name);
    if (fact === undefined) {
      throw new Error(`batchedForward: no facts for "${name}"`);
    }
    return makeValueInfo(name, fact.elementType, [BATCH, ...fact.shape.slice(1)]);
  };

  const gateInput = options.gate ? 'cnnlens_gate' : undefined;
  const gated = `${options.layer}/cnnlens_gated`;
  const nodes =
    gateInput === undefined
      ? graph.node
      : graph.node.flatMap((node) => {
          const rewired = {
            ...node,
            input: node.input.map((v) => (v === options.layer ? gated : v)),
          };
          return node.output.includes(options.layer)
            ? [rewired, makeNode('Mul', [options.layer, gateInput], [gated], 'cnnlens_gate_mul')]
            : [rewired];
        });
  const layerFact = facts.get(options.layer);
  const gateInfo =
    gateInput === undefined || layerFact === undefined
      ? []
      : [makeValueInfo(gateInput, layerFact.elementType, [BATCH, layerFact.shape[1] ?? 1, 1, 1])];

  const outputs = [options.score, options.layer].filter((v, i, all) => all.indexOf(v) === i);
  return {
    model: {
      ...model,
      graph: {
        ...graph,
        node: nodes,
        input: [
          ...graph.input.map((info) => (info.name === input ? batched(input) : info)),
          ...gateInfo,
        ],
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
