import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ints } from '../../../src/onnx/autodiff/gradient-rule';
import { readModelFile } from '../../../src/onnx/model-file.reader';
import { decodeModel, encodeModel } from '../../../src/onnx/onnx.codec';
import {
  DataLocation,
  DataType,
  type ModelProto,
  type TensorProto,
} from '../../../src/onnx/onnx.types';
import { makeTensor, tensorData } from '../../../src/onnx/tensor.data';
import { buildTestModel } from '../../support/onnx-test-model.builder';

const INT64_MAX = 9223372036854775807n;

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
