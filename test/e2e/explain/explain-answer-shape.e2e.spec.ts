/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { binaryParser, bodyOf, postImages } from './explain-request.helper';

const example = (name: string): Promise<Buffer> =>
  fs.readFile(path.join(REPO_ROOT, 'examples', name));

/**
 * The answer's shape follows the request, never the model's prediction: one
 * image with one named class is binary, anything else is the JSON `results`
 * document. And only a tensor's encoding is negotiated with Accept, by q-value.
 */
describe('explanation answers: shape and content negotiation', () => {
  let app: NestFastifyApplication;
  let boot: Buffer;
  let trouser: Buffer;

  beforeAll(async () => {
    app = await startTestApp();
    boot = await example('0000-ankle-boot.png');
    trouser = await example('0002-trouser.png');
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  describe('shape', () => {
    it('target=top1,9 should give two results for an ankle boot (top1 is 9) as for a trouser', async () => {
      const query = '/gradcam?target=top1,9&output=tensor&format=json&resolution=layer';
      const forBoot = bodyOf(await postImages(app, query, [boot]).expect(200));
      const forTrouser = bodyOf(await postImages(app, query, [trouser]).expect(200));

      expect(forBoot.results.map((r) => r.class_index)).toEqual([9, 9]);
      expect(forBoot.results[0]?.tensor).toEqual(forBoot.results[1]?.tensor);
      expect(forTrouser.results.map((r) => r.class_index)).toEqual([1, 9]);
    });

    it('target=top1,9 without format should answer the JSON document, not a PNG, for the ankle boot', async () => {
      const response = await postImages(app, '/gradcam?target=top1,9', [boot]).expect(200);

      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(bodyOf(response).results).toHaveLength(2);
      expect(bodyOf(response).results.every((r) => typeof r.png_base64 === 'string')).toBe(true);
    });

    it('a class named twice should be explained twice, in the order asked', async () => {
      const response = await postImages(app, '/gradcam?output=tensor&format=json', [boot], {
        target: '5,Sandal,9',
      }).expect(200);

      expect(bodyOf(response).results.map((r) => r.class_index)).toEqual([5, 5, 9]);
    });

    it('topk:1 should answer the results document with one map', async () => {
      const response = await postImages(app, '/gradcam?target=topk:1', [boot]).expect(200);

      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(bodyOf(response).results).toHaveLength(1);
    });

    it('one image and one named class should answer binary, whichever class it is', async () => {
      for (const target of ['top1', '9', 'Trouser']) {
        const response = await postImages(app, `/gradcam?target=${target}&output=tensor`, [boot])
          .buffer(true)
          .parse(binaryParser)
          .expect(200);
        expect(response.headers['content-type']).toBe('application/x-npy');
      }
    });

    it('two images with one class should answer the results document', async () => {
      const response = await postImages(app, '/gradcam?target=9&output=tensor', [
        boot,
        trouser,
      ]).expect(200);

      expect(bodyOf(response).results.map((r) => [r.image, r.class_index])).toEqual([
        [0, 9],
        [1, 9],
      ]);
    });

    it('format=json with one image and one class should answer that map as one flat document', async () => {
      const response = await postImages(app, '/gradcam?output=tensor&format=json', [boot]).expect(
        200,
      );

      expect(bodyOf(response).results).toBeUndefined();
      expect(bodyOf(response).class_index).toBe(9);
      // the same fields as a document of several results, which names its output too
      expect(bodyOf(response)).toMatchObject({ output: 'tensor', method: 'gradcam' });
    });
  });

  describe('Accept for output=tensor (JSON only when application/json has the higher q)', () => {
    const cases: [string, 'json' | 'npy'][] = [
      ['application/json', 'json'],
      ['application/json;q=0', 'npy'],
      ['application/json;q=0, */*', 'npy'],
      ['application/json, */*', 'npy'],
      ['application/json, application/x-npy', 'npy'],
      ['*/*', 'npy'],
      ['application/json, application/x-npy;q=0.5', 'json'],
      ['application/x-npy;q=0.9, application/json', 'json'],
      ['application/json;q=0.8, */*;q=0.5', 'json'],
      ['application/json;q=0.5, application/octet-stream', 'npy'],
      ['application/json, application/x-npy;q=0.5, application/*;q=0.9', 'json'],
      ['application/json;q=0.5, application/*', 'npy'],
      ['image/png, application/json;q=0.9', 'json'],
      ['text/html', 'npy'],
    ];

    it.each(cases)('Accept: %s should answer %s', async (accept, expected) => {
      const response = await postImages(app, '/gradcam?output=tensor&resolution=layer', [boot])
        .set('Accept', accept)
        .buffer(true)
        .parse(binaryParser)
        .expect(200);

      const type = String(response.headers['content-type']);
      expect(type.startsWith('application/json') ? 'json' : type).toBe(
        expected === 'json' ? 'json' : 'application/x-npy',
      );
    });

    it('format=npy should answer .npy whatever Accept says', async () => {
      const response = await postImages(app, '/gradcam?output=tensor&format=npy', [boot])
        .set('Accept', 'application/json')
        .buffer(true)
        .parse(binaryParser)
        .expect(200);

      expect(response.headers['content-type']).toBe('application/x-npy');
    });
  });

  describe('Accept for pictures', () => {
    it.each(['overlay', 'heatmap'])(
      'output=%s should stay PNG with Accept: application/json',
      async (output) => {
        const response = await postImages(app, `/gradcam?output=${output}`, [boot])
          .set('Accept', 'application/json')
          .buffer(true)
          .parse(binaryParser)
          .expect(200);

        expect(response.headers['content-type']).toBe('image/png');
      },
    );

    it('output=overlay with format=json should answer JSON with the PNG in base64', async () => {
      const response = await postImages(app, '/gradcam?output=overlay&format=json', [boot]).expect(
        200,
      );

      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(typeof bodyOf(response).png_base64).toBe('string');
      expect(bodyOf(response).output).toBe('overlay');
    });
  });
});
