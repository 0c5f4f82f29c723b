import type { DecodedImage } from '../../../src/imaging/decoded-image';
import type { InputSpec } from '../../../src/imaging/input-spec';
import { toModelInput } from '../../../src/imaging/model-input';
import { rgbPixels, type Rgb } from '../../fixtures/images/test-images';

function image(width: number, height: number, colour: (x: number, y: number) => Rgb): DecodedImage {
  const data = rgbPixels(width, height, colour);
  return {
    data: new Uint8Array(data),
    width,
    height,
    channels: 3,
    format: 'png',
    sourceChannels: 3,
    hadAlpha: false,
  };
}

// scale 1, mean 0, std 1: tensor values are the resized pixels themselves
const raw: InputSpec = {
  layout: 'NCHW',
  height: 4,
  width: 8,
  channels: 3,
  channelOrder: 'RGB',
  scale: 1,
  mean: [0],
  std: [1],
  resize: 'stretch',
  background: 'white',
};

/** Value of tensor channel c at (x, y) for an NCHW tensor of one image. */
const at = (t: Float32Array, spec: InputSpec, c: number, x: number, y: number, n = 0): number =>
  t[((n * spec.channels + c) * spec.height + y) * spec.width + x];

describe('toModelInput', () => {
  it('stretches a batch of two images to [2, 3, H, W] in batch order', async () => {
    const images = [image(30, 20, () => [100, 150, 200]), image(7, 9, () => [1, 2, 3])];
    const spec: InputSpec = { ...raw, scale: 1 / 255, mean: [0.5], std: [0.25] };

    const { tensor, dims, geometry } = await toModelInput(images, spec);

    expect(dims).toEqual([2, 3, 4, 8]);
    expect(at(tensor, spec, 0, 5, 2, 0)).toBeCloseTo((100 / 255 - 0.5) / 0.25, 5);
    expect(at(tensor, spec, 2, 0, 3, 0)).toBeCloseTo((200 / 255 - 0.5) / 0.25, 5);
    expect(at(tensor, spec, 1, 7, 0, 1)).toBeCloseTo((2 / 255 - 0.5) / 0.25, 5);
    expect(geometry.map((g) => [g.imageWidth, g.imageHeight])).toEqual([
      [30, 20],
      [7, 9],
    ]);
  });

  it('stretches a horizontal ramp without transposing it', async () => {
    const ramp = image(16, 6, (x) => [x * 16, 0, 0]);

    const { tensor, dims } = await toModelInput([ramp], raw);

    expect(dims).toEqual([1, 3, 4, 8]);
    for (let y = 0; y < 4; y++) {
      for (let x = 1; x < 8; x++) {
        expect(at(tensor, raw, 0, x, y)).toBeGreaterThan(at(tensor, raw, 0, x - 1, y));
        expect(at(tensor, raw, 0, x, y)).toBe(at(tensor, raw, 0, x, 0));
      }
    }
  });

  it('letterboxes with black padding that normalises to -mean/std', async () => {
    const wide = image(40, 20, () => [90, 90, 90]);
    const spec: InputSpec = {
      ...raw,
      width: 8,
      height: 8,
      resize: 'letterbox',
      mean: [10],
      std: [2],
    };

    const { tensor, geometry } = await toModelInput([wide], spec);

    // 40 x 20 at scale 0.2 is 8 x 4: rows 0-1 and 6-7 padding, rows 2-5 picture
    expect(geometry[0].content).toEqual({ left: 0, top: 2, width: 8, height: 4 });
    for (const y of [0, 1, 6, 7]) {
      expect(at(tensor, spec, 0, 3, y)).toBe((0 - 10) / 2);
    }
    for (const y of [2, 3, 4, 5]) {
      expect(at(tensor, spec, 1, 3, y)).toBe((90 - 10) / 2);
    }
  });

  it('center-crops the middle of a wide image', async () => {
    // columns 0-9 red, 10-29 green, 30-39 blue: the crop keeps columns 10..30, all green
    const stripes = image(40, 20, (x) =>
      x < 10 ? [255, 0, 0] : x < 30 ? [0, 255, 0] : [0, 0, 255],
    );
    const spec: InputSpec = { ...raw, width: 8, height: 8, resize: 'center-crop' };

    const { tensor, geometry } = await toModelInput([stripes], spec);

    expect(geometry[0].source).toEqual({ left: 10, top: 0, width: 20, height: 20 });
    for (const x of [1, 4, 6]) {
      expect([0, 1, 2].map((c) => at(tensor, spec, c, x, 4))).toEqual([0, 255, 0]);
    }
  });

  it('writes NHWC BGR grey from a real resize', async () => {
    const spec: InputSpec = { ...raw, layout: 'NHWC', channelOrder: 'BGR', width: 2, height: 2 };

    const { tensor, dims } = await toModelInput([image(4, 4, () => [10, 20, 30])], spec);

    expect(dims).toEqual([1, 2, 2, 3]);
    expect(Array.from(tensor)).toEqual([30, 20, 10, 30, 20, 10, 30, 20, 10, 30, 20, 10]);
  });

  it('refuses an empty batch', async () => {
    await expect(toModelInput([], raw)).rejects.toThrow('at least one image');
  });
});
