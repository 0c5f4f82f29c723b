import { decodeNpy } from '../../../src/grpc/npy.decoder';

/** A .npy file written by hand after the NumPy format 1.0 specification (numpy.lib.format). */
function npyFile(descr: string, shape: string, data: Buffer): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const preamble = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  preamble.writeUInt16LE(header.length, 8);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), data]);
}

describe('decodeNpy', () => {
  it('should give the raw C-order data, shape and dtype of a float32 array', () => {
    const values = new Float32Array([0, 0.5, 1, 1.5, 2, 2.5]);
    const data = Buffer.from(values.buffer);

    const decoded = decodeNpy(npyFile('<f4', '(2, 3)', data));

    expect(decoded.dtype).toBe('float32');
    expect(decoded.shape).toEqual([2, 3]);
    expect(decoded.data.equals(data)).toBe(true);
  });

  it('should read a one-dimensional shape written with a trailing comma', () => {
    expect(decodeNpy(npyFile('|u1', '(4,)', Buffer.from([1, 2, 3, 4]))).shape).toEqual([4]);
  });

  it('should refuse bytes that are not a .npy file', () => {
    expect(() => decodeNpy(Buffer.from('PNG not npy'))).toThrow(
      'parameter "tensor" must be a .npy file; received "11 bytes without the .npy magic"',
    );
  });
});
