import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { decodeNpy, encodeNpy } from '../../../src/imaging/npy.codec';

const NPY_FIXTURES = join(__dirname, '../../fixtures/npy');

describe('encodeNpy', () => {
  it('writes the v1.0 header byte for byte: magic, version 1.0, length 118, dict, padding to 128', () => {
    const npy = encodeNpy(new Float32Array([0, 1, 2, 3, 4, 5]), [2, 3]);

    expect(Array.from(npy.subarray(0, 10))).toEqual([
      0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0,
    ]);
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    // 10 + 59 + '\n' = 70 bytes round up to 128: 118 header bytes, 117 before the newline
    expect(dict).toHaveLength(59);
    expect(npy.subarray(10, 128).toString('latin1')).toBe(dict + ' '.repeat(117 - 59) + '\n');
    expect(npy).toHaveLength(128 + 6 * 4);
    expect(npy.readFloatLE(128 + 4 * 5)).toBe(5);
  });

  it('writes a one-dimensional shape as a Python 1-tuple', () => {
    const npy = encodeNpy(new Float32Array([1, 2, 3]), [3]);

    expect(npy.toString('latin1', 10, 128)).toContain("'shape': (3,), }");
  });

  it('refuses a shape that disagrees with the data', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(
      'shape [2, 3] holds 6 values, but the data holds 5',
    );
  });
});

describe('decodeNpy', () => {
  it('round-trips float32 exactly, including -0, NaN and extremes', () => {
    const data = new Float32Array([0.1, -0, NaN, 3.4028234663852886e38, -1.5e-45, 7]);

    const back = decodeNpy(encodeNpy(data, [1, 2, 3]));

    expect(back.descr).toBe('<f4');
    expect(back.shape).toEqual([1, 2, 3]);
    expect(back.data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.data as Float32Array)).toEqual(Array.from(data));
    expect(Object.is(back.data[1], -0)).toBe(true);
  });

  it('round-trips int64 and uint8', () => {
    expect(
      Array.from(decodeNpy(encodeNpy(new BigInt64Array([-2n, 9n]), [2])).data as BigInt64Array),
    ).toEqual([-2n, 9n]);
    expect(
      Array.from(decodeNpy(encodeNpy(new Uint8Array([0, 255]), [2, 1])).data as Uint8Array),
    ).toEqual([0, 255]);
  });

  it('refuses bytes without the magic string', () => {
    expect(() => decodeNpy(Buffer.from('not numpy at all'))).toThrow('magic string');
  });

  describe('against files numpy.save wrote (scripts/fixtures/make_npy_samples.py)', () => {
    const sample = (name: string): Buffer => readFileSync(join(NPY_FIXTURES, name));

    it('encodes the same bytes as numpy.save for a 2-D and a 1-D float32 array', () => {
      expect(encodeNpy(new Float32Array([0.5, -2, 3.25, 1e-3, 0, 8]), [3, 2])).toEqual(
        sample('float32-3x2.npy'),
      );
      expect(encodeNpy(new Float32Array([1, 2, 3]), [3])).toEqual(sample('float32-vector.npy'));
    });

    it('reads the shape and values of a 3-D array numpy.save wrote', () => {
      const back = decodeNpy(sample('float32-2x3x4.npy'));

      expect(back.descr).toBe('<f4');
      expect(back.shape).toEqual([2, 3, 4]);
      expect(Array.from(back.data as Float32Array)).toEqual(
        Array.from({ length: 24 }, (_, i) => i / 8),
      );
    });
  });
});
