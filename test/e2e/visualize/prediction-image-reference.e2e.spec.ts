/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import sharp from 'sharp';
import request from 'supertest';

import { binaryParser } from '../../support/binary.parser';
import { REPO_ROOT, startTestApp } from '../../support/http-app';

/** examples/labels.json: each example's class and the probability PyTorch gave it (make_examples.py). */
interface ExampleLabel {
  readonly class: number;
  readonly label: string;
  readonly probability?: number;
}

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const labelled = Object.entries(
  JSON.parse(readFileSync(path.join(EXAMPLES, 'labels.json'), 'utf8')) as Record<
    string,
    ExampleLabel
  >,
).filter(([, entry]) => entry.probability !== undefined);

describe('POST /v1/models/{name}/prediction-image against PyTorch', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  it('covers the twelve Fashion-MNIST examples', () => {
    expect(labelled.length).toBe(12);
  });

  it.each(labelled)(
    '%s: draws the class and probability PyTorch gives the image',
    async (file, expected) => {
      const response = await request(app.getHttpServer())
        .post('/v1/models/fashion-mnist/prediction-image?top_k=3')
        .attach('image', path.join(EXAMPLES, file))
        .buffer(true)
        .parse(binaryParser)
        .expect(200)
        .expect('Content-Type', 'image/png');

      expect(Number(response.headers['x-cnn-lens-class-index'])).toBe(expected.class);
      expect(response.headers['x-cnn-lens-class-label']).toBe(expected.label);
      // labels.json rounds to 4 decimals
      expect(
        Math.abs(Number(response.headers['x-cnn-lens-probability']) - (expected.probability ?? 0)),
      ).toBeLessThan(2e-4);
      // 28x28 enlarged x9 beside a 400 px chart of 3 bars: 3*12 + 252 + 400 by 2*12 + 256
      const meta = await sharp(response.body as Buffer).metadata();
      expect([meta.width, meta.height]).toEqual([688, 280]);
    },
  );
});
