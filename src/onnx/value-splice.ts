import type { GraphView } from './graph.view';
import type { NodeProto } from './onnx.types';

/**
 * The graph's nodes with `inserted` placed right after the producer of
 * `value` (first, for a graph input) and every consumer of `value` reading
 * `replacement` instead. Graph outputs keep naming `value`, so what the
 * model returns for it is unchanged.
 */
export function spliceAfterValue(
  view: GraphView,
  value: string,
  replacement: string,
  inserted: readonly NodeProto[],
): NodeProto[] {
  const rewired = view.graph.node.map((node) =>
    node.input.includes(value)
      ? { ...node, input: node.input.map((v) => (v === value ? replacement : v)) }
      : node,
  );
  const producer = view.producer(value)?.node;
  const at = producer === undefined ? 0 : view.graph.node.indexOf(producer) + 1;
  rewired.splice(at, 0, ...inserted);
  return rewired;
}
