import { UnsupportedOperatorAttributeError } from '../../errors/unsupported-operator-attribute.error';
import { int, type BackwardBuilder, type ForwardNode } from './gradient-rule';

/** onnx.TensorProto.DataType codes the rules need by name. */
export const ElementType = {
  FLOAT: 1,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  BFLOAT16: 16,
} as const;

const FLOATING = new Set<number>([
  ElementType.FLOAT,
  ElementType.FLOAT16,
  ElementType.DOUBLE,
  ElementType.BFLOAT16,
]);

/** Integer and boolean values carry no gradient. */
export function isFloating(elementType: number): boolean {
  return FLOATING.has(elementType);
}

/** A float constant in the element type of `like` (initializers are float32, so others get a Cast). */
export function typedConstant(
  b: BackwardBuilder,
  values: number | readonly number[],
  like: string,
  dims?: readonly number[],
): string {
  const constant = b.float32(values, dims);
  const type = b.elementType(like);
  return type === ElementType.FLOAT ? constant : b.op('Cast', [constant], { to: int(type) });
}

/** Casts to the element type of `like` (a boolean mask to scale a gradient, an integer exponent). */
export function castLike(b: BackwardBuilder, value: string, like: string): string {
  return b.op('Cast', [value], { to: int(b.elementType(like)) });
}

/** True when an optional input is present (omitted ones are absent or empty strings). */
export function hasInput(node: ForwardNode, index: number): boolean {
  return index < node.inputs.length && node.inputs[index] !== '';
}

/** The numbers of a value known at build time, or undefined when it is computed at run time. */
export function constantNumbers(b: BackwardBuilder, value: string): number[] | undefined {
  const data = b.constant(value);
  if (data === undefined) {
    return undefined;
  }
  return Array.from(data as ArrayLike<number | bigint>, (element) => Number(element));
}

/** The numbers of an operand the rule needs at build time (axes, pads, starts); throws otherwise. */
export function requireConstant(
  b: BackwardBuilder,
  node: ForwardNode,
  index: number,
  parameter: string,
): number[] {
  const values = constantNumbers(b, node.inputs[index] ?? '');
  if (values === undefined) {
    throw new UnsupportedOperatorAttributeError(
      node.opType,
      node.name,
      `input ${index} (${parameter})`,
      'a constant (an initializer or a Constant output)',
      `"${node.inputs[index] ?? ''}", a value computed at run time`,
    );
  }
  return values;
}

/** Maps a possibly negative axis into [0, rank). */
export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** The element count of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/**
 * Where(condition, whenTrue, whenFalse); before opset 9 (no Where) the blend
 * m * whenTrue + (1 - m) * whenFalse with m the condition cast like `like`.
 */
export function choose(
  b: BackwardBuilder,
  condition: string,
  whenTrue: string,
  whenFalse: string,
  like: string,
): string {
  if (b.opset >= 9) {
    return b.op('Where', [condition, whenTrue, whenFalse]);
  }
  const mask = castLike(b, condition, like);
  const rest = b.op('Sub', [typedConstant(b, 1, like), mask]);
  return b.op('Add', [b.op('Mul', [mask, whenTrue]), b.op('Mul', [rest, whenFalse])]);
}

/** sign(x) typed like x: Sign from opset 9, (x > 0) - (x < 0) before (both give 0 at 0). */
export function sign(b: BackwardBuilder, x: string): string {
  if (b.opset >= 9) {
    return b.op('Sign', [x]);
  }
  const zero = typedConstant(b, 0, x);
  const positive = castLike(b, b.op('Greater', [x, zero]), x);
  return b.op('Sub', [positive, castLike(b, b.op('Less', [x, zero]), x)]);
}
