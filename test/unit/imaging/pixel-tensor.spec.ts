import { DomainError } from '../../../src/errors/domain-error';
import type { InputSpec } from '../../../src/imaging/input-spec';
import { tensorFromPixels } from '../../../src/imaging/pixel-tensor';

const imagenet: InputSpec = {
  layout: 'NCHW',
  height: 1,
  width: 2,
  channels: 3,
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  resize: 'stretch',
  background: 'white',
};

// Two pixels: (10, 20, 30) and (40, 50, 60).
const pixels = new Float32Array([10, 20, 30, 40, 50, 60]);

function specError(spec: InputSpec): DomainError {
  try {
    tensorFromPixels(pixels, spec);
  } catch (error) {
    if (error instanceof DomainError) {
      return error;
    }
    throw error;
  }
  throw new Error('the spec was accepted');
}

describe('tensorFromPixels', () => {
  it('normalises NCHW RGB as (pixel * scale - mean[c]) / std[c], planes in order R, G, B', () => {
    const { tensor, dims } = tensorFromPixels(pixels, imagenet);

    expect(dims).toEqual([1, 3, 1, 2]);
    const expected = [
      (10 / 255 - 0.485) / 0.229,
      (40 / 255 - 0.485) / 0.229,
      (20 / 255 - 0.456) / 0.224,
      (50 / 255 - 0.456) / 0.224,
      (30 / 255 - 0.406) / 0.225,
      (60 / 255 - 0.406) / 0.225,
    ];
    expected.forEach((value, i) => expect(tensor[i]).toBeCloseTo(value, 5));
  });

  it('writes NHWC BGR with channels interleaved per pixel, blue first', () => {
    const spec: InputSpec = {
      ...imagenet,
      layout: 'NHWC',
      channelOrder: 'BGR',
      scale: 1,
      mean: [1, 2, 3],
      std: [2, 2, 2],
    };

    const { tensor, dims } = tensorFromPixels(pixels, spec);

    expect(dims).toEqual([1, 1, 2, 3]);
    // mean/std are in tensor channel order: B uses mean[0], G mean[1], R mean[2].
    expect(Array.from(tensor)).toEqual([
      (30 - 1) / 2,
      (20 - 2) / 2,
      (10 - 3) / 2,
      (60 - 1) / 2,
      (50 - 2) / 2,
      (40 - 3) / 2,
    ]);
  });

  it('uses BT.601 luma for one channel: 0.299 R + 0.587 G + 0.114 B', () => {
    const spec: InputSpec = { ...imagenet, channels: 1, scale: 1, mean: [0], std: [1] };

    const { tensor, dims } = tensorFromPixels(pixels, spec);

    expect(dims).toEqual([1, 1, 1, 2]);
    expect(tensor[0]).toBeCloseTo(2.99 + 11.74 + 3.42, 4);
    expect(tensor[1]).toBeCloseTo(11.96 + 29.35 + 6.84, 4);
  });

  it('repeats a single mean and std for every channel', () => {
    const spec: InputSpec = { ...imagenet, scale: 1, mean: [10], std: [5] };

    const { tensor } = tensorFromPixels(pixels, spec);

    expect(Array.from(tensor)).toEqual([0, 6, 2, 8, 4, 10]);
  });

  it('refuses a mean with the wrong number of values', () => {
    const error = specError({ ...imagenet, mean: [0.5, 0.5] });

    expect(error.code).toBe('INVALID_INPUT_SPEC');
    expect(error.message).toBe(
      'Input spec field "mean" must be 1 or 3 numbers (one per channel), but it is [0.5,0.5]',
    );
  });

  it('refuses a zero std', () => {
    const error = specError({ ...imagenet, std: [0.2, 0, 0.2] });

    expect(error.code).toBe('INVALID_INPUT_SPEC');
    expect(error.message).toContain('"std" must be finite non-zero numbers');
  });

  it('refuses pixels of the wrong size', () => {
    expect(() => tensorFromPixels(new Float32Array(3), imagenet)).toThrow(
      'pixels must hold 2 x 1 x 3 values, but hold 3',
    );
  });
});
