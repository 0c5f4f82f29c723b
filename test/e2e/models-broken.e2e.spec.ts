import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { REPO_ROOT, startTestApp } from '../support/http-app';
import { seededRandom } from '../support/seeded-random';

/** The broken models of the repository, with the code and the reason each must be reported with. */
const BROKEN = {
  'random-bytes': {
    code: 'MODEL_NOT_ONNX',
    reason: /^random-bytes\/model\.onnx is not a loadable ONNX model: \S/,
  },
  'no-model-file': {
    code: 'MODEL_FILE_MISSING',
    reason: /^no-model-file\/model\.onnx does not exist$/,
  },
  'missing-weights': {
    code: 'MODEL_EXTERNAL_DATA_MISSING',
    reason: /^missing-weights\/model\.onnx: .*weights\.bin/,
  },
} as const;

type BrokenName = keyof typeof BROKEN;
const BROKEN_NAMES = Object.keys(BROKEN) as BrokenName[];

/** Bytes of a seeded generator: the same "model" on every run, and no protobuf of any kind. */
function randomBytes(count: number, seed: number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length: count }, () => Math.floor(random() * 256)));
}

/**
 * A repository with the bundled model and three that cannot load: random
 * bytes for model.onnx, a folder without model.onnx (its model.json and
 * labels are there), and the external-data fixture without weights.bin.
 * It sits in a folder named as a repository on an external volume might be:
 * onnxruntime's messages carry the model's path, and a word of that path
 * ("external") must not turn a file that is not ONNX into missing external data.
 */
async function brokenRepository(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'cnn-lens-external-volume-'));
  const bundled = path.join(REPO_ROOT, 'models/fashion-mnist');
  const external = path.join(REPO_ROOT, 'test/fixtures/models/external-data');

  await cp(bundled, path.join(root, 'fashion-mnist'), { recursive: true });

  await mkdir(path.join(root, 'random-bytes'));
  await writeFile(path.join(root, 'random-bytes/model.onnx'), randomBytes(4096, 20240501));

  await mkdir(path.join(root, 'no-model-file'));
  await cp(path.join(bundled, 'model.json'), path.join(root, 'no-model-file/model.json'));
  await cp(path.join(bundled, 'labels.txt'), path.join(root, 'no-model-file/labels.txt'));

  await mkdir(path.join(root, 'missing-weights'));
  for (const file of ['model.onnx', 'model.json']) {
    await cp(path.join(external, file), path.join(root, 'missing-weights', file));
  }
  return root;
}

interface ListedModel {
  readonly name: string;
  readonly status: string;
  readonly error?: { readonly code: string; readonly message: string };
}

