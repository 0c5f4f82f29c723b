import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

import { ints } from '../../../src/onnx/autodiff/gradient-rule';
import { readModelFile } from '../../../src/onnx/model-file.reader';
import { decodeModel, encodeModel } from '../../../src/onnx/onnx.codec';
import { makeNode, makeValueInfo } from '../../../src/onnx/onnx.factory';
import {
  AttributeType,
  DataLocation,
  DataType,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../../../src/onnx/onnx.types';
import { makeTensor, tensorData } from '../../../src/onnx/tensor.data';
import { buildTestModel } from '../../support/onnx-test-model.builder';

const INT64_MAX = 9223372036854775807n;
const int64s = (values: readonly number[]): BigInt64Array => BigInt64Array.from(values, BigInt);

/** Hand-written protobuf bytes for a TensorProto: dims [2] (field 1), data_type 7 (field 2), int64_data [-1, INT64_MAX] (field 7, packed). */
function int64TensorBytes(): Uint8Array {
  const varint = (value: bigint): number[] => {
    const out: number[] = [];
    let v = BigInt.asUintN(64, value);
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v === 0n ? byte : byte | 0x80);
    } while (v !== 0n);
    return out;
  };
  const packed = [...varint(-1n), ...varint(INT64_MAX)];
  return Uint8Array.from([0x08, 0x02, 0x10, 0x07, 0x3a, packed.length, ...packed]);
}

describe('ONNX codec', () => {
  const model = buildTestModel({
    inputs: [{ name: 'X', shape: [1, 2, 4, 4] }],
    initializers: [{ name: 'W', dims: [3, 2, 1, 1], data: [1, 2, 3, 4, 5, 6] }],
    nodes: [
      { op: 'Conv', inputs: ['X', 'W'], outputs: ['Y'], attributes: { strides: ints([1, 1]) } },
    ],
    outputs: ['Y'],
  });

  it('round-trips a model through bytes', () => {
    const decoded = decodeModel(encodeModel(model));

    expect(decoded.graph?.node[0]?.opType).toBe('Conv');
    expect(decoded.graph?.node[0]?.attribute[0]?.ints).toEqual([1, 1]);
    expect(decoded.opsetImport[0]?.version).toBe(17);
    expect(Array.from(tensorData(decoded.graph!.initializer[0]) as Float32Array)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(encodeModel(decoded)).toEqual(encodeModel(model));
  });

  it('keeps INT64_MAX (a Slice end) exact through decode and encode', () => {
    const graphBytes = Uint8Array.from([0x2a, int64TensorBytes().length, ...int64TensorBytes()]); // GraphProto.initializer = 5
    const modelBytes = Uint8Array.from([0x3a, graphBytes.length, ...graphBytes]); // ModelProto.graph = 7
    const decoded = decodeModel(modelBytes);
    const tensor = decoded.graph!.initializer[0];

    expect(tensorData(tensor)).toEqual(BigInt64Array.from([-1n, INT64_MAX]));
    expect(Buffer.from(encodeModel(decoded))).toEqual(Buffer.from(modelBytes));
  });

  it('reads float_data and int64_data as well as raw_data', () => {
    const base = makeTensor('t', [2], new Float32Array(2));
    const typed: TensorProto = { ...base, rawData: undefined, floatData: [1.5, -2] };
    delete typed.rawData;

    expect(Array.from(tensorData(typed) as Float32Array)).toEqual([1.5, -2]);
    expect(
      tensorData({ ...typed, dataType: DataType.INT64, floatData: [], int64Data: [3, -4] }),
    ).toEqual(BigInt64Array.from([3n, -4n]));
  });
});

describe('external data', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnnlens-external-'));

  function modelWithExternalWeights(location: string): ModelProto {
    const model = buildTestModel({
      inputs: [{ name: 'X', shape: [1, 2] }],
      initializers: [{ name: 'W', dims: [2], data: [0, 0] }],
      nodes: [{ op: 'Add', inputs: ['X', 'W'], outputs: ['Y'] }],
      outputs: ['Y'],
    });
    const withoutData: TensorProto = { ...model.graph!.initializer[0] };
    delete withoutData.rawData;
    const external: TensorProto = {
      ...withoutData,
      dataLocation: DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: location },
        { key: 'offset', value: '4' },
        { key: 'length', value: '8' },
      ],
    };
    return { ...model, graph: { ...model.graph!, initializer: [external] } };
  }

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the bytes at offset/length of the file next to the model', () => {
    fs.writeFileSync(
      path.join(dir, 'weights.bin'),
      Buffer.from(Float32Array.from([9, 1.25, -3, 9]).buffer),
    );
    fs.writeFileSync(
      path.join(dir, 'model.onnx'),
      encodeModel(modelWithExternalWeights('weights.bin')),
    );

    const loaded = readModelFile(path.join(dir, 'model.onnx'));

    expect(Array.from(tensorData(loaded.graph!.initializer[0]) as Float32Array)).toEqual([
      1.25, -3,
    ]);
  });

  it('throws MODEL_EXTERNAL_DATA_MISSING naming the file when it is absent', () => {
    fs.writeFileSync(
      path.join(dir, 'lonely.onnx'),
      encodeModel(modelWithExternalWeights('gone.bin')),
    );

    expect(() => readModelFile(path.join(dir, 'lonely.onnx'))).toThrow(
      expect.objectContaining({
        code: 'MODEL_EXTERNAL_DATA_MISSING',
        message: expect.stringContaining('"gone.bin"'),
      }),
    );
  });
});

