/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { readNpy } from '../../support/npy.reader';
import { bodyOf, postImages } from './explain-request.helper';

/** test/fixtures/nets/bundled-fashion-mnist/bundled.json, written by scripts/fixtures/make_test_nets.py. */
interface BundledReference {
  readonly model: string;
  readonly image: string;
  readonly targetClass: number;
  readonly method: string;
  readonly options: { readonly baseline: string; readonly steps: number };
  readonly map: string;
}

const BUNDLED = path.join(REPO_ROOT, 'test/fixtures/nets/bundled-fashion-mnist');

/**
 * The service's defaults end to end against PyTorch: an example image decoded
 * and preprocessed as model.json says, integrated gradients from the black
 * image (not zeros). The reference, its image, class and steps are read from
 * the fixture when the test runs, so a retrained model with its regenerated
 * fixture needs no change here.
 */
describe('POST /v1/explain against the PyTorch reference of the bundled model', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp();
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  it('integrated-gradients with the default black baseline matches within 1e-4', async () => {
    const reference = JSON.parse(
      await fs.readFile(path.join(BUNDLED, 'bundled.json'), 'utf8'),
    ) as BundledReference;
    const image = await fs.readFile(path.join(REPO_ROOT, reference.image));
    const expected = readNpy(path.join(BUNDLED, reference.map));
    expect(reference.options.baseline).toBe('black');

    const response = await postImages(
      app,
      '/v1/explain?output=tensor&format=json&resolution=layer',
      [image],
      {
        model: reference.model,
        method: reference.method,
        target: String(reference.targetClass),
        steps: String(reference.options.steps),
      },
    ).expect(200);

    const map = bodyOf(response).tensor;
    expect(map.shape).toEqual(expected.shape);
    const worst = Math.max(...map.data.map((v, i) => Math.abs(v - (expected.data[i] ?? NaN))));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});
