import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as ort from 'onnxruntime-node';
import pino from 'pino';

import { ConfigurationError } from '../../../src/errors/configuration.error';
import { checkDefaultModel } from '../../../src/models/default-model.check';
import { ModelRepository } from '../../../src/models/model-repository';
import { encodeModel } from '../../../src/onnx/onnx.codec';
import { DataType } from '../../../src/onnx/onnx.types';
import { SessionFactory, type SessionOpener } from '../../../src/runtime/session-factory';
import { buildTestModel } from '../../support/onnx-test-model.builder';
import { silentLogger } from '../../support/silent-logger';

const ROOT = path.resolve(__dirname, '../../..');
const BUNDLED = path.join(ROOT, 'models/fashion-mnist');
const EXTERNAL = path.join(ROOT, 'test/fixtures/models/external-data');

const sessions = new SessionFactory({
  executionProviders: ['cpu'],
  cudaDeviceId: 0,
  intraOpThreads: 1,
});

/** A logger whose JSON lines are kept, to read what was logged. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { lines, logger };
}

/** Stands in for onnxruntime on a machine without a GPU: CUDA fails, the CPU opens the model. */
const noGpu: SessionOpener = (model, options) => {
  const asksCuda = (options.executionProviders ?? []).some(
    (provider) => typeof provider === 'object' && provider.name === 'cuda',
  );
  return asksCuda
    ? Promise.reject(new Error('CUDA failure 100: no CUDA-capable device is detected'))
    : ort.InferenceSession.create(model as string, { executionProviders: ['cpu'] });
};

async function configurationError(work: Promise<unknown>): Promise<ConfigurationError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a ConfigurationError, nothing was thrown');
}

async function repositoryWith(
  layout: Record<string, Record<string, string | Buffer>>,
  factory: SessionFactory = sessions,
  logger: pino.Logger = silentLogger,
): Promise<ModelRepository> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'cnn-lens-models-'));
  for (const [model, files] of Object.entries(layout)) {
    await fs.mkdir(path.join(root, model), { recursive: true });
    for (const [file, content] of Object.entries(files)) {
      await fs.writeFile(path.join(root, model, file), content);
    }
  }
  const repository = new ModelRepository(root, factory, logger);
  await repository.loadAll();
  return repository;
}

const read = (file: string) => fs.readFile(file);

