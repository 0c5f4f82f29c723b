import { LayerNotConvolutionError } from '../errors/layer-not-convolution.error';
import { LayerNotFoundError } from '../errors/layer-not-found.error';
import { GraphView } from '../onnx/graph.view';
import type { ModelProto, NodeProto } from '../onnx/onnx.types';
import type { ConvWeights } from './kernel.tiles';
import { floatConstant, layerName } from './weighted-layers';

export interface ResolvedConvolution {
  readonly layer: string;
  readonly node: NodeProto;
  readonly weights: ConvWeights;
  /** The weight initializer's name. */
  readonly initializer: string;
  readonly group: number;
  /** Whether the convolution reads the model's input image (see readsModelInput). */
  readonly readsModelInput: boolean;
}

/**
 * Operators through which a value still holds the input image's colour
 * channels: copies and casts, the NHWC-to-NCHW transpose of a channels-last
 * model, and arithmetic with a constant (the normalisation some exports put
 * in the graph).
 */
const COPIES = new Set(['Identity', 'Cast']);
const CONSTANT_ARITHMETIC = new Set(['Add', 'Sub', 'Mul', 'Div']);
const NHWC_TO_NCHW = '0,3,1,2';

function keepsColours(view: GraphView, node: NodeProto): boolean {
  const op = node.opType ?? '';
  if (COPIES.has(op)) {
    return true;
  }
  if (op === 'Transpose') {
    return (node.attribute.find((a) => a.name === 'perm')?.ints ?? []).join(',') === NHWC_TO_NCHW;
  }
  // The image on one side, a constant on the other; the sum of two activations is no image.
  return (
    CONSTANT_ARITHMETIC.has(op) &&
    node.input.length === 2 &&
    node.input.some((value) => view.constant(value) !== undefined)
  );
}

/**
 * True when the convolution's data input is a model input, directly or
 * through colour-preserving operators.
 */
export function readsModelInput(view: GraphView, conv: NodeProto): boolean {
  let value = conv.input[0] ?? '';

  for (;;) {
    if (view.isGraphInput(value)) {
      return true;
    }
    const producer = view.producer(value)?.node;
    if (producer === undefined || !keepsColours(view, producer)) {
      return false;
    }
    value = producer.input.find((input) => view.constant(input) === undefined) ?? '';
  }
}

/**
 * The convolution a caller names by node name, output value or weight
 * initializer; the first convolution of the graph when none is named.
 * @throws LayerNotFoundError / LayerNotConvolutionError listing the convolutions
 */
export function resolveConvolution(
  model: ModelProto,
  layer: string | undefined,
): ResolvedConvolution {
  const view = new GraphView(model);
  const convolutions = view.nodes.filter(
    (node) => node.opType === 'Conv' && view.constant(node.input[1] ?? '') !== undefined,
  );
  const names = convolutions.map(layerName);
  const node =
    layer === undefined
      ? convolutions[0]
      : view.nodes.find(
          (n) =>
            layerName(n) === layer ||
            n.output.includes(layer) ||
            (n.opType === 'Conv' && n.input[1] === layer),
        );

  if (node === undefined) {
    throw new LayerNotFoundError(layer ?? '(first convolution)', names);
  }
  if (!convolutions.includes(node)) {
    throw new LayerNotConvolutionError(layer ?? layerName(node), node.opType ?? 'node', names);
  }
  return convolutionOf(view, node);
}

function convolutionOf(view: GraphView, node: NodeProto): ResolvedConvolution {
  const initializer = node.input[1] ?? '';
  const weight = floatConstant(view, initializer, 'weight');
  const dims = weight?.dims ?? [];
  if (weight === undefined || dims.length !== 4) {
    // Only 2-D convolutions have [out, in, kh, kw] kernels that read as pictures.
    throw new LayerNotConvolutionError(layerName(node), `Conv with ${dims.length - 2}-D kernels`, [
      layerName(node),
    ]);
  }
  const group = node.attribute.find((a) => a.name === 'group')?.i ?? 1;
  return {
    layer: layerName(node),
    node,
    initializer,
    group,
    readsModelInput: readsModelInput(view, node),
    weights: {
      layer: layerName(node),
      data: weight.data,
      dims: [dims[0], dims[1], dims[2], dims[3]],
    },
  };
}
