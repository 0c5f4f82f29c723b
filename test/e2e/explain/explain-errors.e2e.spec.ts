/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import sharp from 'sharp';
import request from 'supertest';

import { encodeModel } from '../../../src/onnx/onnx.codec';
import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { buildTestModel, poolingClassifierHead } from '../../support/onnx-test-model.builder';
import { postImages } from './explain-request.helper';

/** Options given where the method or output would not use them: refused, never ignored. */
const optionRules: [string, Record<string, string>, number, string, RegExp][] = [
  ...(
    [
      ['samples', '8', 'smoothgrad'],
      ['sigma', '0.3', 'smoothgrad'],
      ['seed', '3', 'smoothgrad'],
      ['steps', '8', 'integrated-gradients'],
      ['baseline', 'zeros', 'integrated-gradients'],
      ['batch_size', '4', 'scorecam, ablationcam'],
    ] as const
  ).map(([option, value, appliesTo]): [string, Record<string, string>, number, string, RegExp] => [
    `${option} with gradcam`,
    { method: 'gradcam', [option]: value },
    400,
    'INVALID_PARAMETER',
    new RegExp(
      `^parameter "${option}" does not apply to method gradcam: expected it only with ${appliesTo}; received`,
    ),
  ]),
  [
    'alpha with output=tensor',
    { output: 'tensor', alpha: '0.3' },
    400,
    'INVALID_PARAMETER',
    /^parameter "alpha" does not apply to output tensor: expected it only with output overlay; received 0.3$/,
  ],
  [
    'colormap with output=tensor',
    { output: 'tensor', colormap: 'gray' },
    400,
    'INVALID_PARAMETER',
    /^parameter "colormap" does not apply to output tensor: expected it only with output overlay, output heatmap/,
  ],
  [
    'format=npy with an overlay',
    { format: 'npy' },
    400,
    'INVALID_PARAMETER',
    /^parameter "format" does not apply to output overlay: expected it only with output tensor \(format=json applies to every output\); received "npy"$/,
  ],
  [
    'resolution=layer with an overlay',
    { resolution: 'layer' },
    400,
    'INVALID_PARAMETER',
    /^parameter "resolution" does not apply to output overlay: expected it only with output tensor; received "layer"$/,
  ],
];

