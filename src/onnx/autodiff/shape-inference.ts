/**
 * Output shapes of the operators rules commonly emit, so the builder can
 * answer shape() for backward values too (unbroadcast needs them). Returns
 * undefined when an operator or an operand's shape is not known here.
 */

type Shape = readonly number[];

const SAME_AS_FIRST = new Set([
  'Identity',
  'Neg',
  'Relu',
  'Sigmoid',
  'Tanh',
  'Exp',
  'Log',
  'Sqrt',
  'Abs',
  'Sign',
  'Reciprocal',
  'Cast',
  'Not',
  'Erf',
  'Softplus',
  'Floor',
  'Ceil',
  'Softmax',
  'LogSoftmax',
  'Elu',
  'LeakyRelu',
  'HardSigmoid',
  'Selu',
  'Sin',
  'Cos',
  'Round',
  'CumSum',
  'Clip',
  'IsNaN',
  'IsInf',
  'HardSwish',
  'Mish',
  'Gelu',
  'PRelu',
  'ThresholdedRelu',
  'Shrink',
]);

const BROADCASTING = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Where',
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'And',
  'Or',
  'Xor',
  'Max',
  'Min',
  'Sum',
  'Mean',
  'Mod',
]);

/** numpy broadcasting of several shapes; undefined when they do not broadcast. */
export function broadcastShapes(shapes: readonly Shape[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let size = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d !== 1) {
        if (size !== 1 && size !== d) {
          return undefined;
        }
        size = d;
      }
    }
    out.push(size);
  }
  return out;
}

export interface ShapeQuery {
  shape(value: string): Shape | undefined;
  ints(value: string): number[] | undefined;
}

export interface EmittedNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly ints: (name: string) => readonly number[] | undefined;
  readonly int: (name: string) => number | undefined;
}

const normalize = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Best-effort output shape of an emitted node's first output. */
export function inferOutputShape(node: EmittedNode, q: ShapeQuery): number[] | undefined {
  const inputShapes = node.inputs.map((name) => (name === '' ? undefined : q.shape(name)));
  const first = inputShapes[0];

  if (SAME_AS_FIRST.has(node.opType)) {
    return first === undefined ? undefined : [...first];
  }
  if (BROADCASTING.has(node.opType)) {
    return inputShapes.some((s) => s === undefined)
      ? undefined
      : broadcastShapes(inputShapes as Shape[]);
  }
  if (first === undefined) {
    return undefined;
  }
  switch (node.opType) {
    case 'Reshape':
      return reshape(first, q.ints(node.inputs[1] ?? ''));
    case 'Expand': {
      const target = q.ints(node.inputs[1] ?? '');
      return target === undefined ? undefined : broadcastShapes([first, target]);
    }
    case 'Transpose': {
      const perm = node.ints('perm') ?? first.map((_, i) => first.length - 1 - i);
      return perm.map((p) => first[p] ?? 0);
    }
    case 'ReduceSum':
    case 'ReduceMean':
    case 'ReduceMax':
      return reduce(
        first,
        node.ints('axes') ?? q.ints(node.inputs[1] ?? ''),
        (node.int('keepdims') ?? 1) === 1,
      );
    case 'Unsqueeze':
      return unsqueeze(first, node.ints('axes') ?? q.ints(node.inputs[1] ?? ''));
    case 'Squeeze':
      return squeeze(first, node.ints('axes') ?? q.ints(node.inputs[1] ?? ''));
    case 'MatMul':
      return matmul(first, inputShapes[1]);
    default:
      return undefined;
  }
}

function reshape(input: Shape, target: number[] | undefined): number[] | undefined {
  if (target === undefined) {
    return undefined;
  }
  const out = target.map((d, i) => (d === 0 ? (input[i] ?? 0) : d));
  const known = out.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const total = input.reduce((p, d) => p * d, 1);
  return out.map((d) => (d === -1 ? total / known : d));
}

function reduce(input: Shape, axes: readonly number[] | undefined, keep: boolean): number[] {
  const set = new Set((axes ?? input.map((_, i) => i)).map((a) => normalize(a, input.length)));
  return input.flatMap((d, i) => (set.has(i) ? (keep ? [1] : []) : [d]));
}

function unsqueeze(input: Shape, axes: readonly number[] | undefined): number[] | undefined {
  if (axes === undefined) {
    return undefined;
  }
  const rank = input.length + axes.length;
  const set = new Set(axes.map((a) => normalize(a, rank)));
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) {
    out.push(set.has(i) ? 1 : (input[next++] ?? 0));
  }
  return out;
}

function squeeze(input: Shape, axes: readonly number[] | undefined): number[] {
  const set = new Set(
    (axes ?? input.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normalize(a, input.length)),
  );
  return input.filter((_, i) => !set.has(i));
}

function matmul(a: Shape, b: Shape | undefined): number[] | undefined {
  if (b === undefined) {
    return undefined;
  }
  const a2 = a.length === 1 ? [1, a[0] ?? 0] : a;
  const b2 = b.length === 1 ? [b[0] ?? 0, 1] : b;
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  if (batch === undefined) {
    return undefined;
  }
  const rows = a.length === 1 ? [] : [a2[a2.length - 2] ?? 0];
  const cols = b.length === 1 ? [] : [b2[b2.length - 1] ?? 0];
  return [...batch, ...rows, ...cols];
}
