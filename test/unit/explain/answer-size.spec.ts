import {
  type AnswerLimits,
  type AnswerPlan,
  checkAnswerSize,
  type SizeOptions,
} from '../../../src/explain/answer-size';
import { encodeNpy } from '../../../src/imaging/npy.codec';

/** A 7x7 layer map; images of the sizes given. */
function plan(images: [number, number][], mapsPerImage = 1): AnswerPlan {
  return {
    images: images.map(([width, height]) => ({ width, height })),
    mapsPerImage,
    singleMap: images.length === 1 && mapsPerImage === 1,
    layerTensor: { channels: 1, channelAxis: false, width: 7, height: 7 },
  };
}

const limits = (maxBytes: number, maxJsonTensorValues = 2_097_152): AnswerLimits => ({
  maxBytes,
  setting: 'MAX_RESPONSE_BYTES',
  maxJsonTensorValues,
});

const npy: SizeOptions = { output: 'tensor', format: 'npy', resolution: 'image' };
const json: SizeOptions = { output: 'tensor', format: 'json', resolution: 'image' };

function refusal(run: () => void): { code: string; message: string; details: unknown } {
  try {
    run();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    const details = (error as { details(): unknown }).details();
    return { code, message, details };
  }
  throw new Error('expected a refusal, but the answer was let through');
}

describe('checkAnswerSize', () => {
  it('knows a single .npy answer to the byte: the file encodeNpy writes', () => {
    // 100 x 60 float32 values and the header, independently of the estimate
    const exact = encodeNpy(new Float32Array(100 * 60), [60, 100]).length;

    expect(() => checkAnswerSize(plan([[100, 60]]), npy, limits(exact))).not.toThrow();
    const refused = refusal(() => checkAnswerSize(plan([[100, 60]]), npy, limits(exact - 1)));

    expect(refused.code).toBe('RESPONSE_TOO_LARGE');
    expect(refused.details).toEqual({
      bytes: exact,
      limit: exact - 1,
      setting: 'MAX_RESPONSE_BYTES',
      estimated: true,
    });
  });

  it('refuses topk:10 on a 7000x7000 image, naming the size, the limit, its setting and the ways that fit', () => {
    const refused = refusal(() =>
      checkAnswerSize(plan([[7000, 7000]], 10), npy, {
        ...limits(256 * 1024 * 1024),
        setting: 'GRPC_MAX_MESSAGE_BYTES',
      }),
    );

    // ten .npy files of 4 x 49e6 bytes (+128 header bytes each), in base64
    const perMap = 4 * Math.ceil((4 * 7000 * 7000 + 128) / 3) + 2;
    expect(refused.message).toBe(
      `the answer would take at least ${10 * perMap} bytes, more than the limit of 268435456 bytes (GRPC_MAX_MESSAGE_BYTES), so it was refused before being computed; ask for resolution=layer, or fewer images or targets (this request asks for 10 maps), or a smaller image`,
    );
  });

  it('offers fewer images or targets only when one map would fit', () => {
    const fits = refusal(() => checkAnswerSize(plan([[1000, 1000]], 3), npy, limits(5_000_000)));
    const doesNot = refusal(() => checkAnswerSize(plan([[1000, 1000]], 3), npy, limits(3_000_000)));

    expect(fits.message).toMatch(
      /ask for resolution=layer, or fewer images or targets \(this request asks for 3 maps\), or a smaller image$/,
    );
    expect(doesNot.message).toMatch(/ask for resolution=layer, or a smaller image$/);
  });

  it('counts each map at the layer size with resolution=layer, and lets it through', () => {
    const options: SizeOptions = { ...npy, resolution: 'layer' };

    expect(() => checkAnswerSize(plan([[7000, 7000]], 10), options, limits(8192))).not.toThrow();
  });

  it('counts the planes of a channel-axis tensor (guided-backprop)', () => {
    const planes: AnswerPlan = {
      ...plan([[50, 50]]),
      layerTensor: { channels: 3, channelAxis: true, width: 28, height: 28 },
    };
    const exact = encodeNpy(new Float32Array(3 * 50 * 50), [3, 50, 50]).length;

    expect(() => checkAnswerSize(planes, npy, limits(exact))).not.toThrow();
    expect(() => checkAnswerSize(planes, npy, limits(exact - 1))).toThrow(
      expect.objectContaining({ code: 'RESPONSE_TOO_LARGE' }),
    );
  });

  it('never refuses a PNG answer beforehand: its size depends on the picture', () => {
    for (const output of ['overlay', 'heatmap'] as const) {
      expect(() =>
        checkAnswerSize(plan([[7000, 7000]], 10), { ...npy, output }, limits(1024)),
      ).not.toThrow();
    }
  });

  describe('a JSON tensor', () => {
    it('over MAX_JSON_TENSOR_VALUES offers format=npy when the .npy answer fits', () => {
      const refused = refusal(() =>
        checkAnswerSize(plan([[1000, 1000]], 3), json, limits(256 * 1024 * 1024)),
      );

      expect(refused.code).toBe('TENSOR_JSON_TOO_LARGE');
      expect(refused.message).toBe(
        'parameter "format" json holds at most 2097152 tensor values (MAX_JSON_TENSOR_VALUES), but this answer has 3000000; ask for format=npy (binary float32), or resolution=layer, or fewer images or targets (this request asks for 3 maps), or a smaller image',
      );
    });

    it('over MAX_JSON_TENSOR_VALUES does not offer format=npy when the .npy answer would be refused too, and says so', () => {
      const refused = refusal(() =>
        checkAnswerSize(plan([[7000, 7000]], 3), json, limits(1024 * 1024)),
      );

      expect(refused.code).toBe('TENSOR_JSON_TOO_LARGE');
      expect(refused.message).not.toContain('ask for format=npy');
      expect(refused.message).toMatch(
        /ask for resolution=layer, or a smaller image \(format=npy would be refused too: at least \d+ bytes, more than the limit of 1048576 bytes \(MAX_RESPONSE_BYTES\)\)$/,
      );
    });

    it('under the value limit is refused when its bytes cannot fit, counting one digit and a comma per value', () => {
      // 100 x 100 values: at least 19,999 bytes of data
      expect(() => checkAnswerSize(plan([[100, 100]]), json, limits(19_999))).toThrow(
        expect.objectContaining({
          code: 'RESPONSE_TOO_LARGE',
          message: expect.stringMatching(/^the answer would take at least \d+ bytes/) as string,
        }),
      );
      expect(() => checkAnswerSize(plan([[100, 100]]), json, limits(1_000_000))).not.toThrow();
    });
  });
});