describe('ModelRepository', () => {
  it('should load the bundled model with its model.json and labels', async () => {
    const repository = await repositoryWith({
      'fashion-mnist': {
        'model.onnx': await read(path.join(BUNDLED, 'model.onnx')),
        'model.json': await fs.readFile(path.join(BUNDLED, 'model.json'), 'utf8'),
        'labels.txt': await fs.readFile(path.join(BUNDLED, 'labels.txt'), 'utf8'),
      },
    });

    const { descriptor } = repository.get('fashion-mnist');
    expect(descriptor.specSource).toBe('model.json');
    expect(descriptor.input).toMatchObject({
      layout: 'NCHW',
      height: 28,
      width: 28,
      channels: 1,
      background: 'black',
    });
    expect(descriptor.labels).toHaveLength(10);
    expect(descriptor.labels[9]).toBe('Ankle boot');
    expect(descriptor.executionProvider).toBe('cpu');
  });

  it('should infer the input from the ONNX model when there is no model.json', async () => {
    const repository = await repositoryWith({
      plain: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) },
    });

    const { descriptor } = repository.get('plain');
    expect(descriptor.specSource).toBe('inferred');
    expect(descriptor.input).toMatchObject({
      name: 'input',
      layout: 'NCHW',
      height: 28,
      width: 28,
      channels: 1,
      scale: 1 / 255,
      background: 'white',
    });
    expect(descriptor.labels).toEqual(Array.from({ length: 10 }, (_, i) => `class ${i}`));
  });

  it('should report a file that is not ONNX and keep serving the other models', async () => {
    const repository = await repositoryWith({
      good: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) },
      text: { 'model.onnx': 'this is not a protobuf' },
    });

    expect(repository.get('good').status).toBe('ready');
    const text = repository.entry('text');
    expect(text).toMatchObject({ status: 'unavailable', code: 'MODEL_NOT_ONNX' });
    expect(text.status === 'unavailable' && text.reason).toMatch(
      /^text\/model\.onnx is not a loadable ONNX model: /,
    );
    expect(text.status === 'unavailable' && text.reason).not.toContain(path.sep + 'text');
    expect(() => repository.get('text')).toThrow(
      expect.objectContaining({ code: 'MODEL_UNAVAILABLE' }),
    );
  });

  it('should report a folder without model.onnx', async () => {
    const repository = await repositoryWith({ empty: { 'model.json': '{}' } });

    const entry = repository.entry('empty');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_FILE_MISSING' });
    // the path as seen from the repository: the server's own folders stay out of answers
    expect(entry.status === 'unavailable' && entry.reason).toBe('empty/model.onnx does not exist');
  });

  it('should report a model whose external data file is missing', async () => {
    const repository = await repositoryWith({
      external: { 'model.onnx': await read(path.join(EXTERNAL, 'model.onnx')) },
    });

    expect(repository.entry('external')).toMatchObject({
      status: 'unavailable',
      code: 'MODEL_EXTERNAL_DATA_MISSING',
    });
  });

  it('should load a model whose weights sit in an external data file', async () => {
    const files: Record<string, Buffer> = {};
    for (const file of await fs.readdir(EXTERNAL)) {
      if (!file.endsWith('.npy') && !file.endsWith('.json') && !file.endsWith('.md')) {
        files[file] = await read(path.join(EXTERNAL, file));
      }
    }
    const repository = await repositoryWith({ external: files });

    expect(repository.get('external').status).toBe('ready');
  });

  it.each([
    ['not JSON', '{ nope', 'is not valid JSON'],
    [
      'an unknown layout',
      JSON.stringify({ input: { height: 28, width: 28, channels: 1, layout: 'CHW' } }),
      'input.layout',
    ],
    [
      'a wrong input name',
      JSON.stringify({ input: { name: 'pixels', height: 28, width: 28, channels: 1 } }),
      'input.name "pixels" is not an input',
    ],
    [
      'mean of the wrong length',
      JSON.stringify({ input: { height: 28, width: 28, channels: 1, mean: [0, 0] } }),
      'input.mean must have 1 or 1 values',
    ],
    [
      'a missing labels file',
      JSON.stringify({ input: { height: 28, width: 28, channels: 1 }, labels: 'nope.txt' }),
      'nope.txt named in model.json does not exist',
    ],
  ])('should report a model.json with %s', async (_case, json, message) => {
    const repository = await repositoryWith({
      bad: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')), 'model.json': json },
    });

    const entry = repository.entry('bad');
    expect(entry.status).toBe('unavailable');
    expect(entry.status === 'unavailable' && entry.reason).toContain(message);
  });

  it('should report a model.json whose input.background is not a colour it takes, and serve the others', async () => {
    const json = JSON.stringify({
      input: { height: 28, width: 28, channels: 1, background: 'blue' },
    });
    const repository = await repositoryWith({
      bad: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')), 'model.json': json },
      good: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) },
    });

    const entry = repository.entry('bad');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_SPEC_INVALID' });
    expect(entry.status === 'unavailable' && entry.reason).toContain(
      'input.background: expected "white", "black" or a "#rrggbb" hex colour, got "blue"',
    );
    expect(() => repository.get('bad')).toThrow(
      expect.objectContaining({ code: 'MODEL_UNAVAILABLE' }),
    );
    expect(repository.get('good').status).toBe('ready');
  });

  it('should refuse a model.json whose labels do not match the output classes, naming both counts', async () => {
    const json = JSON.stringify({
      input: { height: 28, width: 28, channels: 1 },
      labels: ['T-shirt', 'Trouser', 'Pullover'],
    });
    const repository = await repositoryWith({
      bad: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')), 'model.json': json },
      good: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) },
    });

    const entry = repository.entry('bad');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_SPEC_INVALID' });
    expect(entry.status === 'unavailable' && entry.reason).toContain(
      `labels has 3 entries, but the model's output "logits" has 10 classes`,
    );
    expect(() => repository.get('bad')).toThrow(
      expect.objectContaining({ code: 'MODEL_UNAVAILABLE' }),
    );
    expect(repository.get('good').status).toBe('ready');
  });

  it('should count a labels file against the output classes too', async () => {
    const json = JSON.stringify({
      input: { height: 28, width: 28, channels: 1 },
      labels: 'labels.txt',
    });
    const labels = Array.from({ length: 11 }, (_, i) => `label ${i}`).join('\n');
    const repository = await repositoryWith({
      bad: {
        'model.onnx': await read(path.join(BUNDLED, 'model.onnx')),
        'model.json': json,
        'labels.txt': labels,
      },
    });

    const entry = repository.entry('bad');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_SPEC_INVALID' });
    expect(entry.status === 'unavailable' && entry.reason).toContain('labels has 11 entries');
  });

  it('should refuse a model.json input that does not fit the ONNX input as MODEL_SPEC_INVALID, naming the mismatch', async () => {
    const json = JSON.stringify({ input: { height: 32, width: 32, channels: 3 } });
    const repository = await repositoryWith({
      bad: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')), 'model.json': json },
    });

    const entry = repository.entry('bad');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_SPEC_INVALID' });
    const reason = entry.status === 'unavailable' ? entry.reason : '';
    expect(reason).toContain('input gives the tensor [1, 3, 32, 32] (NCHW)');
    expect(reason).toMatch(/the model's input "input" has shape \[[^,]+, 1, 28, 28\]/);
    expect(reason).toContain(
      'input.channels 3 where the model has 1, input.height 32 where the model has 28, input.width 32 where the model has 28',
    );
  });

  it('should read an NHWC layout against the ONNX input in that layout', async () => {
    const json = JSON.stringify({ input: { layout: 'NHWC', height: 28, width: 28, channels: 1 } });
    const repository = await repositoryWith({
      bad: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')), 'model.json': json },
    });

    const entry = repository.entry('bad');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_SPEC_INVALID' });
    expect(entry.status === 'unavailable' && entry.reason).toContain(
      'input.height 28 where the model has 1, input.channels 1 where the model has 28',
    );
  });

  it('should refuse a model.json size that the model, symbolic in height and width, cannot run at', async () => {
    // Any height and width by its input; only 28x28 by the Reshape that follows.
    const onnx = buildTestModel({
      inputs: [{ name: 'input', shape: [-1, 1, -1, -1] }],
      initializers: [{ name: 'flat', dims: [2], data: BigInt64Array.from([1n, 784n]) }],
      nodes: [{ op: 'Reshape', inputs: ['input', 'flat'], outputs: ['logits'] }],
      outputs: [{ name: 'logits', shape: [1, 784], type: DataType.FLOAT }],
    });
    const json = JSON.stringify({ input: { height: 32, width: 32, channels: 1 } });
    const repository = await repositoryWith({
      reshaped: { 'model.onnx': Buffer.from(encodeModel(onnx)), 'model.json': json },
    });

    const entry = repository.entry('reshaped');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_SPEC_INVALID' });
    expect(entry.status === 'unavailable' && entry.reason).toContain(
      'the model does not run on the input tensor [1, 1, 32, 32] (NCHW, as model.json describes it): ',
    );
  });

  it('should see that a model ending in Softmax outputs probabilities', async () => {
    const softmaxNet = path.join(ROOT, 'test/fixtures/nets/softmax-ending/model.onnx');
    const repository = await repositoryWith({ soft: { 'model.onnx': await read(softmaxNet) } });

    expect(repository.get('soft').descriptor.outputKind).toBe('probabilities');
    expect(repository.get('soft').descriptor.layers.length).toBeGreaterThan(0);
  });

  it('should choose the last spatial layer before global pooling as the default layer', async () => {
    const repository = await repositoryWith({
      plain: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) },
    });

    const { descriptor } = repository.get('plain');
    const chosen = descriptor.layers.find((layer) => layer.value === descriptor.defaultLayer);
    expect(chosen).toBeDefined();
    const spatial = descriptor.layers.filter((layer) => (layer.shape[2] ?? 0) > 1);
    expect(chosen).toEqual(spatial[spatial.length - 1]);
  });

  it('should report a model.json whose defaultLayer is not a layer of the model', async () => {
    const json = JSON.stringify({
      input: { height: 28, width: 28, channels: 1 },
      defaultLayer: 'nowhere',
    });
    const repository = await repositoryWith({
      bad: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')), 'model.json': json },
    });

    const entry = repository.entry('bad');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_SPEC_INVALID' });
    expect(entry.status === 'unavailable' && entry.reason).toContain('"nowhere"');
  });

  it('should answer MODEL_NOT_FOUND listing the available models', async () => {
    const repository = await repositoryWith({
      good: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) },
    });

    expect(() => repository.get('resnet')).toThrow(
      'model "resnet" is not in the model repository; available: good',
    );
  });

  it('stops the start with INVALID_CONFIGURATION naming MODEL_REPOSITORY and the path when the folder is missing', async () => {
    const missing = path.join(os.tmpdir(), 'cnn-lens-no-such-repository');
    const repository = new ModelRepository(missing, sessions, silentLogger);

    const error = await configurationError(repository.loadAll());

    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.problems).toEqual([
      expect.objectContaining({ variable: 'MODEL_REPOSITORY', received: missing }),
    ]);
    expect(error.message).toContain(`MODEL_REPOSITORY="${missing}" is invalid`);
    expect(error.message).toContain('a readable folder of models');
    expect(error.message).toContain('ENOENT');
  });

  it('stops the start when MODEL_REPOSITORY names a file, not a folder', async () => {
    const file = path.join(BUNDLED, 'model.json');

    const error = await configurationError(
      new ModelRepository(file, sessions, silentLogger).loadAll(),
    );

    expect(error.message).toContain(`MODEL_REPOSITORY="${file}" is invalid`);
    expect(error.message).toContain('ENOTDIR');
  });

  it('tries CUDA once for the whole repository and logs the fallback once, naming the models', async () => {
    const { lines, logger } = capturingLogger();
    const cudaTries: string[] = [];
    const counting: SessionOpener = (model, options) => {
      if (
        (options.executionProviders ?? []).some((p) => typeof p === 'object' && p.name === 'cuda')
      ) {
        cudaTries.push(String(model));
      }
      return noGpu(model, options);
    };
    const factory = new SessionFactory(
      { executionProviders: ['cuda', 'cpu'], cudaDeviceId: 0, intraOpThreads: 1 },
      counting,
    );
    const model = await read(path.join(BUNDLED, 'model.onnx'));

    const repository = await repositoryWith(
      {
        first: { 'model.onnx': model },
        second: { 'model.onnx': model },
        third: { 'model.onnx': model },
      },
      factory,
      logger,
    );

    const reason = 'cuda unavailable: CUDA failure 100: no CUDA-capable device is detected';
    expect(cudaTries).toHaveLength(1);
    expect(lines.filter((line) => line.level === 40)).toEqual([
      expect.objectContaining({
        msg: 'execution provider fell back to cpu',
        requested: ['cuda', 'cpu'],
        reason,
        models: ['first', 'second', 'third'],
      }),
    ]);
    for (const name of ['first', 'second', 'third']) {
      expect(repository.get(name).descriptor).toMatchObject({
        executionProvider: 'cpu',
        requestedExecutionProviders: ['cuda', 'cpu'],
        executionProviderFallback: reason,
      });
    }
  });

  it('logs no provider warning when the CPU was the only provider asked for', async () => {
    const { lines, logger } = capturingLogger();

    const repository = await repositoryWith(
      { plain: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) } },
      sessions,
      logger,
    );

    expect(lines.filter((line) => line.level === 40)).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'model loaded', provider: 'cpu' }));
    expect(repository.get('plain').descriptor.executionProviderFallback).toBeUndefined();
  });

  it('stops the start when only cuda is asked for and it cannot start', async () => {
    const factory = new SessionFactory(
      { executionProviders: ['cuda'], cudaDeviceId: 0, intraOpThreads: 1 },
      noGpu,
    );

    const error = await configurationError(
      repositoryWith(
        { plain: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) } },
        factory,
      ),
    );

    expect(error.message).toContain('ORT_EXECUTION_PROVIDERS="cuda" is invalid');
  });
});

