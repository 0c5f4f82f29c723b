/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import sharp from 'sharp';
import request from 'supertest';

import { useTestApp } from '../support/http-app';

const grey = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: '#707070' } })
    .png()
    .toBuffer();

/** A batch is bounded by its pixels in all (MAX_REQUEST_PIXELS), not only image by image. */
describe('MAX_REQUEST_PIXELS over HTTP', () => {
  // each 100x100 image (10000 pixels) is within MAX_IMAGE_PIXELS; two are over MAX_REQUEST_PIXELS
  const app = useTestApp({ MAX_IMAGE_PIXELS: '10000', MAX_REQUEST_PIXELS: '15000' });

  it.each([
    ['predict', '/v1/models/fashion-mnist/predict'],
    ['gradcam', '/gradcam'],
  ])('%s should answer 413 BATCH_TOO_LARGE for two images of 10000 pixels', async (_, url) => {
    const image = await grey(100, 100);
    const response = await request(app().getHttpServer())
      .post(url)
      .attach('image', image, 'a.png')
      .attach('image', image, 'b.png');

    expect(response.status).toBe(413);
    expect(response.body.error).toEqual({
      code: 'BATCH_TOO_LARGE',
      message:
        'the 2 images of the request must have at most 15000 pixels in all (MAX_REQUEST_PIXELS), but they have 20000; send fewer or smaller images in each request',
      details: { images: 2, pixels: 20000, maxRequestPixels: 15000 },
    });
  });

  it('should answer a batch within the limit in all', async () => {
    const response = await request(app().getHttpServer())
      .post('/v1/models/fashion-mnist/predict')
      .attach('image', await grey(100, 100), 'a.png')
      .attach('image', await grey(70, 70), 'b.png')
      .expect(200);

    expect(response.body.predictions).toHaveLength(2);
  });

  it.each([
    ['predict', '/v1/models/fashion-mnist/predict', 2, 100, 413, 'BATCH_TOO_LARGE'],
    ['gradcam', '/gradcam', 2, 100, 413, 'BATCH_TOO_LARGE'],
    ['feature-maps', '/v1/models/fashion-mnist/feature-maps', 1, 101, 413, 'IMAGE_TOO_LARGE'],
    [
      'prediction-image',
      '/v1/models/fashion-mnist/prediction-image',
      1,
      0,
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  ])(
    'with async=true, %s refuses what the headers show at once rather than answering 202',
    async (_, url, count, side, status, code) => {
      // side 0: a text file named .png, which no decoder reads
      const image = side === 0 ? Buffer.from('not an image at all\n') : await grey(side, side);
      let call = request(app().getHttpServer()).post(`${url}?async=true`);
      for (let i = 0; i < count; i += 1) {
        call = call.attach('image', image, `image-${i}.png`);
      }
      const response = await call;

      expect({ status: response.status, code: response.body.error?.code }).toEqual({
        status,
        code,
      });
    },
  );

  it.each([
    ['/v1/models/fashion-mnist/predict', 'not an image', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['/gradcam?output=tensor&format=json', 'not an image', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['/v1/models/fashion-mnist/predict', 'truncated', 400, 'IMAGE_CORRUPT'],
    ['/gradcam?output=tensor&format=json', 'truncated', 400, 'IMAGE_CORRUPT'],
  ])(
    '%s names the refused image of a batch by its position (%s)',
    async (url, kind, status, code) => {
      const good = await grey(40, 40);
      const bad =
        kind === 'truncated'
          ? (await grey(60, 60)).subarray(0, 60)
          : Buffer.from('not an image at all\n');
      let call = request(app().getHttpServer()).post(url);
      for (const [i, image] of [good, good, bad, good].entries()) {
        call = call.attach('image', image, `image-${i}.png`);
      }
      const response = await call;

      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toMatch(/^image 2 of 4 \(counted from 0\): /);
      expect(response.body.error.details).toMatchObject({ image: 2 });
    },
  );
});
