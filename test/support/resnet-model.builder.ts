import { int, ints } from '../../src/onnx/autodiff/gradient-rule';
import type { ModelProto } from '../../src/onnx/onnx.types';
import { buildTestModel, type TestInitializer, type TestNode } from './onnx-test-model.builder';
import { seededRandom } from './seeded-random';

export interface ResNetShape {
  /** Blocks per stage: [3, 4, 6, 3] is ResNet-50 with bottlenecks. */
  readonly blocks: readonly number[];
  readonly bottleneck: boolean;
  readonly width: number;
  readonly inputSize: number;
  readonly classes: number;
  /** Keep BatchNormalization nodes (an export without Conv+BN folding). */
  readonly batchNorm: boolean;
}

export const RESNET50: ResNetShape = {
  blocks: [3, 4, 6, 3],
  bottleneck: true,
  width: 64,
  inputSize: 224,
  classes: 1000,
  batchNorm: false,
};

/**
 * A ResNet-shaped model with random (He-scaled) weights, laid out the way
 * torch.onnx exports torchvision's ResNets: stem Conv/ReLU/MaxPool, residual
 * stages, GlobalAveragePool, Flatten, Gemm. Its last block's ReLU output is
 * named 'last_conv_layer'.
 */
export function resnetModel(shape: ResNetShape, seed = 7): ModelProto {
  const random = seededRandom(seed);
  const nodes: TestNode[] = [];
  const initializers: TestInitializer[] = [];
  let counter = 0;
  const fresh = (prefix: string): string => `${prefix}_${counter++}`;

  const weight = (dims: number[], fanIn: number): string => {
    const name = fresh('w');
    const std = Math.sqrt(2 / fanIn);
    const count = dims.reduce((p, d) => p * d, 1);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      data[i] = (2 * random() - 1) * std * 1.7;
    }
    initializers.push({ name, dims, data });
    return name;
  };
  const convUnit = (
    x: string,
    cin: number,
    cout: number,
    k: number,
    stride: number,
    relu: boolean,
  ): string => {
    const w = weight([cout, cin, k, k], cin * k * k);
    const b = weight([cout], cout);
    let y = fresh('conv');
    const pad = Math.floor(k / 2);
    nodes.push({
      op: 'Conv',
      inputs: [x, w, b],
      outputs: [y],
      attributes: {
        kernel_shape: ints([k, k]),
        strides: ints([stride, stride]),
        pads: ints([pad, pad, pad, pad]),
      },
    });
    if (shape.batchNorm) {
      const stats = [1, 0, 0, 1].map((v) => {
        const name = fresh('bn');
        initializers.push({ name, dims: [cout], data: new Float32Array(cout).fill(v) });
        return name;
      });
      const bn = fresh('bn_out');
      nodes.push({ op: 'BatchNormalization', inputs: [y, ...stats], outputs: [bn] });
      y = bn;
    }
    if (relu) {
      const r = fresh('relu');
      nodes.push({ op: 'Relu', inputs: [y], outputs: [r] });
      return r;
    }
    return y;
  };

  let x = convUnit('input', 3, shape.width, 7, 2, true);
  const pooled = fresh('maxpool');
  nodes.push({
    op: 'MaxPool',
    inputs: [x],
    outputs: [pooled],
    attributes: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
  });
  x = pooled;
  let channels = shape.width;
  const expansion = shape.bottleneck ? 4 : 1;

  shape.blocks.forEach((count, stage) => {
    const planes = shape.width * 2 ** stage;
    for (let block = 0; block < count; block++) {
      const stride = block === 0 && stage > 0 ? 2 : 1;
      const out = planes * expansion;
      const branch = shape.bottleneck
        ? convUnit(
            convUnit(convUnit(x, channels, planes, 1, 1, true), planes, planes, 3, stride, true),
            planes,
            out,
            1,
            1,
            false,
          )
        : convUnit(convUnit(x, channels, planes, 3, stride, true), planes, out, 3, 1, false);
      const shortcut =
        stride !== 1 || channels !== out ? convUnit(x, channels, out, 1, stride, false) : x;
      const sum = fresh('add');
      nodes.push({ op: 'Add', inputs: [branch, shortcut], outputs: [sum] });
      const isLast = stage === shape.blocks.length - 1 && block === count - 1;
      const relu = isLast ? 'last_conv_layer' : fresh('relu');
      nodes.push({ op: 'Relu', inputs: [sum], outputs: [relu] });
      x = relu;
      channels = out;
    }
  });

  const fcWeight = weight([shape.classes, channels], channels);
  const fcBias = weight([shape.classes], channels);
  nodes.push({ op: 'GlobalAveragePool', inputs: [x], outputs: ['gap'] });
  nodes.push({ op: 'Flatten', inputs: ['gap'], outputs: ['flat'], attributes: { axis: int(1) } });
  nodes.push({
    op: 'Gemm',
    inputs: ['flat', fcWeight, fcBias],
    outputs: ['logits'],
    attributes: { transB: int(1) },
  });

  return buildTestModel({
    opset: 13,
    inputs: [{ name: 'input', shape: [1, 3, shape.inputSize, shape.inputSize] }],
    initializers,
    nodes,
    outputs: ['logits'],
  });
}
