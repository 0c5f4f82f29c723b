import { GraphView } from '../../onnx/graph.view';
import { makeNode, makeValueInfo } from '../../onnx/onnx.factory';
import type { ModelProto } from '../../onnx/onnx.types';
import { spliceAfterValue } from '../../onnx/value-splice';
import type { ValueFacts } from '../../onnx/value-facts';

export interface AblatedModel {
  readonly model: ModelProto;
  /** Input [N, K, 1, 1]: 1 keeps a channel, 0 removes it. */
  readonly keepInput: string;
  /** Input [N, K, 1, 1]: the value a removed channel takes (0 elsewhere). */
  readonly fillInput: string;
}

/**
 * Rewires every consumer of `value` to value * keep + fill (graph outputs
 * keep the original value), so each batch row can replace one channel by a
 * constant, as pytorch-grad-cam's AblationLayer does: 0, or min(A) - 1e7
 * when the activation is not bounded below by 0.
 */
export function ablateChannels(
  model: ModelProto,
  value: string,
  facts: ValueFacts,
  batch: string,
): AblatedModel {
  const view = new GraphView(model);
  const fact = facts.get(value);
  if (fact === undefined) {
    throw new Error(`ablateChannels: no facts for "${value}"`);
  }

  const taken = new Set(view.valueNames());
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; taken.has(name); i += 1) {
      name = `${base}_${i}`;
    }
    taken.add(name);
    return name;
  };
  const keepInput = fresh('cnnlens_ablation_keep');
  const fillInput = fresh('cnnlens_ablation_fill');
  const kept = fresh(`${value}/cnnlens_kept`);
  const ablated = fresh(`${value}/cnnlens_ablated`);

  const rewired = spliceAfterValue(view, value, ablated, [
    makeNode('Mul', [value, keepInput], [kept], `cnnlens_ablation_keep_${value}`),
    makeNode('Add', [kept, fillInput], [ablated], `cnnlens_ablation_fill_${value}`),
  ]);

  const gateShape = [batch, fact.shape[1] ?? 1, ...fact.shape.slice(2).map(() => 1)];
  return {
    model: {
      ...model,
      graph: {
        ...view.graph,
        node: rewired,
        input: [
          ...view.graph.input,
          makeValueInfo(keepInput, fact.elementType, gateShape),
          makeValueInfo(fillInput, fact.elementType, gateShape),
        ],
      },
    },
    keepInput,
    fillInput,
  };
}
