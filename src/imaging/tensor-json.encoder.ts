import { TensorNotFiniteError } from '../errors/tensor-not-finite.error';

export interface TensorJson {
  readonly dtype: 'float32';
  readonly shape: number[];
  /** Row-major (C order) values; each is the exact float32 value as a double. */
  readonly data: number[];
}

/** A float32 tensor as JSON; NaN and Infinity have no JSON form and are refused. */
export function tensorToJson(data: Float32Array, shape: readonly number[]): TensorJson {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new RangeError(
      `shape [${shape.join(', ')}] holds ${count} values, but the data holds ${data.length}`,
    );
  }
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new TensorNotFiniteError(bad, data[bad]);
  }

  return { dtype: 'float32', shape: [...shape], data: Array.from(data) };
}

/** tensorToJson's document as UTF-8 JSON text, ready to be spliced into an answer. */
export function encodeTensorJson(data: Float32Array, shape: readonly number[]): Buffer {
  return Buffer.from(JSON.stringify(tensorToJson(data, shape)));
}
