import { InvalidParameterError } from '../errors/invalid-parameter.error';

export interface DecodedNpy {
  readonly data: Buffer;
  readonly shape: number[];
  readonly dtype: string;
}

const DTYPES: Readonly<Record<string, string>> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<f2': 'float16',
  '<i4': 'int32',
  '<i8': 'int64',
  '<i2': 'int16',
  '|i1': 'int8',
  '|u1': 'uint8',
  '<u2': 'uint16',
  '<u4': 'uint32',
  '|b1': 'bool',
};

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/**
 * Splits a NumPy .npy file (format 1.0-3.0, numpy.lib.format) into its raw
 * C-order data, shape and dtype, for the gRPC Tensor message.
 */
export function decodeNpy(file: Buffer): DecodedNpy {
  if (file.length < 10 || !file.subarray(0, 6).equals(MAGIC)) {
    throw new InvalidParameterError(
      'tensor',
      'a .npy file',
      `${file.length} bytes without the .npy magic`,
    );
  }
  const major = file[6] ?? 0;
  const headerLength = major === 1 ? file.readUInt16LE(8) : file.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = file.subarray(headerStart, headerStart + headerLength).toString('latin1');

  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const dtype = DTYPES[descr];
  if (dtype === undefined || fortran) {
    throw new InvalidParameterError(
      'tensor',
      'a little-endian C-order .npy array',
      `descr ${descr}, fortran_order ${fortran}`,
    );
  }

  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(Number);
  return { data: file.subarray(headerStart + headerLength), shape, dtype };
}
