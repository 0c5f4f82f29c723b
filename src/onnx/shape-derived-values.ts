import type { GraphView } from './graph.view';

const SHAPE_READERS = new Set(['Shape', 'Size']);

/**
 * Values fixed by the input shape alone: outputs of Shape/Size and of nodes
 * whose every input is an initializer or such a value (Gather, Concat, Div
 * over shapes; Constant). For one input shape their content is a constant,
 * so the probe run's data can stand in for them when building gradients.
 */
export function shapeDerivedValues(view: GraphView): Set<string> {
  const derived = new Set<string>(view.graph.initializer.map((t) => t.name ?? ''));
  for (const node of view.nodes) {
    const op = node.opType ?? '';
    const inputs = node.input.filter((v) => v !== '');
    const fixed =
      SHAPE_READERS.has(op) ||
      (!op.startsWith('Random') && op !== 'Multinomial' && inputs.every((v) => derived.has(v)));
    if (fixed) {
      node.output.forEach((v) => derived.add(v));
    }
  }
  return derived;
}
