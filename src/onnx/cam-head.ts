import { GraphView } from './graph.view';
import type { ModelProto, NodeProto } from './onnx.types';

/** The linear classifier that follows global pooling of a layer: scores = W * mean(A) + b. */
export interface CamHead {
  /** Row-major [classes, channels]. */
  readonly weights: Float32Array;
  readonly classes: number;
  readonly channels: number;
  /** [classes], when the head adds a bias. */
  readonly bias?: Float32Array;
  /** The value holding the class scores (the Gemm, MatMul or bias Add output). */
  readonly scoreValue: string;
}

/** Operators that only relabel elements, so a linear head seen through them stays linear. */
const RESHAPES = new Set(['Identity', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze']);

/**
 * Finds CAM's head (Zhou et al. 2016) after `layer`: GlobalAveragePool (or
 * ReduceMean over H, W), optional Identity/Flatten/Reshape/(Un)squeeze, then
 * Gemm, or MatMul with an optional bias Add, with constant weights. Undefined
 * when the layer is followed by anything else, or, given `score`, when the
 * head's output does not reach `score` through reshapes alone.
 */
export function findCamHead(
  model: ModelProto | GraphView,
  layer: string,
  score?: string,
): CamHead | undefined {
  const view = model instanceof GraphView ? model : new GraphView(model);
  const head = headAfter(view, layer);
  return head === undefined || (score !== undefined && !reaches(view, head.scoreValue, score))
    ? undefined
    : head;
}

function headAfter(view: GraphView, layer: string): CamHead | undefined {
  const only = (value: string): NodeProto | undefined => {
    const consumers = view.consumers(value);
    return consumers.length === 1 ? consumers[0] : undefined;
  };

  const pool = only(layer);
  if (pool === undefined || !(pool.opType === 'GlobalAveragePool' || isSpatialMean(view, pool))) {
    return undefined;
  }
  let value = pool.output[0] ?? '';
  let next = only(value);
  while (next !== undefined && RESHAPES.has(next.opType ?? '')) {
    value = next.output[0] ?? '';
    next = only(value);
  }
  if (next?.opType === 'Gemm') {
    return gemmHead(view, next, value);
  }
  if (next?.opType === 'MatMul') {
    return matMulHead(view, next, value, only);
  }
  return undefined;
}

/** Whether `score` is `value` or follows from it through reshapes only (a final Flatten, say). */
function reaches(view: GraphView, value: string, score: string): boolean {
  if (value === score) {
    return true;
  }
  return view
    .consumers(value)
    .some((node) => RESHAPES.has(node.opType ?? '') && reaches(view, node.output[0] ?? '', score));
}

function isSpatialMean(view: GraphView, node: NodeProto): boolean {
  if (node.opType !== 'ReduceMean') {
    return false;
  }
  const attribute = node.attribute.find((a) => a.name === 'axes')?.ints;
  const data = node.input[1] === undefined ? undefined : view.constant(node.input[1]);
  const axes =
    attribute ?? (data === undefined ? [] : Array.from(data as ArrayLike<number | bigint>, Number));
  const normalized = axes.map((a) => (a < 0 ? a + 4 : a)).sort();
  return normalized.length === 2 && normalized[0] === 2 && normalized[1] === 3;
}

function floats(view: GraphView, value: string | undefined): Float32Array | undefined {
  const data = value === undefined ? undefined : view.constant(value);
  return data instanceof Float32Array ? data : undefined;
}

/** Dims of an initializer or of a Constant node's tensor (exporters emit either for weights). */
function constantDims(view: GraphView, value: string | undefined): number[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  const producer = view.producer(value)?.node;
  const tensor =
    view.initializer(value) ??
    (producer?.opType === 'Constant'
      ? producer.attribute.find((a) => a.name === 'value')?.t
      : undefined);
  return tensor?.dims;
}

function gemmHead(view: GraphView, gemm: NodeProto, pooled: string): CamHead | undefined {
  const attribute = (name: string): number | undefined => {
    const a = gemm.attribute.find((x) => x.name === name);
    return a === undefined ? undefined : (a.i ?? a.f ?? 0);
  };
  const b = gemm.input[1];
  const matrix = floats(view, b);
  const dims = constantDims(view, b);
  if (
    gemm.input[0] !== pooled ||
    (attribute('transA') ?? 0) !== 0 ||
    matrix === undefined ||
    dims?.length !== 2
  ) {
    return undefined;
  }
  const transB = (attribute('transB') ?? 0) === 1;
  const [rows = 0, cols = 0] = dims;
  const alpha = attribute('alpha') ?? 1;
  const beta = attribute('beta') ?? 1;
  const classes = transB ? rows : cols;
  const channels = transB ? cols : rows;
  const weights = transB ? matrix.map((w) => w * alpha) : transposed(matrix, rows, cols, alpha);

  const c = floats(view, gemm.input[2]);
  const bias =
    c === undefined
      ? undefined
      : Float32Array.from(
          { length: classes },
          (_, i) => beta * (c.length === 1 ? (c[0] ?? 0) : (c[i] ?? 0)),
        );
  return {
    weights,
    classes,
    channels,
    ...(bias === undefined ? {} : { bias }),
    scoreValue: gemm.output[0] ?? '',
  };
}

function matMulHead(
  view: GraphView,
  matMul: NodeProto,
  pooled: string,
  only: (v: string) => NodeProto | undefined,
): CamHead | undefined {
  const b = matMul.input[1];
  const matrix = floats(view, b);
  const dims = constantDims(view, b);
  if (matMul.input[0] !== pooled || matrix === undefined || dims?.length !== 2) {
    return undefined;
  }
  const [channels = 0, classes = 0] = dims;
  const weights = transposed(matrix, channels, classes, 1);
  const product = matMul.output[0] ?? '';

  const add = only(product);
  const other = add?.opType === 'Add' ? add.input.find((v) => v !== product) : undefined;
  const c = floats(view, other);
  if (add === undefined || c === undefined || !(c.length === classes || c.length === 1)) {
    return { weights, classes, channels, scoreValue: product };
  }
  const bias = Float32Array.from({ length: classes }, (_, i) =>
    c.length === 1 ? (c[0] ?? 0) : (c[i] ?? 0),
  );
  return { weights, classes, channels, bias, scoreValue: add.output[0] ?? '' };
}

function transposed(matrix: Float32Array, rows: number, cols: number, scale: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[c * rows + r] = scale * (matrix[r * cols + c] ?? 0);
    }
  }
  return out;
}
