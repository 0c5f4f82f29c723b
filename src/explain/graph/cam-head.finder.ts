import { readAttributes } from '../../onnx/attribute.reader';
import type { GraphView } from '../../onnx/graph.view';
import type { NodeProto } from '../../onnx/onnx.types';
import type { ValueFacts } from '../../onnx/value-facts';

/** The linear layer of a CAM head: W as [classes, K], row-major. */
export interface CamHead {
  readonly classes: number;
  readonly channels: number;
  readonly weights: Float32Array;
}

const PASS_THROUGH = new Set(['Identity', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze']);

/**
 * W when the layer feeds, and only feeds, global average pooling then one
 * linear layer (Gemm, or MatMul with an optional bias Add) whose output is
 * the score, seen through reshapes; undefined otherwise (CAM does not apply).
 */
export function findCamHead(
  view: GraphView,
  facts: ValueFacts,
  layer: string,
  score: string,
): CamHead | undefined {
  const pool = onlyConsumer(view, layer);
  if (pool === undefined || !isGlobalAveragePool(view, facts, pool)) {
    return undefined;
  }

  const linear = skipPassThrough(view, pool.output[0] ?? '');
  if (linear === undefined) {
    return undefined;
  }
  const head = linearWeights(view, linear);
  if (head === undefined || head.channels !== facts.get(layer)?.shape[1]) {
    return undefined;
  }

  const end = afterBias(view, linear);
  return reaches(view, end, score) ? head : undefined;
}

function onlyConsumer(view: GraphView, value: string): NodeProto | undefined {
  const consumers = view.consumers(value);
  return consumers.length === 1 && !view.outputNames.includes(value) ? consumers[0] : undefined;
}

function isGlobalAveragePool(view: GraphView, facts: ValueFacts, node: NodeProto): boolean {
  if (node.opType === 'GlobalAveragePool') {
    return true;
  }
  if (node.opType !== 'ReduceMean') {
    return false;
  }
  const rank = facts.get(node.input[0] ?? '')?.shape.length ?? 4;
  const fromAttribute = readAttributes(node).ints('axes', []);
  const fromInput = node.input[1] === undefined ? undefined : view.constant(node.input[1]);
  const axes = fromAttribute.length > 0 ? fromAttribute : Array.from(fromInput ?? [], Number);
  const normalized = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  return rank === 4 && normalized.size === 2 && normalized.has(2) && normalized.has(3);
}

function skipPassThrough(view: GraphView, value: string): NodeProto | undefined {
  let node = onlyConsumer(view, value);
  while (node !== undefined && PASS_THROUGH.has(node.opType ?? '')) {
    node = onlyConsumer(view, node.output[0] ?? '');
  }
  return node;
}

function linearWeights(view: GraphView, node: NodeProto): CamHead | undefined {
  const b = node.input[1] === undefined ? undefined : view.constant(node.input[1]);
  const dims =
    view.initializer(node.input[1] ?? '')?.dims ?? constantDims(view, node.input[1] ?? '');
  if (b === undefined || dims?.length !== 2) {
    return undefined;
  }
  const [rows, cols] = [dims[0] ?? 0, dims[1] ?? 0];
  const values = Float32Array.from(b as ArrayLike<number>);

  if (node.opType === 'Gemm') {
    const attributes = readAttributes(node);
    if (attributes.int('transA', 0) !== 0) {
      return undefined;
    }
    const alpha = attributes.float('alpha', 1);
    return attributes.int('transB', 0) === 1
      ? { classes: rows, channels: cols, weights: values.map((v) => alpha * v) }
      : transpose(values, rows, cols, alpha);
  }
  return node.opType === 'MatMul' ? transpose(values, rows, cols, 1) : undefined;
}

function constantDims(view: GraphView, value: string): number[] | undefined {
  const producer = view.producer(value)?.node;
  const tensor =
    producer?.opType === 'Constant'
      ? producer.attribute.find((a) => a.name === 'value')?.t
      : undefined;
  return tensor?.dims.map(Number);
}

/** [K, classes] (MatMul / Gemm without transB) to [classes, K]. */
function transpose(values: Float32Array, k: number, classes: number, alpha: number): CamHead {
  const weights = new Float32Array(k * classes);
  for (let c = 0; c < classes; c += 1) {
    for (let j = 0; j < k; j += 1) {
      weights[c * k + j] = alpha * (values[j * classes + c] ?? 0);
    }
  }
  return { classes, channels: k, weights };
}

function afterBias(view: GraphView, linear: NodeProto): string {
  const out = linear.output[0] ?? '';
  const next = onlyConsumer(view, out);
  const other = next?.input.find((v) => v !== out);
  return next?.opType === 'Add' && other !== undefined && view.constant(other) !== undefined
    ? (next.output[0] ?? '')
    : out;
}

function reaches(view: GraphView, value: string, score: string): boolean {
  let current = value;
  for (;;) {
    if (current === score) {
      return true;
    }
    const node = onlyConsumer(view, current) ?? view.consumers(current)[0];
    if (node === undefined || !PASS_THROUGH.has(node.opType ?? '')) {
      return false;
    }
    current = node.output[0] ?? '';
  }
}