describe('external data beyond top-level initializers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnnlens-external-nested-'));
  // Float32 words 0..7 of weights.bin; each tensor below reads two of them.
  const words = Float32Array.of(9, 1.25, -3, 9, 0.5, 4, 7, 2);

  /** A float tensor [2] whose data sits at byte `offset` of weights.bin. */
  const external = (name: string, offset: number): TensorProto => {
    const tensor: TensorProto = { ...makeTensor(name, [2], new Float32Array(2)) };
    delete tensor.rawData;
    return {
      ...tensor,
      dataLocation: DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: 'weights.bin' },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: '8' },
      ],
    };
  };
  const constant = (output: string, offset: number): NodeProto =>
    makeNode('Constant', [], [output], `make_${output}`, {
      value: { kind: 'tensor', value: external(`${output}_value`, offset) },
    });
  /** An If branch attribute; the graph is named after its output. */
  const branch = (
    role: 'then_branch' | 'else_branch',
    nodes: NodeProto[],
    output: string,
  ): AttributeProto => ({
    name: role,
    type: AttributeType.GRAPH,
    g: {
      name: `${role}_${output}`,
      node: nodes,
      initializer: [],
      input: [],
      output: [makeValueInfo(output, DataType.FLOAT, [2])],
      valueInfo: [],
    },
    floats: [],
    ints: [],
    strings: [],
    tensors: [],
    graphs: [],
  });
  const ifNode = (
    output: string,
    whenTrue: AttributeProto,
    whenFalse: AttributeProto,
  ): NodeProto => ({
    ...makeNode('If', ['C'], [output], `if_${output}`),
    attribute: [whenTrue, whenFalse],
  });

  /**
   * Y = (X + If(C, then: [1.25, -3], else: If(C, [7, 2], [0.5, 4]))) * W, the
   * branch constants external at depth 1 and 2, W a sparse initializer
   * [0, w] whose value w = 4 is external too.
   */
  function nestedModel(): ModelProto {
    const inner = ifNode(
      'inner',
      branch('then_branch', [constant('seven_two', 24)], 'seven_two'),
      branch('else_branch', [constant('half_four', 16)], 'half_four'),
    );
    const base = buildTestModel({
      opset: 13,
      inputs: [
        { name: 'X', shape: [2] },
        { name: 'C', shape: [], type: DataType.BOOL },
      ],
      nodes: [],
      outputs: ['Y'],
    });
    const sparseValues: TensorProto = {
      ...external('W', 20),
      dims: [1],
      externalData: [
        { key: 'location', value: 'weights.bin' },
        { key: 'offset', value: '20' },
        { key: 'length', value: '4' },
      ],
    };
    return {
      ...base,
      graph: {
        ...base.graph!,
        node: [
          ifNode(
            'picked',
            branch('then_branch', [constant('first', 4)], 'first'),
            branch('else_branch', [inner], 'inner'),
          ),
          makeNode('Add', ['X', 'picked'], ['sum'], 'add'),
          makeNode('Mul', ['sum', 'W'], ['Y'], 'mul'),
        ],
        sparseInitializer: [
          { values: sparseValues, indices: makeTensor('W_indices', [1], int64s([1])), dims: [2] },
        ],
      },
    };
  }

  beforeAll(() => {
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(words.buffer));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [true, [1.25, -3]],
    [false, [0.5, 4]],
  ])(
    'resolves If branches at any depth and sparse initializers so onnxruntime runs the model (C = %p)',
    async (condition, picked) => {
      fs.writeFileSync(path.join(dir, 'nested.onnx'), encodeModel(nestedModel()));
      const loaded = readModelFile(path.join(dir, 'nested.onnx'));

      const session = await ort.InferenceSession.create(encodeModel(loaded));
      try {
        const x = Float32Array.of(0.5, 1);
        const { Y } = await session.run({
          X: new ort.Tensor('float32', x, [2]),
          C: new ort.Tensor('bool', Uint8Array.of(condition ? 1 : 0), []),
        });
        expect(Array.from(Y.data as Float32Array)).toEqual([0, (x[1] + picked[1]) * 4]);
      } finally {
        await session.release();
      }
    },
  );

  it('resolves tensors in model-local functions', () => {
    const base = buildTestModel({ inputs: [], nodes: [], outputs: [] });
    const model: ModelProto = {
      ...base,
      functions: [{ name: 'F', node: [constant('in_function', 8)] }],
    };
    fs.writeFileSync(path.join(dir, 'functions.onnx'), encodeModel(model));

    const loaded = readModelFile(path.join(dir, 'functions.onnx'));
    const tensor = loaded.functions?.[0]?.node[0]?.attribute[0]?.t;

    expect(tensor?.dataLocation).toBe(DataLocation.DEFAULT);
    expect(Array.from(tensorData(tensor!) as Float32Array)).toEqual([-3, 9]);
  });
});
