import * as fs from 'node:fs';

export interface NpyArray {
  readonly shape: number[];
  readonly data: Float32Array;
}

/** Reads a little-endian float32 (or float64, converted) C-order .npy file (NumPy format 1.0-3.0). */
export function readNpy(filePath: string): NpyArray {
  const bytes = fs.readFileSync(filePath);
  if (bytes.subarray(1, 6).toString('latin1') !== 'NUMPY') {
    throw new Error(`${filePath}: not a .npy file`);
  }
  const major = bytes[6] ?? 1;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.subarray(headerStart, headerStart + headerLength).toString('latin1');

  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (fortran || (descr !== '<f4' && descr !== '<f8')) {
    throw new Error(
      `${filePath}: expected a C-order <f4 or <f8 array, got ${descr ?? '?'} fortran_order=${fortran}`,
    );
  }

  const count = shape.reduce((p, d) => p * d, 1);
  const start = headerStart + headerLength;
  const copy = new Uint8Array(bytes.subarray(start, start + count * (descr === '<f4' ? 4 : 8)));
  const data =
    descr === '<f4'
      ? new Float32Array(copy.buffer, 0, count)
      : Float32Array.from(new Float64Array(copy.buffer, 0, count));
  return { shape, data };
}
