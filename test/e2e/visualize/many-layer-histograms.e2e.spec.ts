/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { status } from '@grpc/grpc-js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import sharp from 'sharp';
import request from 'supertest';

import type { AppServices } from '../../../src/app.module';
import { createInlineServices } from '../../../src/bootstrap/services';
import { loadConfig } from '../../../src/config/app-config';
import { binaryParser } from '../../support/binary.parser';
import { rejection } from '../../support/grpc-rejection';
import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { type GrpcTestServer, startGrpcTestServer } from '../../support/queue/grpc-test-server';
import { silentLogger } from '../../support/silent-logger';
import { readOnnxFile } from './onnx-file.reader';

/** Test networks with more layers with weights than a histogram chart draws (32). */
const MODELS = ['inception', 'shufflenet'] as const;
const CHART_LAYERS = 32;
/** The sheet's layout (README): 8 px margins and gaps, 210 px per chart row. */
const sheetHeight = (rows: number) => 2 * 8 + rows * 210 + (rows - 1) * 8;

/**
 * The layers with weights of a model, read from the file alone: every node
 * with a float initializer among its inputs after the first, by node name (or
 * first output), in the file's order (the service lists them in its own
 * topological order, the order of `index`).
 */
function weightedLayerNames(model: string): string[] {
  const onnx = readOnnxFile(path.join(REPO_ROOT, 'test/fixtures/nets', model, 'model.onnx'));
  return onnx.nodes
    .filter((node) => node.input.slice(1).some((input) => onnx.initializers.has(input)))
    .map((node) => (node.name === '' ? node.output[0] : node.name));
}

/** 32 of `total` positions from the first to the last, evenly: round(i (total - 1) / 31). */
const spread = (total: number): number[] =>
  Array.from({ length: CHART_LAYERS }, (_, i) =>
    Math.round((i * (total - 1)) / (CHART_LAYERS - 1)),
  );

/** "0-2,7,5" read back into [0, 1, 2, 7, 5]. */
function readRuns(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, k) => from + k);
  });
}

interface HistogramJson {
  readonly layersTotal: number;
  readonly omittedLayers: string[];
  readonly omittedNote?: string;
  readonly layers: { readonly index: number; readonly layer: string }[];
}

