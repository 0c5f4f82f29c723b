/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import sharp from 'sharp';

import { noisyPixels, rgbPixels } from '../../fixtures/images/test-images';
import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { massShare, postImages } from './explain-request.helper';

/**
 * test/fixtures/models/quadrant: the scores depend only on the top-left
 * quadrant of the input, so a faithful map, brought back onto the image in
 * the image's own orientation, lies in the image's top-left quadrant.
 */
describe('maps in the image own orientation (quadrant network)', () => {
  let app: NestFastifyApplication;
  const width = 96;
  const height = 64;

  beforeAll(async () => {
    app = await startTestApp({
      MODEL_REPOSITORY: path.join(REPO_ROOT, 'test/fixtures/models'),
      DEFAULT_MODEL: 'quadrant',
    });
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  /**
   * Noise inside the top-left quadrant, kept 4 pixels off its edges, black
   * elsewhere. The model multiplies `features` by its quadrant mask (the
   * Quadrant class of scripts/fixtures/make_special_models.py), so every
   * map's evidence lies inside the quadrant; the black margin also keeps the map near 0 along the
   * quadrant's edges, so the bilinear upsampling from the 80x48 layer to the
   * 96x64 image has nothing to spread across the boundary. (With noise
   * everywhere Grad-CAM keeps 100% of its mass in the quadrant at the
   * layer's resolution and 99.3% at the image's: the rest is that spread.)
   */
  const noise = noisyPixels(width, height);
  const patch = rgbPixels(width, height, (x, y) => {
    const inside = x >= 4 && x < width / 2 - 4 && y >= 4 && y < height / 2 - 4;
    const at = 3 * (y * width + x);
    return inside ? [noise[at] ?? 0, noise[at + 1] ?? 0, noise[at + 2] ?? 0] : [0, 0, 0];
  });
  const topLeftShare = (data: number[]): number =>
    massShare(data, width, (x, y) => x < width / 2 && y < height / 2);

  // eigencam, eigengradcam and eigen_smooth pick the sign of a principal component: a rule that
  // let the large dead area come out positive put almost all their mass outside the quadrant.
  const methods: [string, string][] = [
    ['gradcam', ''],
    ['gradcam++', ''],
    ['hirescam', ''],
    ['layercam', ''],
    ['eigencam', ''],
    ['eigengradcam', ''],
    ['gradcam', '&eigen_smooth=true'],
    ['scorecam', ''],
    ['ablationcam', ''],
    ['saliency', ''],
  ];

  it.each(methods)(
    '%s%s should put at least 90%% of the mass of a 96x64 image map in its top-left quadrant',
    async (method, options) => {
      const image = await sharp(patch, { raw: { width, height, channels: 3 } })
        .png()
        .toBuffer();
      const response = await postImages(
        app,
        `/v1/explain?method=${encodeURIComponent(method)}${options}&output=tensor&format=json`,
        [image],
      ).expect(200);

      expect(response.body.tensor.shape).toEqual([height, width]);
      expect(topLeftShare(response.body.tensor.data)).toBeGreaterThanOrEqual(0.9);
    },
  );

  it('an EXIF-rotated JPEG should be explained upright: stored 64x96 with orientation 6 is a 96x64 picture', async () => {
    // Orientation 6: the stored pixels must turn 90 degrees clockwise to stand upright.
    const upright = sharp(patch, { raw: { width, height, channels: 3 } });
    const stored = await upright.rotate(-90).raw().toBuffer({ resolveWithObject: true });
    const jpeg = await sharp(stored.data, {
      raw: { width: stored.info.width, height: stored.info.height, channels: 3 },
    })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect([stored.info.width, stored.info.height]).toEqual([height, width]);

    const response = await postImages(app, '/gradcam?output=tensor&format=json', [jpeg]).expect(
      200,
    );

    expect(response.body.tensor.shape).toEqual([height, width]);
    expect(topLeftShare(response.body.tensor.data)).toBeGreaterThanOrEqual(0.9);
  });
});
