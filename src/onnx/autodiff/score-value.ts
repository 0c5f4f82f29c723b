import type { GraphView } from '../graph.view';

const PASS_THROUGH = new Set(['Identity', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze']);

/**
 * The value whose gradient a 'logits' score means: the input of a final
 * Softmax/LogSoftmax (seen through Identity/Flatten/Reshape/Squeeze), or the
 * output itself when the network ends otherwise.
 */
export function logitsValue(view: GraphView, output: string): string {
  let value = output;
  for (;;) {
    const node = view.producer(value)?.node;
    if (node === undefined) {
      return output;
    }
    if (node.opType === 'Softmax' || node.opType === 'LogSoftmax') {
      return node.input[0] ?? output;
    }
    if (!PASS_THROUGH.has(node.opType ?? '')) {
      return output;
    }
    value = node.input[0] ?? '';
  }
}
