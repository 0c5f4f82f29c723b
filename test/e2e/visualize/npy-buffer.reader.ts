/** Reads a little-endian float32 C-order .npy v1 buffer, written here from the format's description. */
export function readNpyBuffer(bytes: Buffer): { shape: number[]; data: Float32Array } {
  if (bytes.subarray(1, 6).toString('latin1') !== 'NUMPY' || bytes[6] !== 1) {
    throw new Error('not an .npy v1 file');
  }
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  if (!header.includes("'descr': '<f4'") || !header.includes("'fortran_order': False")) {
    throw new Error(`unexpected .npy header ${header}`);
  }
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const body = Uint8Array.from(bytes.subarray(10 + headerLength));
  return { shape, data: new Float32Array(body.buffer) };
}
