import { DomainError } from '../../../src/errors/domain-error';
import { tensorToJson } from '../../../src/imaging/tensor-json.encoder';

describe('tensorToJson', () => {
  it('gives dtype, shape and the exact float32 values, which survive JSON and Math.fround', () => {
    const data = new Float32Array([0.1, -2, 3]);

    const json = JSON.parse(JSON.stringify(tensorToJson(data, [1, 3]))) as {
      dtype: string;
      shape: number[];
      data: number[];
    };

    expect(json.dtype).toBe('float32');
    expect(json.shape).toEqual([1, 3]);
    expect(json.data[0]).toBe(0.10000000149011612);
    expect(json.data.map(Math.fround)).toEqual(Array.from(data));
  });

  it('refuses NaN with TENSOR_NOT_FINITE naming the element', () => {
    let error: unknown;
    try {
      tensorToJson(new Float32Array([1, NaN]), [2]);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('TENSOR_NOT_FINITE');
    expect((error as DomainError).message).toBe(
      'Tensor element 1 must be finite to be encoded as JSON, but it is NaN; request the .npy format instead',
    );
  });

  it('refuses a shape that disagrees with the data', () => {
    expect(() => tensorToJson(new Float32Array(3), [2, 2])).toThrow('shape [2, 2] holds 4 values');
  });
});
