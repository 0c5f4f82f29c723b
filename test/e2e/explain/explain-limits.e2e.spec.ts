/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import sharp from 'sharp';

import { useTestApp } from '../../support/http-app';
import { fashionImages } from '../../support/queue/fashion-images';
import { postImages } from './explain-request.helper';

/** 1 MiB: a SIZE x SIZE float32 map alone takes 64 MB. */
const LIMIT = 1024 * 1024;
const SIZE = 4000;

describe('an answer over MAX_RESPONSE_BYTES, known from the request and the image header', () => {
  const app = useTestApp({ MAX_RESPONSE_BYTES: String(LIMIT) });
  let large: Buffer;

  beforeAll(async () => {
    large = await sharp({
      create: { width: SIZE, height: SIZE, channels: 3, background: '#000000' },
    })
      .jpeg()
      .toBuffer();
    // the model loaded and its sessions built, so that the timings below are the request's own
    await postImages(app(), '/gradcam?output=tensor&format=npy', await fashionImages(1)).expect(
      200,
    );
  });

  it('topk:3 as .npy at the image resolution should answer 413 RESPONSE_TOO_LARGE at once, with the size, the limit and what fits', async () => {
    const started = performance.now();
    const response = await postImages(app(), '/gradcam?output=tensor&target=topk:3&format=npy', [
      large,
    ]).expect(413);
    const elapsedMs = performance.now() - started;

    const bytes = 3 * (4 * Math.ceil((4 * SIZE * SIZE + 128) / 3) + 2);
    expect(response.body.error).toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      message: `the answer would take at least ${bytes} bytes, more than the limit of ${LIMIT} bytes (MAX_RESPONSE_BYTES), so it was refused before being computed; ask for resolution=layer, or a smaller image`,
      details: { bytes, limit: LIMIT, setting: 'MAX_RESPONSE_BYTES', estimated: true },
    });
    // decoding the image, computing and rendering the three maps takes seconds; the header alone, milliseconds
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('the same request at resolution=layer should be answered', async () => {
    await postImages(app(), '/gradcam?output=tensor&target=topk:3&format=npy&resolution=layer', [
      large,
    ]).expect(200);
  });

  it('as JSON it should answer 413 TENSOR_JSON_TOO_LARGE without offering format=npy, which would be refused too', async () => {
    const response = await postImages(app(), '/gradcam?output=tensor&target=topk:3&format=json', [
      large,
    ]).expect(413);

    expect(response.body.error.code).toBe('TENSOR_JSON_TOO_LARGE');
    expect(response.body.error.message).toMatch(
      /but this answer has 48000000; ask for resolution=layer, or a smaller image \(format=npy would be refused too: at least \d+ bytes, more than the limit of 1048576 bytes \(MAX_RESPONSE_BYTES\)\)$/,
    );
  });

  it('an overlay PNG of the same image is not refused beforehand: its size depends on the picture', async () => {
    const response = await postImages(app(), '/gradcam?output=heatmap', [large]).expect(200);

    expect(response.headers['content-type']).toBe('image/png');
  });
});
