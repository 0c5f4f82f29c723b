import { makeNode, makeValueInfo, type NodeAttributeValue } from '../../src/onnx/onnx.factory';
import {
  DataType,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../../src/onnx/onnx.types';
import { makeTensor } from '../../src/onnx/tensor.data';
import { seededRandom } from '../../test/support/seeded-random';

/** torchvision's resnet50: bottleneck blocks per stage, and each stage's inner width. */
const STAGES = [
  { blocks: 3, width: 64, stride: 1 },
  { blocks: 4, width: 128, stride: 2 },
  { blocks: 6, width: 256, stride: 2 },
  { blocks: 3, width: 512, stride: 2 },
] as const;
const EXPANSION = 4;
const CLASSES = 1000;

export const RESNET50_INPUT = 'input';
export const RESNET50_OUTPUT = 'logits';
/** The last block's output: pytorch-grad-cam's usual `model.layer4[-1]`, the input of the global pooling. */
export const RESNET50_LAST_LAYER = '/layer4/layer4.2/relu_2/Relu_output_0';

const ints = (value: readonly number[]): NodeAttributeValue => ({ kind: 'ints', value });
const int = (value: number): NodeAttributeValue => ({ kind: 'int', value });
const float = (value: number): NodeAttributeValue => ({ kind: 'float', value });

/**
 * Writes a ResNet-50-shaped ONNX graph (He-initialised random weights, seeded)
 * the way torch.onnx.export writes torchvision's resnet50 in eval mode with
 * do_constant_folding=False: BatchNormalization nodes are kept, not folded
 * into the convolutions, so onnxruntime's own fusion decides what is fused.
 */
export function buildResNet50(seed = 50): ModelProto {
  const graph = new GraphWriter(seededRandom(seed));

  let x = graph.convBnRelu('', 'conv1', 'bn1', 'relu', RESNET50_INPUT, 3, 64, 7, 2);
  x = graph.node('MaxPool', '/maxpool', [x], {
    kernel_shape: ints([3, 3]),
    strides: ints([2, 2]),
    pads: ints([1, 1, 1, 1]),
  });

  let channels = 64;
  STAGES.forEach((stage, s) => {
    for (let b = 0; b < stage.blocks; b++) {
      const stride = b === 0 ? stage.stride : 1;
      x = graph.bottleneck(`layer${s + 1}`, b, x, channels, stage.width, stride);
      channels = stage.width * EXPANSION;
    }
  });

  const pooled = graph.node('GlobalAveragePool', '/avgpool', [x]);
  const flat = graph.node('Flatten', '/flatten', [pooled], { axis: int(1) });
  graph.gemm('/fc', 'fc', flat, channels, CLASSES, RESNET50_OUTPUT);
  return graph.model();
}

class GraphWriter {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];

  constructor(private readonly random: () => number) {}

  node(
    op: string,
    name: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, NodeAttributeValue>> = {},
    output = `${name}/${op}_output_0`,
  ): string {
    this.nodes.push(makeNode(op, inputs, [output], `${name}/${op}`, attributes));
    return output;
  }

  bottleneck(
    stage: string,
    index: number,
    x: string,
    inChannels: number,
    width: number,
    stride: number,
  ): string {
    const scope = `/${stage}/${stage}.${index}`;
    const prefix = `${stage}.${index}`;
    const out = width * EXPANSION;

    let y = this.convBnRelu(
      scope,
      `${prefix}.conv1`,
      `${prefix}.bn1`,
      'relu',
      x,
      inChannels,
      width,
      1,
      1,
    );
    y = this.convBnRelu(
      scope,
      `${prefix}.conv2`,
      `${prefix}.bn2`,
      'relu_1',
      y,
      width,
      width,
      3,
      stride,
    );
    // A small last gamma keeps the residual sum from growing block after block (random weights, no training).
    y = this.convBn(scope, `${prefix}.conv3`, `${prefix}.bn3`, y, width, out, 1, 1, 0.2);

    const shortcut =
      index === 0
        ? this.convBn(
            `${scope}/downsample`,
            `${prefix}.downsample.0`,
            `${prefix}.downsample.1`,
            x,
            inChannels,
            out,
            1,
            stride,
            1,
          )
        : x;
    const sum = this.node('Add', `${scope}/add`, [y, shortcut]);
    return this.node('Relu', `${scope}/relu_2`, [sum]);
  }

  convBnRelu(
    scope: string,
    conv: string,
    bn: string,
    relu: string,
    x: string,
    inChannels: number,
    outChannels: number,
    kernel: number,
    stride: number,
  ): string {
    const y = this.convBn(scope, conv, bn, x, inChannels, outChannels, kernel, stride, 1);
    return this.node('Relu', `${scope}/${relu}`, [y]);
  }

  convBn(
    scope: string,
    conv: string,
    bn: string,
    x: string,
    inChannels: number,
    outChannels: number,
    kernel: number,
    stride: number,
    gamma: number,
  ): string {
    const fanIn = inChannels * kernel * kernel;
    const weight = this.initializer(
      `${conv}.weight`,
      [outChannels, inChannels, kernel, kernel],
      () => this.normal(Math.sqrt(2 / fanIn)),
    );
    const pad = Math.floor(kernel / 2);
    const y = this.node('Conv', `${scope}/${conv.split('.').at(-1)}`, [x, weight], {
      dilations: ints([1, 1]),
      group: int(1),
      kernel_shape: ints([kernel, kernel]),
      pads: ints([pad, pad, pad, pad]),
      strides: ints([stride, stride]),
    });

    const stats = (name: string, value: () => number): string =>
      this.initializer(`${bn}.${name}`, [outChannels], value);
    const inputs = [
      y,
      stats('weight', () => gamma * (0.9 + 0.2 * this.random())),
      stats('bias', () => 0.05 * (this.random() - 0.5)),
      stats('running_mean', () => 0.1 * (this.random() - 0.5)),
      stats('running_var', () => 0.8 + 0.4 * this.random()),
    ];
    return this.node('BatchNormalization', `${scope}/${bn.split('.').at(-1)}`, inputs, {
      epsilon: float(1e-5),
      momentum: float(0.9),
    });
  }

  gemm(
    name: string,
    prefix: string,
    x: string,
    inFeatures: number,
    outFeatures: number,
    output: string,
  ): void {
    const bound = 1 / Math.sqrt(inFeatures);
    const weight = this.initializer(
      `${prefix}.weight`,
      [outFeatures, inFeatures],
      () => bound * (2 * this.random() - 1),
    );
    const bias = this.initializer(
      `${prefix}.bias`,
      [outFeatures],
      () => bound * (2 * this.random() - 1),
    );
    this.node(
      'Gemm',
      name,
      [x, weight, bias],
      { alpha: float(1), beta: float(1), transB: int(1) },
      output,
    );
  }

  model(): ModelProto {
    return {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'cnn-lens-bench',
      metadataProps: [],
      graph: {
        name: 'resnet50',
        node: this.nodes,
        initializer: this.initializers,
        input: [makeValueInfo(RESNET50_INPUT, DataType.FLOAT, ['batch', 3, 224, 224])],
        output: [makeValueInfo(RESNET50_OUTPUT, DataType.FLOAT, ['batch', CLASSES])],
        valueInfo: [],
      },
    };
  }

  private initializer(name: string, dims: readonly number[], value: () => number): string {
    const count = dims.reduce((p, d) => p * d, 1);
    this.initializers.push(makeTensor(name, dims, Float32Array.from({ length: count }, value)));
    return name;
  }

  /** Box-Muller: a normal sample with standard deviation `std`. */
  private normal(std: number): number {
    const u = Math.max(this.random(), 1e-12);
    return std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }
}
