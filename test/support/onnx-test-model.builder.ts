import type { ConstantData } from '../../src/onnx/autodiff/gradient-rule';
import { makeNode, makeValueInfo, type NodeAttributeValue } from '../../src/onnx/onnx.factory';
import { DataType, type ModelProto } from '../../src/onnx/onnx.types';
import { makeTensor } from '../../src/onnx/tensor.data';

export interface TestValue {
  readonly name: string;
  readonly shape: readonly number[];
  /** ONNX element type; FLOAT when omitted. */
  readonly type?: number;
}

export interface TestInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  /** Plain numbers become float32. */
  readonly data: ConstantData | readonly number[];
  /** BOOL for Uint8Array data that holds booleans; otherwise the type follows the data. */
  readonly type?: typeof DataType.BOOL;
}

export interface TestNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, NodeAttributeValue>>;
  readonly name?: string;
}

export interface TestModelSpec {
  readonly opset?: number;
  readonly inputs: readonly TestValue[];
  readonly initializers?: readonly TestInitializer[];
  readonly nodes: readonly TestNode[];
  /** Output names (float, shape left to onnxruntime) or typed outputs. */
  readonly outputs: readonly (string | TestValue)[];
}

/** A small ONNX model written from TypeScript, for tests (opset 17 unless told). */
export function buildTestModel(spec: TestModelSpec): ModelProto {
  const initializers = (spec.initializers ?? []).map((i) => {
    const tensor = makeTensor(i.name, i.dims, isTyped(i.data) ? i.data : Float32Array.from(i.data));
    return i.type === undefined ? tensor : { ...tensor, dataType: i.type };
  });
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    producerName: 'cnn-lens-tests',
    metadataProps: [],
    graph: {
      name: 'test',
      node: spec.nodes.map((n, i) =>
        makeNode(n.op, n.inputs, n.outputs, n.name ?? `${n.op}_${i}`, n.attributes),
      ),
      initializer: initializers,
      input: spec.inputs.map((v) => makeValueInfo(v.name, v.type ?? DataType.FLOAT, v.shape)),
      output: spec.outputs.map((o) =>
        typeof o === 'string'
          ? makeValueInfo(o, DataType.FLOAT)
          : makeValueInfo(o.name, o.type ?? DataType.FLOAT, o.shape),
      ),
      valueInfo: [],
    },
  };
}

/**
 * GlobalAveragePool, Flatten and Gemm(transB=1) from `features` to 'logits':
 * the head of a CAM-style classifier, over the initializers 'fc'
 * [classes, channels] and 'bias' [classes].
 */
export function poolingClassifierHead(features: string): TestNode[] {
  return [
    { op: 'GlobalAveragePool', inputs: [features], outputs: ['pooled'] },
    { op: 'Flatten', inputs: ['pooled'], outputs: ['flat'] },
    {
      op: 'Gemm',
      inputs: ['flat', 'fc', 'bias'],
      outputs: ['logits'],
      attributes: { transB: { kind: 'int', value: 1 } },
    },
  ];
}

function isTyped(data: ConstantData | readonly number[]): data is ConstantData {
  return ArrayBuffer.isView(data);
}

/** A single-node model: inputs are graph inputs, `weights` initializers, one output 'Y'. */
export function singleNodeModel(
  op: string,
  inputs: readonly TestValue[],
  attributes: Readonly<Record<string, NodeAttributeValue>> = {},
  options: {
    opset?: number;
    initializers?: readonly TestInitializer[];
    nodeInputs?: readonly string[];
    outputs?: number;
  } = {},
): ModelProto {
  const outputCount = options.outputs ?? 1;
  const outputs = Array.from({ length: outputCount }, (_, i) => (i === 0 ? 'Y' : `Y${i}`));
  return buildTestModel({
    ...(options.opset === undefined ? {} : { opset: options.opset }),
    inputs,
    initializers: options.initializers ?? [],
    nodes: [
      {
        op,
        inputs: options.nodeInputs ?? [
          ...inputs.map((i) => i.name),
          ...(options.initializers ?? []).map((i) => i.name),
        ],
        outputs,
        attributes,
      },
    ],
    outputs: ['Y'],
  });
}