describe('a model repository with broken models (embedded mode)', () => {
  let repository: string;
  let app: NestFastifyApplication;
  let ankleBoot: Buffer;

  beforeAll(async () => {
    repository = await brokenRepository();
    app = await startTestApp({ MODEL_REPOSITORY: repository });
    ankleBoot = await readFile(path.join(REPO_ROOT, 'examples/0000-ankle-boot.png'));
  });

  afterAll(async () => {
    await app.close();
    await rm(repository, { recursive: true, force: true });
  });

  const http = () => request(app.getHttpServer());

  /** The reason GET /v1/models gives for a broken model, checked against what it must say. */
  async function listedReason(name: BrokenName): Promise<string> {
    const response = await http().get('/v1/models').expect(200);
    const listed = (response.body.models as ListedModel[]).find((model) => model.name === name);
    const reason = listed?.error?.message ?? '';
    expect(reason).toMatch(BROKEN[name].reason);
    return reason;
  }

  it('GET /v1/models should list every model, each broken one with its code and a reason naming the problem', async () => {
    const response = await http().get('/v1/models').expect(200);

    expect(response.body.defaultModel).toBe('fashion-mnist');
    const models = response.body.models as ListedModel[];
    expect(models.map((model) => model.name).sort()).toEqual(
      ['fashion-mnist', ...BROKEN_NAMES].sort(),
    );
    expect(models.find((model) => model.name === 'fashion-mnist')).toMatchObject({
      status: 'ready',
      labelCount: 10,
    });
    for (const name of BROKEN_NAMES) {
      const listed = models.find((model) => model.name === name);
      expect(listed).toEqual({
        name,
        status: 'unavailable',
        error: { code: BROKEN[name].code, message: expect.stringMatching(BROKEN[name].reason) },
      });
      // the reason names the file inside the repository, never the server's own folders
      expect(listed?.error?.message).not.toContain(repository);
    }
  });

  it.each(BROKEN_NAMES)(
    'GET /v1/models/%s should answer 503 MODEL_UNAVAILABLE with the reason it is listed with',
    async (name) => {
      const reason = await listedReason(name);

      const response = await http().get(`/v1/models/${name}`).expect(503);

      expect(response.body).toEqual({
        error: {
          code: 'MODEL_UNAVAILABLE',
          message: `model "${name}" could not be loaded: ${reason}`,
        },
      });
    },
  );

  it.each(BROKEN_NAMES)(
    'POST /v1/models/%s/predict should answer 503 MODEL_UNAVAILABLE with the reason',
    async (name) => {
      const reason = await listedReason(name);

      const response = await http()
        .post(`/v1/models/${name}/predict`)
        .set('content-type', 'image/png')
        .send(ankleBoot)
        .expect(503);

      expect(response.body).toEqual({
        error: {
          code: 'MODEL_UNAVAILABLE',
          message: `model "${name}" could not be loaded: ${reason}`,
        },
      });
    },
  );

  it.each(BROKEN_NAMES)(
    'POST /v1/explain?model=%s should answer 503 MODEL_UNAVAILABLE with the reason',
    async (name) => {
      const reason = await listedReason(name);

      const response = await http()
        .post(`/v1/explain?model=${name}`)
        .attach('image', ankleBoot, 'ankle-boot.png')
        .expect(503);

      expect(response.body).toEqual({
        error: {
          code: 'MODEL_UNAVAILABLE',
          message: `model "${name}" could not be loaded: ${reason}`,
        },
      });
    },
  );

  it('the good model should still classify examples/0000-ankle-boot.png as its class, 9', async () => {
    const labels = JSON.parse(
      await readFile(path.join(REPO_ROOT, 'examples/labels.json'), 'utf8'),
    ) as Record<string, { class: number; label: string }>;
    const truth = labels['0000-ankle-boot.png'];

    const response = await http()
      .post('/v1/models/fashion-mnist/predict?top_k=1')
      .set('content-type', 'image/png')
      .send(ankleBoot)
      .expect(200);

    expect(truth).toMatchObject({ class: 9, label: 'Ankle boot' });
    expect(response.body.model).toBe('fashion-mnist');
    expect(response.body.predictions).toHaveLength(1);
    expect(response.body.predictions[0].top).toEqual([
      { index: truth.class, label: truth.label, probability: expect.any(Number) },
    ]);
    expect(response.body.predictions[0].top[0].probability).toBeGreaterThan(0.5);
  });

  it('GET /readyz should answer 200 as the default model is loaded, listing each broken model with its code and reason', async () => {
    const reasons = new Map<BrokenName, string>();
    for (const name of BROKEN_NAMES) {
      reasons.set(name, await listedReason(name));
    }

    const response = await http().get('/readyz').expect(200);

    expect(response.body).toEqual({
      status: 'ready',
      defaultModel: { name: 'fashion-mnist', ready: true },
      role: 'all',
      redis: 'not configured',
      models: expect.any(Array),
    });
    const models = response.body.models as { name: string }[];
    expect(models.map((model) => model.name).sort()).toEqual(
      ['fashion-mnist', ...BROKEN_NAMES].sort(),
    );
    expect(models).toContainEqual(
      expect.objectContaining({ name: 'fashion-mnist', status: 'ready', executionProvider: 'cpu' }),
    );
    for (const name of BROKEN_NAMES) {
      expect(models).toContainEqual({
        name,
        status: 'unavailable',
        code: BROKEN[name].code,
        reason: reasons.get(name),
      });
    }
  });
});

describe('the same repository with a broken model as DEFAULT_MODEL', () => {
  let repository: string;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    repository = await brokenRepository();
    app = await startTestApp({ MODEL_REPOSITORY: repository, DEFAULT_MODEL: 'random-bytes' });
  });

  afterAll(async () => {
    await app.close();
    await rm(repository, { recursive: true, force: true });
  });

  it('GET /readyz should answer 503 with the default model not ready and its reason', async () => {
    const response = await request(app.getHttpServer()).get('/readyz').expect(503);

    expect(response.body).toMatchObject({
      status: 'not ready',
      defaultModel: { name: 'random-bytes', ready: false },
      redis: 'not configured',
    });
    expect(response.body.models).toContainEqual({
      name: 'random-bytes',
      status: 'unavailable',
      code: 'MODEL_NOT_ONNX',
      reason: expect.stringMatching(BROKEN['random-bytes'].reason),
    });
    expect(response.body.models).toContainEqual(
      expect.objectContaining({ name: 'fashion-mnist', status: 'ready' }),
    );
  });
});
