/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { REPO_ROOT, startTestApp } from '../../support/http-app';

const MODEL = 'fashion-mnist';
const BASE = `/v1/models/${MODEL}`;
const CONV = '/model/block1/block1.0/Conv';
const RELU = '/model/block1/block1.2/Relu';

interface FeatureMapJson {
  readonly layers: readonly { readonly layer: string; readonly shape: number[] }[];
}

describe('parameters of the views and of predict (REST)', () => {
  let app: NestFastifyApplication;
  let png: Buffer;

  const server = () => app.getHttpServer();
  /** A GET, or a POST carrying the example image, as the endpoint takes. */
  const call = (method: string, url: string) =>
    method === 'get'
      ? request(server()).get(url)
      : request(server()).post(url).attach('image', png, 'boot.png');

  beforeAll(async () => {
    app = await startTestApp();
    png = await fs.readFile(path.join(REPO_ROOT, 'examples/0000-ankle-boot.png'));
  });

  afterAll(async () => {
    await app.close();
  });

  describe('layers that are values of the model but have no feature maps', () => {
    it('answers 422 LAYER_NOT_SPATIAL for the logits, naming their shape', async () => {
      const response = await request(server())
        .post(`${BASE}/feature-maps?layer=logits`)
        .attach('image', png, 'boot.png')
        .expect(422);

      expect(response.body.error.code).toBe('LAYER_NOT_SPATIAL');
      expect(response.body.error.message).toMatch(
        /^parameter "layer": expected the output of a layer of the model with spatial extent \(shape \[N, C, H, W\] with H\*W > 1\), got "logits" of shape \[1, 10\]; valid layers: .*features/,
      );
      expect(response.body.error.details).toMatchObject({ parameter: 'layer', shape: [1, 10] });
    });

    it('names the `layers` parameter when the pooled 1x1 map came in it', async () => {
      const response = await request(server())
        .post(`${BASE}/feature-maps?layers=features,/model/GlobalAveragePool_output_0`)
        .attach('image', png, 'boot.png')
        .expect(422);

      expect(response.body.error.message).toMatch(
        /^parameter "layers": .* got "\/model\/GlobalAveragePool_output_0" of shape \[1, \d+, 1, 1\]; valid layers: /,
      );
    });

    it("says the model's input is refused for being the input, not for its shape", async () => {
      const response = await request(server())
        .post(`${BASE}/feature-maps?layer=input`)
        .attach('image', png, 'boot.png')
        .expect(422);

      expect(response.body.error.code).toBe('LAYER_NOT_SPATIAL');
      expect(response.body.error.message).toContain(
        `got "input" of shape [1, 1, 28, 28], the model's input, which no layer computes; valid layers: `,
      );
    });

    it('says a weight is a weight', async () => {
      const response = await request(server())
        .post(`${BASE}/feature-maps?layer=model.block1.0.weight`)
        .attach('image', png, 'boot.png')
        .expect(422);

      expect(response.body.error.message).toContain('got "model.block1.0.weight" of shape [');
      expect(response.body.error.message).toContain('], a weight of the model, not an activation;');
    });

    it('still answers 404 LAYER_NOT_FOUND for a name the model does not have', async () => {
      const response = await request(server())
        .post(`${BASE}/feature-maps`)
        .field('layers', 'nope')
        .attach('image', png, 'boot.png')
        .expect(404);

      expect(response.body.error.message).toMatch(/^parameter "layers": .*got "nope"/);
    });
  });

  it('names `layers`, the parameter histograms read, for an unknown layer', async () => {
    const response = await request(server()).get(`${BASE}/histograms?layers=nope`).expect(404);

    expect(response.body.error.code).toBe('LAYER_NOT_FOUND');
    expect(response.body.error.message).toMatch(
      /^parameter "layers": expected a value or node name of the model, got "nope"; valid layers: /,
    );
    expect(response.body.error.details.parameter).toBe('layers');
  });

  describe('empty values and empty list items: 400, never the default layers', () => {
    const LIST =
      'one or more value or node names, repeated or comma separated, without empty items';
    const GEMM = '/model/fc/Gemm';

    it.each([
      ['layers=', ''],
      ['layers=,', ','],
      [`layers=${encodeURIComponent(`${CONV},,${GEMM}`)}`, `${CONV},,${GEMM}`],
      [`layers=${encodeURIComponent(`${CONV},`)}`, `${CONV},`],
    ])('histograms?%s answers 400 INVALID_PARAMETER naming layers', async (query, received) => {
      const response = await request(server()).get(`${BASE}/histograms?${query}`).expect(400);

      expect(response.body.error.code).toBe('INVALID_PARAMETER');
      expect(response.body.error.message).toBe(
        `parameter "layers" must be ${LIST}; received ${JSON.stringify(received)}`,
      );
      expect(response.body.error.details).toEqual({ parameter: 'layers' });
    });

    it.each([
      ['layer', 'query'],
      ['layers', 'query'],
      ['layer', 'form'],
      ['layers', 'form'],
    ])('feature-maps with an empty %s in the %s answers 400 naming it', async (name, where) => {
      const call = request(server()).post(
        where === 'query' ? `${BASE}/feature-maps?${name}=` : `${BASE}/feature-maps`,
      );
      const response = await (where === 'form' ? call.field(name, '') : call)
        .attach('image', png, 'boot.png')
        .expect(400);

      expect(response.body.error.code).toBe('INVALID_PARAMETER');
      expect(response.body.error.message).toBe(`parameter "${name}" must be ${LIST}; received ""`);
    });

    it('feature-maps refuses an empty value among repeated layer fields', async () => {
      const response = await request(server())
        .post(`${BASE}/feature-maps`)
        .field('layer', CONV)
        .field('layer', '')
        .attach('image', png, 'boot.png')
        .expect(400);

      expect(response.body.error.message).toBe(
        `parameter "layer" must be ${LIST}; received [${JSON.stringify(CONV)},""]`,
      );
    });

    it('kernels?layer= says what layer takes, in the words of the README', async () => {
      const response = await request(server()).get(`${BASE}/kernels?layer=`).expect(400);

      expect(response.body.error).toEqual({
        code: 'INVALID_PARAMETER',
        message:
          'parameter "layer" must be the name of a Conv node, its output or its weight; received ""',
        details: { parameter: 'layer' },
      });
    });

    it('still takes named layers with blanks around the commas', async () => {
      const response = await request(server())
        .get(`${BASE}/histograms?format=json&layers=${encodeURIComponent(`${CONV} , ${GEMM}`)}`)
        .expect(200);

      expect(
        (response.body as { layers: { layer: string }[] }).layers.map((layer) => layer.layer),
      ).toHaveLength(2);
    });
  });

  describe('numbers are written in decimal digits only', () => {
    const WRITTEN = 'written as decimal digits only (no sign, blanks, point or exponent)';

    it.each([
      ['post', 'prediction-image?top_k=5%09', 'top_k', 'an integer from 1 to 20', '5\t'],
      ['post', 'prediction-image?top_k=%2B5', 'top_k', 'an integer from 1 to 20', '+5'],
      ['post', 'predict?top_k=%205', 'top_k', 'an integer from 1 to 1000', ' 5'],
      ['get', 'histograms?bins=%2030', 'bins', 'an integer from 1 to 200', ' 30'],
      ['get', 'kernels?tile=%2B12', 'tile', 'an integer from 4 to 128', '+12'],
    ])(
      '%s %s is refused, saying how the number is written',
      async (method, path, name, range, received) => {
        const url = `${BASE}/${path}`;
        const response = await call(method, url).expect(400);

        expect(response.body.error.code).toBe('INVALID_PARAMETER');
        expect(response.body.error.message).toBe(
          `parameter "${name}" must be ${range}, ${WRITTEN}; received ${JSON.stringify(received)}`,
        );
      },
    );
  });

  it('quotes only the head of an oversized layer field, with its length', async () => {
    const layer = 'L'.repeat(60_000);
    const response = await request(server())
      .post(`${BASE}/feature-maps`)
      .field('layer', layer)
      .attach('image', png, 'boot.png')
      .expect(404);

    expect(response.body.error.code).toBe('LAYER_NOT_FOUND');
    expect(response.body.error.message).toContain(
      `got "${'L'.repeat(100)}"… (60000 characters); valid layers: `,
    );
    expect(response.body.error.details.layer).toBe(`${'L'.repeat(100)}… (60000 characters)`);
    expect(response.text.length).toBeLessThan(10_000);
  });

  describe('form fields read like the query string', () => {
    const layersOf = (response: request.Response): string[] =>
      (response.body as FeatureMapJson).layers.map((layer) => layer.layer);

    it('takes every value of a repeated `layer` form field, as of a repeated query parameter', async () => {
      const asForm = await request(server())
        .post(`${BASE}/feature-maps`)
        .field('layer', CONV)
        .field('layer', RELU)
        .field('format', 'json')
        .attach('image', png, 'boot.png')
        .expect(200);
      const asQuery = await request(server())
        .post(
          `${BASE}/feature-maps?layer=${encodeURIComponent(CONV)}&layer=${encodeURIComponent(RELU)}&format=json`,
        )
        .attach('image', png, 'boot.png')
        .expect(200);

      expect(layersOf(asForm)).toHaveLength(2);
      expect(layersOf(asForm)).toEqual(layersOf(asQuery));
    });

    it('takes every value of a repeated `layers` form field', async () => {
      const response = await request(server())
        .post(`${BASE}/feature-maps`)
        .field('layers', CONV)
        .field('layers', `${RELU},features`)
        .field('format', 'json')
        .attach('image', png, 'boot.png')
        .expect(200);

      expect(layersOf(response)).toHaveLength(3);
    });

    it('adds a list given both in the query and as form fields', async () => {
      const response = await request(server())
        .post(`${BASE}/feature-maps?layer=${encodeURIComponent(CONV)}&format=json`)
        .field('layer', RELU)
        .attach('image', png, 'boot.png')
        .expect(200);

      expect(layersOf(response)).toHaveLength(2);
    });

    it('refuses a single-valued parameter repeated as a form field, as in the query string', async () => {
      const asForm = await request(server())
        .post(`${BASE}/feature-maps`)
        .field('format', 'json')
        .field('format', 'png')
        .attach('image', png, 'boot.png')
        .expect(400);
      const asQuery = await request(server())
        .post(`${BASE}/feature-maps?format=json&format=png`)
        .attach('image', png, 'boot.png')
        .expect(400);

      for (const response of [asForm, asQuery]) {
        expect(response.body.error.code).toBe('INVALID_PARAMETER');
        expect(response.body.error.message).toBe(
          'parameter "format" must be a single value, png, npy or json; received ["json","png"]',
        );
      }
    });

    it.each([
      ['predict', `${BASE}/predict?top_k=2`, 'top_k', '3', '["2","3"]'],
      ['prediction-image', `${BASE}/prediction-image?top_k=2`, 'top_k', '3', '["2","3"]'],
      ['feature-maps', `${BASE}/feature-maps?order=mean`, 'order', 'index', '["mean","index"]'],
    ])(
      'refuses %s with a parameter given in the query and as a form field with different values',
      async (_endpoint, url, name, formValue, received) => {
        const response = await request(server())
          .post(url)
          .field(name, formValue)
          .attach('image', png, 'boot.png')
          .expect(400);

        expect(response.body.error.code).toBe('INVALID_PARAMETER');
        expect(response.body.error.message).toContain(`parameter "${name}" must be a single value`);
        expect(response.body.error.message).toContain(`received ${received}`);
      },
    );

    it('takes a parameter given with the same value in the query and as a form field once', async () => {
      const response = await request(server())
        .post(`${BASE}/predict?top_k=2`)
        .field('top_k', '2')
        .attach('image', png, 'boot.png')
        .expect(200);

      expect(response.body.predictions[0].top).toHaveLength(2);
    });
  });

  it('says which words async accepts', async () => {
    const response = await request(server()).get(`${BASE}/kernels?async=maybe`).expect(400);

    expect(response.body.error.message).toBe(
      'parameter "async" must be one of true, false, 1, 0, yes, no; received "maybe"',
    );
  });

  describe('unknown parameters', () => {
    it.each([
      ['predict', 'post', `${BASE}/predict?topk=3`, 'topk', 'top_k, async'],
      [
        'feature-maps',
        'post',
        `${BASE}/feature-maps?colourmap=jet`,
        'colourmap',
        'layer, layers, order, limit, colormap, format, columns, tile, async',
      ],
      [
        'kernels',
        'get',
        `${BASE}/kernels?formt=json`,
        'formt',
        'layer, format, out_limit, in_limit, tile, async',
      ],
      [
        'histograms',
        'get',
        `${BASE}/histograms?layer=features`,
        'layer',
        'layers, bins, batch_norm, format, async',
      ],
      ['prediction-image', 'post', `${BASE}/prediction-image?k=3`, 'k', 'top_k, async'],
    ])(
      'refuses %s with 400 INVALID_PARAMETER naming the parameter and listing those it takes',
      async (_endpoint, method, url, unknown, accepted) => {
        const response = await call(method, url).expect(400);

        expect(response.body.error.code).toBe('INVALID_PARAMETER');
        expect(response.body.error.message).toBe(
          `unknown parameter "${unknown}": expected parameters of this endpoint (${accepted})`,
        );
        expect(response.body.error.details).toMatchObject({ parameter: unknown });
      },
    );

    it('refuses an unknown form field too', async () => {
      const response = await request(server())
        .post(`${BASE}/predict`)
        .field('topk', '3')
        .attach('image', png, 'boot.png')
        .expect(400);

      expect(response.body.error.message).toContain('unknown parameter "topk"');
    });
  });
});
