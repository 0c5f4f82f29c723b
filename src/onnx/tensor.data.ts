import type { ConstantData } from './autodiff/gradient-rule';
import { DataType, type TensorProto } from './onnx.types';

/** Number of elements of a shape (1 for a scalar). */
export const elementCount = (dims: readonly number[]): number =>
  dims.reduce((product, d) => product * d, 1);

/**
 * A tensor's data as a typed array, from raw_data (little-endian) or the
 * typed repeated fields; undefined for types cnn-lens does not compute with
 * (strings, float16, complex) and for external data not yet resolved.
 */
export function tensorData(tensor: TensorProto): ConstantData | undefined {
  const count = elementCount(tensor.dims);
  const raw = tensor.rawData;

  switch (tensor.dataType ?? DataType.UNDEFINED) {
    case DataType.FLOAT:
      return raw === undefined
        ? Float32Array.from(tensor.floatData)
        : fromRaw(raw, Float32Array, count);
    case DataType.DOUBLE:
      return raw === undefined
        ? Float64Array.from(tensor.doubleData)
        : fromRaw(raw, Float64Array, count);
    case DataType.INT64:
      return raw === undefined
        ? BigInt64Array.from(tensor.int64Data.map(toInt64))
        : fromRaw(raw, BigInt64Array, count);
    case DataType.INT32:
    case DataType.INT16:
    case DataType.INT8:
    case DataType.UINT16:
      return raw === undefined
        ? Int32Array.from(tensor.int32Data)
        : widenRaw(raw, tensor.dataType ?? DataType.INT32, count);
    case DataType.UINT8:
    case DataType.BOOL:
      return raw === undefined
        ? Uint8Array.from(tensor.int32Data)
        : Uint8Array.from(raw.subarray(0, count));
    default:
      return undefined;
  }
}

/** Plain numbers of a tensor (int64 converted with Number), for shapes, axes and small constants. */
export function tensorNumbers(tensor: TensorProto): number[] | undefined {
  const data = tensorData(tensor);
  return data === undefined ? undefined : Array.from(data as ArrayLike<number | bigint>, Number);
}

type TypedArrayConstructor<T> = {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  BYTES_PER_ELEMENT: number;
};

function fromRaw<T>(raw: Uint8Array, ctor: TypedArrayConstructor<T>, count: number): T {
  // Copied into a fresh buffer: raw_data from protobuf is rarely aligned.
  const bytes = new Uint8Array(count * ctor.BYTES_PER_ELEMENT);
  bytes.set(raw.subarray(0, bytes.length));
  return new ctor(bytes.buffer, 0, count);
}

function widenRaw(raw: Uint8Array, dataType: number, count: number): Int32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (dataType === DataType.INT32) {
      out[i] = view.getInt32(i * 4, true);
    } else if (dataType === DataType.INT16) {
      out[i] = view.getInt16(i * 2, true);
    } else if (dataType === DataType.UINT16) {
      out[i] = view.getUint16(i * 2, true);
    } else {
      out[i] = view.getInt8(i);
    }
  }
  return out;
}

function toInt64(value: number): bigint {
  if (value >= 2 ** 63) {
    return 9223372036854775807n;
  }
  if (value < -(2 ** 63)) {
    return -9223372036854775808n;
  }
  return BigInt(Math.trunc(value));
}

/** A TensorProto holding `data` in raw_data; the element type follows the typed array. */
export function makeTensor(name: string, dims: readonly number[], data: ConstantData): TensorProto {
  const dataType =
    data instanceof Float32Array
      ? DataType.FLOAT
      : data instanceof Float64Array
        ? DataType.DOUBLE
        : data instanceof BigInt64Array
          ? DataType.INT64
          : data instanceof Int32Array
            ? DataType.INT32
            : DataType.UINT8;
  return {
    name,
    dims: [...dims],
    dataType,
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    floatData: [],
    int32Data: [],
    stringData: [],
    int64Data: [],
    externalData: [],
    doubleData: [],
    uint64Data: [],
  };
}

/** A BOOL tensor (Uint8Array data would otherwise be written as UINT8). */
export function makeBoolTensor(
  name: string,
  dims: readonly number[],
  data: Uint8Array,
): TensorProto {
  return { ...makeTensor(name, dims, data), dataType: DataType.BOOL };
}
