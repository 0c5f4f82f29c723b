import { broadcastShapes } from './shape-inference';
import type { BackwardBuilder, ForwardNode, GradientRuleTable } from './gradient-rule';
import { ints } from './gradient-rule';

/**
 * Gemm Y = alpha * A' B' + beta * C (A' = A or A^T, B' likewise):
 * dA' = alpha dY B'^T, dB' = alpha A'^T dY, dC = beta * unbroadcast(dY).
 * Written with MatMul and Transpose so it holds in every opset (Gemm
 * without C needs opset 11); onnxruntime fuses the transposes.
 */
function gemmGradient(
  node: ForwardNode,
  outputGradients: ReadonlyArray<string | undefined>,
  b: BackwardBuilder,
): ReadonlyArray<string | undefined> {
  const dY = outputGradients[0];
  const [a = '', bMatrix = '', c = ''] = node.inputs;
  if (dY === undefined) {
    return [];
  }
  const alpha = node.attributes.float('alpha', 1);
  const beta = node.attributes.float('beta', 1);
  const transA = node.attributes.int('transA', 0) === 1;
  const transB = node.attributes.int('transB', 0) === 1;
  const [m = 1, n = 1] = b.shape(node.outputs[0] ?? '');
  const k = b.shape(a)[transA ? 0 : 1] ?? 1;
  const transpose = (v: string, shape: readonly number[]): string =>
    b.withShape(b.op('Transpose', [v], { perm: ints([1, 0]) }), shape);
  const scaled = (v: string, factor: number): string =>
    factor === 1 ? v : b.withShape(b.op('Mul', [v, b.float32(factor)]), b.shape(v));

  let dA: string | undefined;
  if (b.needsGradient(a)) {
    // dA' = dY B'^T, and B'^T is B itself when transB.
    const bPrimeT = transB ? bMatrix : transpose(bMatrix, [n, k]);
    const dAPrime = b.withShape(b.op('MatMul', [dY, bPrimeT]), [m, k]);
    dA = scaled(transA ? transpose(dAPrime, [k, m]) : dAPrime, alpha);
  }
  let dB: string | undefined;
  if (b.needsGradient(bMatrix)) {
    const aPrimeT = transA ? a : transpose(a, [k, m]);
    const dBPrime = b.withShape(b.op('MatMul', [aPrimeT, dY]), [k, n]);
    dB = scaled(transB ? transpose(dBPrime, [n, k]) : dBPrime, alpha);
  }
  const dC = c !== '' && b.needsGradient(c) ? scaled(b.unbroadcast(dY, c), beta) : undefined;
  return [dA, dB, dC];
}

/**
 * MatMul with numpy semantics (batched, broadcast batch dims, 1-D operands
 * promoted to matrices and their axis dropped): dA = dY B^T, dB = A^T dY,
 * each summed over the batch dims its operand was broadcast along.
 */
function matMulGradient(
  node: ForwardNode,
  outputGradients: ReadonlyArray<string | undefined>,
  b: BackwardBuilder,
): ReadonlyArray<string | undefined> {
  const dY = outputGradients[0];
  const [a = '', bMatrix = ''] = node.inputs;
  if (dY === undefined) {
    return [];
  }
  const aShape = b.shape(a);
  const bShape = b.shape(bMatrix);
  const a2 = aShape.length === 1 ? [1, aShape[0] ?? 1] : aShape;
  const b2 = bShape.length === 1 ? [bShape[0] ?? 1, 1] : bShape;
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]) ?? [];
  const m = a2[a2.length - 2] ?? 1;
  const k = a2[a2.length - 1] ?? 1;
  const n = b2[b2.length - 1] ?? 1;
  const dY2 = b.reshape(dY, [...batch, m, n]);

  const swapLast = (v: string, shape: readonly number[]): string => {
    const rank = shape.length;
    const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
    const swapped = [...shape.slice(0, -2), shape[rank - 1] ?? 1, shape[rank - 2] ?? 1];
    return b.withShape(b.op('Transpose', [v], { perm: ints(perm) }), swapped);
  };

  let dA: string | undefined;
  if (b.needsGradient(a)) {
    const bT = swapLast(b.reshape(bMatrix, b2), b2);
    const full = b.withShape(b.op('MatMul', [dY2, bT]), [...batch, m, k]);
    dA = b.reshape(b.sumTo(full, a2), aShape);
  }
  let dB: string | undefined;
  if (b.needsGradient(bMatrix)) {
    const aT = swapLast(b.reshape(a, a2), a2);
    const full = b.withShape(b.op('MatMul', [aT, dY2]), [...batch, k, n]);
    dB = b.reshape(b.sumTo(full, b2), bShape);
  }
  return [dA, dB];
}

export const linearGradients: GradientRuleTable = {
  Gemm: gemmGradient,
  MatMul: matMulGradient,
};
