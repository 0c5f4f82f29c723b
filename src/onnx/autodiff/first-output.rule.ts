import type { BackwardBuilder, ForwardNode, GradientRule } from './gradient-rule';

/** The body of a rule whose gradients all flow from output 0's gradient dY. */
export type FirstOutputGradient = (
  node: ForwardNode,
  dY: string,
  b: BackwardBuilder,
  outputGradients: ReadonlyArray<string | undefined>,
) => ReadonlyArray<string | undefined>;

/** A rule that gives no input a gradient when nothing downstream needs output 0's. */
export function firstOutputRule(gradient: FirstOutputGradient): GradientRule {
  return (node, outputGradients, b) => {
    const dY = outputGradients[0];
    if (dY === undefined) {
      return [];
    }
    return gradient(node, dY, b, outputGradients);
  };
}