describe('explanation errors: stable codes, statuses and messages', () => {
  let app: NestFastifyApplication;
  let boot: Buffer;

  beforeAll(async () => {
    app = await startTestApp();
    boot = await fs.readFile(path.join(REPO_ROOT, 'examples/0000-ankle-boot.png'));
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  const cases: [string, Record<string, string>, number, string, RegExp][] = [
    [
      'an unknown model',
      { model: 'nope' },
      404,
      'MODEL_NOT_FOUND',
      /model "nope" is not in the model repository; available: .*fashion-mnist/,
    ],
    [
      'an unknown layer, listing the valid ones',
      { layer: 'conv99' },
      404,
      'LAYER_NOT_FOUND',
      /parameter "layer": expected a value or node name of the model, got "conv99"; valid layers: .*features/,
    ],
    [
      'a layer without spatial extent',
      { layer: '/model/GlobalAveragePool_output_0' },
      422,
      'LAYER_NOT_SPATIAL',
      /expected the output of a layer of the model with spatial extent .* got "\/model\/GlobalAveragePool_output_0" of shape \[1, \d+, 1, 1\]; valid layers: .*features/,
    ],
    [
      'a class index out of range',
      { target: '10' },
      404,
      'CLASS_NOT_FOUND',
      /parameter "target": expected a class index from 0 to 9, a label, top1 or topk:N, got "10"/,
    ],
    [
      'an unknown label, quoting the labels',
      { target: 'Hat' },
      404,
      'LABEL_NOT_FOUND',
      /\("T-shirt\/top", "Trouser", .*, "Ankle boot"\), got "Hat"$/,
    ],
    [
      'a label near one of the model, suggesting it',
      { target: 'sneakers' },
      404,
      'LABEL_NOT_FOUND',
      /, got "sneakers"; did you mean "Sneaker"\?$/,
    ],
    [
      'an unknown method in another case, listing the methods',
      { method: 'GradCam2' },
      400,
      'INVALID_PARAMETER',
      /^parameter "method" must be one of cam, gradcam, .*; received "GradCam2"$/,
    ],
    [
      'an unknown boolean word',
      { async: 'Maybe' },
      400,
      'INVALID_PARAMETER',
      /^parameter "async" must be one of true, false, 1, 0, yes, no; received "Maybe"$/,
    ],
    [
      'cam on a layer not followed by global pooling then a linear layer',
      { method: 'cam', layer: '/model/MaxPool_output_0' },
      422,
      'CAM_NOT_APPLICABLE',
      /cam needs the layer to be followed by global average pooling then one linear layer/,
    ],
    [
      'an unknown method',
      { method: 'magic' },
      400,
      'INVALID_PARAMETER',
      /parameter "method" must be one of cam, gradcam/,
    ],
    [
      'topk:0',
      { target: 'topk:0' },
      400,
      'INVALID_PARAMETER',
      /topk:N with N an integer from 1 to 10/,
    ],
    [
      'alpha above 1',
      { alpha: '2' },
      400,
      'INVALID_PARAMETER',
      /parameter "alpha" must be a number from 0 to 1/,
    ],
    [
      'an unknown colormap',
      { colormap: 'rainbow' },
      400,
      'INVALID_PARAMETER',
      /one of jet, turbo, viridis, inferno, magma, gray/,
    ],
    [
      'an unknown layer with an input-gradient method',
      { method: 'saliency', layer: 'conv99' },
      404,
      'LAYER_NOT_FOUND',
      /got "conv99"; valid layers: .*features/,
    ],
    [
      'a layer with a method that does not read one',
      { method: 'saliency', layer: 'features' },
      400,
      'INVALID_PARAMETER',
      /parameter "layer" does not apply to method saliency: expected it only with cam, .*guided-gradcam; received "features"/,
    ],
    [
      'aug_smooth with an input-gradient method',
      { method: 'integrated-gradients', aug_smooth: 'true' },
      400,
      'INVALID_PARAMETER',
      /parameter "aug_smooth" does not apply to method integrated-gradients: expected it only with cam, gradcam/,
    ],
    [
      'eigen_smooth with an input-gradient method',
      { method: 'smoothgrad', eigen_smooth: 'yes' },
      400,
      'INVALID_PARAMETER',
      /parameter "eigen_smooth" does not apply to method smoothgrad/,
    ],
    [
      'an unknown parameter (a typo of layer)',
      { layr: 'features' },
      400,
      'INVALID_PARAMETER',
      /unknown parameter "layr": expected parameters of this endpoint \(.*layer.*\)/,
    ],
    [
      'aug_smooth with guided-gradcam, which takes a layer but no smoothing',
      { method: 'guided-gradcam', aug_smooth: '1' },
      400,
      'INVALID_PARAMETER',
      /parameter "aug_smooth" does not apply to method guided-gradcam/,
    ],
    ...optionRules,
    [
      'an empty item in a target list, as an empty list',
      { target: '9,,1' },
      400,
      'INVALID_PARAMETER',
      /parameter "target" must be .* without empty items; received "9,,1"/,
    ],
    [
      'a target list of empty items',
      { target: ',' },
      400,
      'INVALID_PARAMETER',
      /parameter "target" must be .* without empty items; received ","/,
    ],
  ];

  it('should refuse a method given in the query and, differently, as a form field', async () => {
    const response = await postImages(app, '/v1/explain?method=gradcam', [boot], {
      method: 'scorecam',
    }).expect(400);

    expect(response.body.error.code).toBe('INVALID_PARAMETER');
    expect(response.body.error.message).toMatch(/"method" must be a single value/);
  });

  it('should keep the default method of /cam when none is given, and let a form field choose', async () => {
    const byDefault = await postImages(app, '/cam?output=tensor&format=json', [boot]).expect(200);
    const chosen = await postImages(app, '/cam?output=tensor&format=json', [boot], {
      method: 'gradcam',
    }).expect(200);

    expect(byDefault.body.method).toBe('cam');
    expect(chosen.body.method).toBe('gradcam');
  });

  it.each(optionRules)(
    '%s with async=true should be refused at once, not accepted as a job that fails',
    async (_, fields, status, code, message) => {
      const response = await postImages(app, '/v1/explain', [boot], {
        ...fields,
        async: 'true',
      });

      expect(response.status).toBe(status);
      expect(response.headers.location).toBeUndefined();
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toMatch(message);
    },
  );

  it('a job that fails names itself: X-Cnn-Lens-Job-Id, whose status holds the same error', async () => {
    const response = await postImages(app, '/v1/explain', [boot], { layer: 'conv99' }).expect(404);

    const jobId = response.headers['x-cnn-lens-job-id'];
    expect(typeof jobId).toBe('string');
    const status = await request(app.getHttpServer())
      .get(`/v1/jobs/${String(jobId)}`)
      .expect(200);
    expect(status.body).toMatchObject({
      state: 'failed',
      error: { code: 'LAYER_NOT_FOUND', message: response.body.error.message },
    });
  });

  it('a request refused before any job has no job id', async () => {
    const response = await postImages(app, '/v1/explain', [boot], { method: 'magic' }).expect(400);

    expect(response.headers['x-cnn-lens-job-id']).toBeUndefined();
  });

  it.each(cases)('%s should answer %s %s', async (_, fields, status, code, message) => {
    const response = await postImages(app, '/v1/explain', [boot], fields).expect(status);

    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toMatch(message);
  });

  it.each([
    ['saliency', { aug_smooth: 'false', eigen_smooth: 'no' }],
    ['guided-gradcam', { layer: 'features' }],
    ['eigencam', { eigen_smooth: 'true', aug_smooth: 'true' }],
  ])('%s should accept %j', async (method, fields) => {
    await postImages(app, '/v1/explain?output=tensor&format=json', [boot], {
      method,
      ...fields,
    }).expect(200);
  });

  it.each([
    ['alpha=%2B0.5', 'alpha', 'a number from 0 to 1', '+0.5'],
    ['alpha=%200.5', 'alpha', 'a number from 0 to 1', ' 0.5'],
    ['alpha=.5', 'alpha', 'a number from 0 to 1', '.5'],
    ['method=integrated-gradients&steps=%205%20', 'steps', 'an integer from 1 to 512', ' 5 '],
    ['method=smoothgrad&samples=%2B4', 'samples', 'an integer from 1 to 256', '+4'],
  ])(
    '%s in the URL should be refused, saying how the number is written',
    async (query, name, range, received) => {
      const response = await postImages(app, `/v1/explain?${query}`, [boot]).expect(400);
      const written =
        name === 'alpha'
          ? 'with an optional fraction such as 0.25 (no sign, blanks or exponent)'
          : 'only (no sign, blanks, point or exponent)';

      expect(response.body.error.code).toBe('INVALID_PARAMETER');
      expect(response.body.error.message).toBe(
        `parameter "${name}" must be ${range}, written as decimal digits ${written}; received ${JSON.stringify(received)}`,
      );
    },
  );

  it('should quote only the head of an oversized layer field, with its length', async () => {
    const response = await postImages(app, '/v1/explain', [boot], {
      layer: 'L'.repeat(60_000),
    }).expect(400);

    expect(response.body.error.message).toBe(
      `parameter "layer" must be an ONNX value or node name of at most 200 characters; received "${'L'.repeat(100)}"… (60000 characters)`,
    );
  });

  it('an unescaped method=gradcam++ in the URL (read as "gradcam  ") should say to write %2B', async () => {
    const response = await postImages(app, '/v1/explain?method=gradcam++', [boot]).expect(400);

    expect(response.body.error.code).toBe('INVALID_PARAMETER');
    expect(response.body.error.message).toMatch(
      /\(a "\+" in a URL is read as a space: write method=gradcam%2B%2B\); received "gradcam {2}"$/,
    );
  });

  it.each([
    ['gradcam%2B%2B with its options', '/v1/explain?method=gradcam%2B%2B&output=tensor&format=npy'],
    ['smoothgrad with its options', '/v1/explain?method=smoothgrad&samples=2&sigma=0.1&seed=4'],
    ['heatmap with a colormap', '/gradcam?output=heatmap&colormap=gray&format=json'],
  ])('%s should be accepted', async (_, url) => {
    await postImages(app, url, [boot]).expect(200);
  });

  it('should take the fixed words of the parameters in any case and report them in lower case', async () => {
    const response = await postImages(
      app,
      '/v1/explain?method=HiResCAM&output=Tensor&format=JSON&resolution=LAYER&score=Probability',
      [boot],
      { aug_smooth: 'FALSE', eigen_smooth: 'No', async: 'False' },
    ).expect(200);

    expect(response.body).toMatchObject({ method: 'hirescam', score_kind: 'probability' });
    expect(response.body.tensor.shape).toEqual([14, 14]); // resolution=layer, not the 28x28 image
  });

  it('should report a method given in capitals in lower case in the headers of a PNG answer', async () => {
    const response = await postImages(app, '/gradcam?method=GRADCAM%2B%2B&colormap=Viridis', [
      boot,
    ]).expect(200);

    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['x-cnn-lens-method']).toBe('gradcam++');
  });

  it('async=TRUE should answer 202 as async=true does', async () => {
    const response = await postImages(app, '/gradcam?async=TRUE', [boot]).expect(202);

    expect(response.headers.location).toMatch(/^\/v1\/jobs\//);
  });

  it('a request without an image should answer 400 IMAGE_MISSING', async () => {
    const response = await request(app.getHttpServer())
      .post('/gradcam')
      .field('method', 'gradcam')
      .expect(400);

    expect(response.body.error.code).toBe('IMAGE_MISSING');
    expect(response.body.error.message).toMatch(/no image in the request/);
  });
});

/**
 * A model with an operator that has no gradient rule (Sin) between the layer
 * and the score, written to a temporary model repository: conv, ReLU
 * (`features`), Sin, global average pooling, linear.
 */
describe('an operator without a gradient rule on the path', () => {
  let app: NestFastifyApplication;
  let repository: string;
  let image: Buffer;

  beforeAll(async () => {
    repository = await fs.mkdtemp(path.join(os.tmpdir(), 'cnn-lens-sine-'));
    const folder = path.join(repository, 'sine');
    await fs.mkdir(folder);
    const model = buildTestModel({
      opset: 13,
      inputs: [{ name: 'input', shape: [1, 1, 8, 8] }],
      initializers: [
        { name: 'w', dims: [2, 1, 3, 3], data: Array.from({ length: 18 }, (_, i) => (i % 5) - 2) },
        { name: 'fc', dims: [3, 2], data: [1, -1, 0.5, 2, -1, 1] },
        { name: 'bias', dims: [3], data: [0, 0, 0] },
      ],
      nodes: [
        {
          op: 'Conv',
          inputs: ['input', 'w'],
          outputs: ['conv'],
          attributes: { pads: { kind: 'ints', value: [1, 1, 1, 1] } },
        },
        { op: 'Relu', inputs: ['conv'], outputs: ['features'] },
        { op: 'Sin', inputs: ['features'], outputs: ['wave'], name: 'head/wave' },
        ...poolingClassifierHead('wave'),
      ],
      outputs: ['logits'],
    });
    await fs.writeFile(path.join(folder, 'model.onnx'), encodeModel(model));
    await fs.writeFile(
      path.join(folder, 'model.json'),
      JSON.stringify({
        name: 'sine',
        input: { name: 'input', layout: 'NCHW', height: 8, width: 8, channels: 1 },
        outputKind: 'logits',
      }),
    );
    image = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    app = await startTestApp({ MODEL_REPOSITORY: repository, DEFAULT_MODEL: 'sine' });
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await fs.rm(repository, { recursive: true, force: true });
  });

  it('gradcam through it should answer 422 UNSUPPORTED_OPERATOR naming the operator and its node', async () => {
    const response = await postImages(app, '/gradcam', [image], { layer: 'features' }).expect(422);

    expect(response.body.error.code).toBe('UNSUPPORTED_OPERATOR');
    expect(response.body.error.message).toBe(
      'Operator Sin (node "head/wave") lies between the target and the output, and cnn-lens has no gradient rule for it',
    );
  });

  it('a layer after it should still be explained', async () => {
    await postImages(app, '/gradcam?output=tensor&format=json', [image], { layer: 'wave' }).expect(
      200,
    );
  });
});