describe('histograms of models with more layers than a chart draws', () => {
  let repository: string;
  let app: NestFastifyApplication;

  const server = () => app.getHttpServer();
  const histograms = (model: string, query = '') =>
    request(server()).get(`/v1/models/${model}/histograms${query}`);

  beforeAll(async () => {
    repository = fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-lens-histograms-'));
    for (const model of MODELS) {
      fs.mkdirSync(path.join(repository, model));
      fs.copyFileSync(
        path.join(REPO_ROOT, 'test/fixtures/nets', model, 'model.onnx'),
        path.join(repository, model, 'model.onnx'),
      );
    }
    app = await startTestApp({ MODEL_REPOSITORY: repository, DEFAULT_MODEL: 'inception' });
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(repository, { recursive: true, force: true });
  });

  describe('REST', () => {
    it.each(MODELS)(
      'draws 32 layers of %s spread from the first to the last by default, saying which and what was left out',
      async (model) => {
        const names = weightedLayerNames(model);
        expect(names.length).toBeGreaterThan(CHART_LAYERS);

        const response = await histograms(model)
          .buffer(true)
          .parse(binaryParser)
          .expect(200)
          .expect('Content-Type', 'image/png');

        const meta = await sharp(response.body as Buffer).metadata();
        expect(meta.height).toBe(sheetHeight(CHART_LAYERS));
        expect(response.headers['x-cnn-lens-layers']).toBe(String(CHART_LAYERS));
        expect(response.headers['x-cnn-lens-layers-total']).toBe(String(names.length));
        expect(response.headers['x-cnn-lens-layers-omitted']).toBe(
          String(names.length - CHART_LAYERS),
        );
        const indices = readRuns(response.headers['x-cnn-lens-layer-indices']);
        expect(indices).toEqual(spread(names.length));
        expect(indices[0]).toBe(0);
        expect(indices.at(-1)).toBe(names.length - 1);
        expect(response.headers['x-cnn-lens-omitted-note']).toBe(
          `${names.length - CHART_LAYERS} of ${names.length} layers with weights left out: a chart draws at most 32, spread evenly from the first layer to the last (layer_indices); name others with layers= (at most 32), or ask for format=json, which lists every layer`,
        );
      },
    );

    it.each(MODELS)('lists every layer of %s in JSON by default', async (model) => {
      const names = weightedLayerNames(model);

      const response = await histograms(model, '?format=json').expect(200);

      const body = response.body as HistogramJson;
      expect(body.layers.map((layer) => layer.layer).sort()).toEqual([...names].sort());
      expect(body.layers.map((layer) => layer.index)).toEqual(names.map((_, i) => i));
      expect(body.layersTotal).toBe(names.length);
      expect(body.omittedLayers).toEqual([]);
      expect(body.omittedNote).toBeUndefined();
    });

    it('refuses a named list over 32 layers in a chart, saying how to narrow it', async () => {
      const names = weightedLayerNames('inception');

      const response = await histograms(
        'inception',
        `?layers=${encodeURIComponent(names.join(','))}`,
      ).expect(400);

      expect(response.body.error.code).toBe('VIEW_LIMIT_EXCEEDED');
      expect(response.body.error.message).toBe(
        `parameter "layers": expected at most 32 layers per histogram chart (a row each), got ${names.length}; name at most 32 in each request, or ask for format=json, which takes any number`,
      );
    });

    it('answers the same named list in JSON, and draws any 32 of it', async () => {
      const names = weightedLayerNames('inception');
      const listed = await histograms('inception', '?format=json').expect(200);
      const indexOf = new Map(
        (listed.body as HistogramJson).layers.map((layer) => [layer.layer, layer.index]),
      );

      const json = await histograms(
        'inception',
        `?format=json&layers=${encodeURIComponent(names.join(','))}`,
      ).expect(200);
      const chart = await histograms(
        'inception',
        `?layers=${encodeURIComponent(names.slice(-CHART_LAYERS).join(','))}`,
      )
        .buffer(true)
        .parse(binaryParser)
        .expect(200);

      expect((json.body as HistogramJson).layers.map((layer) => layer.layer)).toEqual(names);
      expect(chart.headers['x-cnn-lens-layers-omitted']).toBe('0');
      expect(readRuns(chart.headers['x-cnn-lens-layer-indices'])).toEqual(
        names.slice(-CHART_LAYERS).map((name) => indexOf.get(name)),
      );
    });

    it('counts a layer named twice, by node and by output value, once', async () => {
      const names = weightedLayerNames('inception');
      const onnx = readOnnxFile(path.join(REPO_ROOT, 'test/fixtures/nets/inception/model.onnx'));
      const node = onnx.nodes.find((n) => n.name === names[3])!;
      expect(node.output[0]).not.toBe(node.name);

      const response = await histograms(
        'inception',
        `?format=json&layers=${encodeURIComponent(`${node.name},${node.output[0]},${names[0]}`)}`,
      ).expect(200);

      expect((response.body as HistogramJson).layers.map((layer) => layer.layer)).toEqual([
        node.name,
        names[0],
      ]);
    });

    it('keeps in a default JSON answer the layers from the first that fit in MAX_RESPONSE_BYTES, listing the rest', async () => {
      const full = await histograms('inception', '?format=json').expect(200);
      const fullBody = full.body as HistogramJson;
      const limit = Math.floor(Buffer.byteLength(JSON.stringify(fullBody)) / 2);
      const small = await startTestApp({
        MODEL_REPOSITORY: repository,
        DEFAULT_MODEL: 'inception',
        MAX_RESPONSE_BYTES: String(limit),
      });
      try {
        const response = await request(small.getHttpServer())
          .get('/v1/models/inception/histograms?format=json')
          .expect(200);

        const body = response.body as HistogramJson;
        const kept = body.layers.length;
        expect(kept).toBeGreaterThan(0);
        expect(kept).toBeLessThan(fullBody.layers.length);
        expect(body.layers).toEqual(fullBody.layers.slice(0, kept));
        expect(body.omittedLayers).toEqual(fullBody.layers.slice(kept).map((layer) => layer.layer));
        expect(body.omittedNote).toBe(
          `${fullBody.layers.length - kept} of ${fullBody.layers.length} layers with weights left out: with them the answer would pass its limit of ${limit} bytes (MAX_RESPONSE_BYTES); name them with layers=, or ask for fewer bins`,
        );
        const bytes = Buffer.byteLength(response.text);
        expect(bytes).toBeLessThanOrEqual(limit);
        // one more layer would not fit: it adds its JSON and a comma, and takes one name off the list
        const next = fullBody.layers[kept];
        const grown =
          bytes +
          Buffer.byteLength(JSON.stringify(next)) +
          1 -
          JSON.stringify(next.layer).length -
          1;
        expect(grown).toBeGreaterThan(limit - 2);

        const named = await request(small.getHttpServer())
          .get(
            `/v1/models/inception/histograms?format=json&layers=${encodeURIComponent(fullBody.layers.map((l) => l.layer).join(','))}`,
          )
          .expect(413);
        expect(named.body.error.code).toBe('RESPONSE_TOO_LARGE');
      } finally {
        await small.close();
      }
    });
  });

  describe('gRPC', () => {
    let services: AppServices;
    let grpc: GrpcTestServer;

    interface HistogramsResponse {
      png?: Buffer;
      layers?: { index?: number; layer: string }[];
      layers_total?: number;
      layer_indices?: number[];
      layers_omitted?: number;
      omitted_note?: string;
    }

    beforeAll(async () => {
      services = await createInlineServices(
        loadConfig({
          MODEL_REPOSITORY: repository,
          DEFAULT_MODEL: 'inception',
          ORT_INTRA_OP_THREADS: '1',
        }),
        silentLogger,
      );
      grpc = await startGrpcTestServer(services);
    });

    afterAll(async () => {
      await grpc.close();
      await services.jobs.close();
    });

    it('draws 32 spread layers by default and says which and how many were left out', async () => {
      const names = weightedLayerNames('inception');

      const response = await grpc.client.call<HistogramsResponse>('Histograms', {});

      expect((await sharp(response.png).metadata()).height).toBe(sheetHeight(CHART_LAYERS));
      expect(response.layers_total).toBe(names.length);
      expect(response.layer_indices).toEqual(spread(names.length));
      expect(response.layers_omitted).toBe(names.length - CHART_LAYERS);
      expect(response.omitted_note).toContain('name others with layers=');
    });

    it('lists every layer in JSON by default, each with its index', async () => {
      const names = weightedLayerNames('shufflenet');

      const response = await grpc.client.call<HistogramsResponse>('Histograms', {
        model: 'shufflenet',
        format: 'json',
      });

      expect(response.layers!.map((layer) => layer.layer).sort()).toEqual([...names].sort());
      expect(response.layers!.map((layer) => layer.index ?? 0)).toEqual(names.map((_, i) => i));
      expect(response.layer_indices).toEqual(names.map((_, i) => i));
      expect(response.layers_total).toBe(names.length);
      expect(response.layers_omitted ?? 0).toBe(0);
    });

    it('refuses a named list over 32 layers in a chart with VIEW_LIMIT_EXCEEDED', async () => {
      const names = weightedLayerNames('inception');

      const refused = await rejection(grpc.client.call('Histograms', { layers: names }));

      expect(refused.code).toBe(status.INVALID_ARGUMENT);
      expect(refused.metadata.get('error-code')).toEqual(['VIEW_LIMIT_EXCEEDED']);
      expect(refused.details).toContain('or ask for format=json, which takes any number');
    });
  });
});