describe('checkDefaultModel', () => {
  it('stops the start naming DEFAULT_MODEL and listing the models when it is not a folder of the repository', async () => {
    const model = await read(path.join(BUNDLED, 'model.onnx'));
    const repository = await repositoryWith({
      alpha: { 'model.onnx': model },
      beta: { 'model.onnx': model },
    });

    let error: unknown;
    try {
      checkDefaultModel(repository, 'nope');
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      expect.objectContaining({ variable: 'DEFAULT_MODEL', received: 'nope' }),
    ]);
    expect((error as Error).message).toBe(
      `DEFAULT_MODEL="nope" is invalid: expected one of the models of MODEL_REPOSITORY (${repository.root}): alpha, beta`,
    );
  });

  it('says the repository holds no model when it is empty', async () => {
    const repository = await repositoryWith({});

    expect(() => checkDefaultModel(repository, 'fashion-mnist')).toThrow(
      `DEFAULT_MODEL="fashion-mnist" is invalid: expected one of the models of MODEL_REPOSITORY (${repository.root}), which holds none`,
    );
  });

  it('accepts a default model that is in the repository but failed to load: that stays MODEL_UNAVAILABLE', async () => {
    const repository = await repositoryWith({ broken: { 'model.onnx': 'not a protobuf' } });

    expect(() => checkDefaultModel(repository, 'broken')).not.toThrow();
    expect(() => repository.get('broken')).toThrow(
      expect.objectContaining({ code: 'MODEL_UNAVAILABLE' }),
    );
  });
});
