import { LayerNotFoundError } from '../errors/layer-not-found.error';
import { GraphView } from './graph.view';
import type { ModelProto, NodeProto } from './onnx.types';
import type { ValueFacts } from './value-facts';

export interface TargetableLayer {
  /** The value (activation) name; what differentiate() takes as a target. */
  readonly value: string;
  /** Name of the node that produces it ('' when the node is unnamed). */
  readonly node: string;
  readonly opType: string;
  readonly shape: readonly number[];
}

const FLOAT_TYPES = new Set([1, 10, 11, 16]);

/**
 * Values a CAM can be drawn from: float activations of rank 4, laid out
 * [N, C, H, W], with more than one spatial position (H*W > 1), produced by
 * a node. A 1x1 map after global pooling has no spatial extent to explain.
 */
export function listTargetableLayers(model: ModelProto, facts: ValueFacts): TargetableLayer[] {
  const view = new GraphView(model);
  return view.nodes.flatMap((node) =>
    node.output.flatMap((value) => {
      const fact = facts.get(value);
      if (
        fact === undefined ||
        !FLOAT_TYPES.has(fact.elementType) ||
        !hasSpatialExtent(fact.shape)
      ) {
        return [];
      }
      return [{ value, node: node.name ?? '', opType: node.opType ?? '', shape: fact.shape }];
    }),
  );
}

const hasSpatialExtent = (shape: readonly number[]): boolean =>
  shape.length === 4 && (shape[2] ?? 1) * (shape[3] ?? 1) > 1;

/**
 * The conventional Grad-CAM layer: the last targetable value feeding the
 * network's last global pooling (GlobalAveragePool/GlobalMaxPool, ReduceMean
 * or ReduceMax over H and W, or a Flatten of a 1x1 map); the last targetable
 * value of the graph when there is no such pooling.
 */
export function defaultTargetLayer(
  model: ModelProto,
  facts: ValueFacts,
): TargetableLayer | undefined {
  const view = new GraphView(model);
  const layers = listTargetableLayers(model, facts);
  const pooling = [...view.nodes].reverse().find((node) => isGlobalPooling(view, facts, node));

  if (pooling === undefined) {
    return layers.at(-1);
  }
  const ancestors = ancestorValues(view, pooling.input[0] ?? '');
  return layers.filter((layer) => ancestors.has(layer.value)).at(-1) ?? layers.at(-1);
}

/**
 * A user's layer, given as a value name or a node name, as a value name.
 * @throws LayerNotFoundError listing the targetable layers
 */
export function resolveLayer(model: ModelProto, facts: ValueFacts, layer: string): string {
  if (facts.has(layer)) {
    return layer;
  }
  const node = model.graph?.node.find((n) => n.name === layer && (n.output[0] ?? '') !== '');
  if (node !== undefined) {
    return node.output[0] ?? '';
  }
  throw new LayerNotFoundError(
    layer,
    listTargetableLayers(model, facts).map((l) => l.value),
  );
}

function isGlobalPooling(view: GraphView, facts: ValueFacts, node: NodeProto): boolean {
  const input = facts.get(node.input[0] ?? '')?.shape;
  switch (node.opType ?? '') {
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      return true;
    case 'ReduceMean':
    case 'ReduceMax': {
      const axes =
        node.attribute.find((a) => a.name === 'axes')?.ints ?? numbers(view, node.input[1]);
      const rank = input?.length ?? 4;
      const normalized = new Set((axes ?? []).map((a) => (a < 0 ? a + rank : a)));
      return rank === 4 && normalized.has(2) && normalized.has(3);
    }
    case 'Flatten':
      return input !== undefined && input.length === 4 && input[2] === 1 && input[3] === 1;
    default:
      return false;
  }
}

function numbers(view: GraphView, value: string | undefined): number[] | undefined {
  const data = value === undefined ? undefined : view.constant(value);
  return data === undefined ? undefined : Array.from(data as ArrayLike<number | bigint>, Number);
}

function ancestorValues(view: GraphView, value: string): Set<string> {
  const seen = new Set<string>();
  const stack = [value];
  while (stack.length > 0) {
    const next = stack.pop() ?? '';
    if (seen.has(next)) {
      continue;
    }
    seen.add(next);
    stack.push(...(view.producer(next)?.node.input.filter((v) => v !== '') ?? []));
  }
  return seen;
}
