/**
 * NumPy .npy files (format v1.0; v2.0 and v3.0 read too): magic "\x93NUMPY", version,
 * header length, a Python dict literal {'descr', 'fortran_order', 'shape'} padded with
 * spaces to a multiple of 64 bytes and ended by '\n', then the raw little-endian data.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */

export type NpyArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array;

export interface NpyTensor {
  readonly data: NpyArray;
  readonly shape: number[];
  readonly descr: string;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
const ALIGNMENT = 64;

type Constructor = new (buffer: ArrayBuffer) => NpyArray;

const DESCRIPTORS: readonly (readonly [string, Constructor])[] = [
  ['<f4', Float32Array],
  ['<f8', Float64Array],
  ['|i1', Int8Array],
  ['|u1', Uint8Array],
  ['<i2', Int16Array],
  ['<u2', Uint16Array],
  ['<i4', Int32Array],
  ['<u4', Uint32Array],
  ['<i8', BigInt64Array],
];

function descriptorOf(data: NpyArray): string {
  const found = DESCRIPTORS.find(([, type]) => data instanceof type);
  if (found === undefined) {
    throw new TypeError(`encodeNpy cannot write a ${data.constructor.name}`);
  }
  return found[0];
}

const pythonShape = (shape: readonly number[]): string =>
  shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;

function checkShape(shape: readonly number[], length: number): void {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(`shape must be non-negative integers, but is [${shape.join(', ')}]`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== length) {
    throw new RangeError(
      `shape [${shape.join(', ')}] holds ${count} values, but the data holds ${length}`,
    );
  }
}

const headerDict = (descr: string, shape: readonly number[]): string =>
  `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pythonShape(shape)}, }`;

/** The header's length after the 10-byte prefix: the dict and '\n', padded to the alignment. */
function headerLengthOf(dict: string): number {
  const unpadded = MAGIC.length + 4 + dict.length + 1;
  return Math.ceil(unpadded / ALIGNMENT) * ALIGNMENT - MAGIC.length - 4;
}

/** The size of the float32 .npy file encodeNpy writes for `shape`, known without its data. */
export function float32NpyBytes(shape: readonly number[]): number {
  const values = shape.reduce((a, b) => a * b, 1);
  return MAGIC.length + 4 + headerLengthOf(headerDict('<f4', shape)) + 4 * values;
}

/** Writes a C-order .npy v1.0 file that numpy.load reads (float32 as '<f4'). */
export function encodeNpy(data: NpyArray, shape: readonly number[]): Buffer {
  checkShape(shape, data.length);
  const dict = headerDict(descriptorOf(data), shape);
  const headerLength = headerLengthOf(dict);
  if (headerLength > 0xffff) {
    throw new RangeError(
      `an .npy v1.0 header holds at most 65535 bytes, this one needs ${headerLength}`,
    );
  }

  const prefix = Buffer.alloc(MAGIC.length + 4);
  MAGIC.copy(prefix);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(headerLength, 8);
  const header = Buffer.from(dict.padEnd(headerLength - 1, ' ') + '\n', 'latin1');
  // Every platform onnxruntime-node ships for is little-endian, so the bytes are copied as they are.
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([prefix, header, body]);
}

function field(header: string, name: string): string {
  const match = new RegExp(`'${name}'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))`).exec(header);
  if (match === null) {
    throw new RangeError(`.npy header has no '${name}': ${header.trim()}`);
  }
  return match[1];
}

/** Reads a C-order little-endian .npy file (v1, v2 or v3) back to a typed array and shape. */
export function decodeNpy(buffer: Buffer): NpyTensor {
  if (buffer.length < 10 || !buffer.subarray(0, 6).equals(MAGIC)) {
    throw new RangeError('not an .npy file: the magic string \\x93NUMPY is missing');
  }
  const major = buffer[6];
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = lengthBytes === 2 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const dataStart = 8 + lengthBytes + headerLength;
  const header = buffer
    .subarray(8 + lengthBytes, dataStart)
    .toString(major === 3 ? 'utf8' : 'latin1');

  const descr = field(header, 'descr').slice(1, -1);
  if (field(header, 'fortran_order') !== 'False') {
    throw new RangeError('decodeNpy reads C-order arrays only, this one is Fortran order');
  }
  const shape = field(header, 'shape')
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const type = DESCRIPTORS.find(([name]) => name === descr)?.[1];
  if (type === undefined) {
    throw new RangeError(`decodeNpy cannot read dtype '${descr}'`);
  }

  // Copy so the typed array is aligned and independent of the input buffer.
  const bytes = new Uint8Array(buffer.subarray(dataStart));
  const data = new type(bytes.buffer);
  checkShape(shape, data.length);
  return { data, shape, descr };
}
