import { GraphView } from './graph.view';
import { makeNode, makeValueInfo } from './onnx.factory';
import { DataType, type ModelProto } from './onnx.types';
import type { ValueFacts } from './value-facts';

export interface GatedModel {
  readonly model: ModelProto;
  /** The new graph input, shaped [N, K, 1, 1] for a value shaped [N, K, ...]. */
  readonly gateInput: string;
  /** The gated value (value * gate) that the former consumers now read. */
  readonly gatedValue: string;
}

/**
 * Multiplies `value` by a new input shaped [N, K, 1, 1] and rewires every
 * consumer to the product (graph outputs keep the ungated value), so one
 * batched run can switch channels off per batch row (Ablation-CAM). `batch`
 * overrides N, e.g. with a symbolic name when the facts come from a batch-1 probe.
 */
export function gateValue(
  model: ModelProto,
  value: string,
  gateInput: string,
  facts?: ValueFacts,
  batch?: number | string,
): GatedModel {
  const view = new GraphView(model);
  const names = new Set(view.valueNames());
  let gatedValue = `${value}_gated`;
  for (let i = 1; names.has(gatedValue); i++) {
    gatedValue = `${value}_gated_${i}`;
  }

  const shape = facts?.get(value)?.shape;
  const gateShape: (number | string)[] =
    shape === undefined
      ? [batch ?? 'N', 'K', 1, 1]
      : [batch ?? shape[0] ?? 1, shape[1] ?? 1, ...shape.slice(2).map(() => 1)];
  const gate = makeNode('Mul', [value, gateInput], [gatedValue], `cnnlens_gate_${value}`);
  const rewired = view.graph.node.map((node) =>
    node.input.includes(value)
      ? { ...node, input: node.input.map((v) => (v === value ? gatedValue : v)) }
      : node,
  );
  const producer = view.producer(value)?.node;
  const at = producer === undefined ? 0 : view.graph.node.indexOf(producer) + 1;
  rewired.splice(at, 0, gate);

  return {
    model: {
      ...model,
      graph: {
        ...view.graph,
        node: rewired,
        input: [
          ...view.graph.input,
          makeValueInfo(gateInput, facts?.get(value)?.elementType ?? DataType.FLOAT, gateShape),
        ],
      },
    },
    gateInput,
    gatedValue,
  };
}
