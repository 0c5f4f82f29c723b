import sharp from 'sharp';

import { readBatchSizes } from '../../../src/imaging/batch-pixels';

const png = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();

describe('readBatchSizes', () => {
  it("should give every image's size from its header when the batch is within the limits", async () => {
    const images = [await png(100, 50), await png(30, 40)];

    // 100*50 + 30*40 = 6200 pixels in all
    await expect(
      readBatchSizes(images, { maxPixels: 5000, maxRequestPixels: 6200 }),
    ).resolves.toEqual([
      { width: 100, height: 50 },
      { width: 30, height: 40 },
    ]);
  });

  it('should refuse a batch whose pixels add up to more than MAX_REQUEST_PIXELS', async () => {
    const images = [await png(100, 50), await png(100, 50), await png(30, 40)];

    // 5000 + 5000 + 1200 = 11200 > 11199, though each image is within maxPixels
    await expect(
      readBatchSizes(images, { maxPixels: 5000, maxRequestPixels: 11_199 }),
    ).rejects.toMatchObject({
      code: 'BATCH_TOO_LARGE',
      message:
        'the 3 images of the request must have at most 11199 pixels in all (MAX_REQUEST_PIXELS), but they have 11200; send fewer or smaller images in each request',
    });
  });

  it('should refuse one image over MAX_IMAGE_PIXELS as that image, before adding up', async () => {
    const images = [await png(10, 10), await png(100, 51)];

    await expect(
      readBatchSizes(images, { maxPixels: 5000, maxRequestPixels: 1_000_000 }),
    ).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });
});
