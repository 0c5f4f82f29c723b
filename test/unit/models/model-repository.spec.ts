import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as ort from 'onnxruntime-node';
import pino from 'pino';

import { ConfigurationError } from '../../../src/errors/configuration.error';
import { ModelRepository } from '../../../src/models/model-repository';
import { SessionFactory, type SessionOpener } from '../../../src/runtime/session-factory';
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
    expect(descriptor.input).toMatchObject({ layout: 'NCHW', height: 28, width: 28, channels: 1 });
    expect(descriptor.labels).toHaveLength(10);
    expect(descriptor.labels[9]).toBe('Ankle boot');
    expect(descriptor.executionProvider).toBe('cpu');
  });

  it('should infer the input from the ONNX model when there is no model.json', async () => {
    const repository = await repositoryWith({ plain: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) } });

    const { descriptor } = repository.get('plain');
    expect(descriptor.specSource).toBe('inferred');
    expect(descriptor.input).toMatchObject({ name: 'input', layout: 'NCHW', height: 28, width: 28, channels: 1, scale: 1 / 255 });
    expect(descriptor.labels).toEqual(Array.from({ length: 10 }, (_, i) => `class ${i}`));
  });

  it('should report a file that is not ONNX and keep serving the other models', async () => {
    const repository = await repositoryWith({
      good: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) },
      text: { 'model.onnx': 'this is not a protobuf' },
    });

    expect(repository.get('good').status).toBe('ready');
    expect(repository.entry('text')).toMatchObject({ status: 'unavailable', code: 'MODEL_NOT_ONNX' });
    expect(() => repository.get('text')).toThrow(expect.objectContaining({ code: 'MODEL_UNAVAILABLE' }));
  });

  it('should report a folder without model.onnx', async () => {
    const repository = await repositoryWith({ empty: { 'model.json': '{}' } });

    const entry = repository.entry('empty');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_FILE_MISSING' });
    expect(entry.status === 'unavailable' && entry.reason).toContain('model.onnx does not exist');
  });

  it('should report a model whose external data file is missing', async () => {
    const repository = await repositoryWith({ external: { 'model.onnx': await read(path.join(EXTERNAL, 'model.onnx')) } });

    expect(repository.entry('external')).toMatchObject({ status: 'unavailable', code: 'MODEL_EXTERNAL_DATA_MISSING' });
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
    ['an unknown layout', JSON.stringify({ input: { height: 28, width: 28, channels: 1, layout: 'CHW' } }), 'input.layout'],
    ['a wrong input name', JSON.stringify({ input: { name: 'pixels', height: 28, width: 28, channels: 1 } }), 'input.name "pixels" is not an input'],
    ['mean of the wrong length', JSON.stringify({ input: { height: 28, width: 28, channels: 1, mean: [0, 0] } }), 'input.mean must have 1 or 1 values'],
    ['a missing labels file', JSON.stringify({ input: { height: 28, width: 28, channels: 1 }, labels: 'nope.txt' }), 'nope.txt named in model.json does not exist'],
  ])('should report a model.json with %s', async (_case, json, message) => {
    const repository = await repositoryWith({
      bad: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')), 'model.json': json },
    });

    const entry = repository.entry('bad');
    expect(entry.status).toBe('unavailable');
    expect(entry.status === 'unavailable' && entry.reason).toContain(message);
  });

  it('should see that a model ending in Softmax outputs probabilities', async () => {
    const softmaxNet = path.join(ROOT, 'test/fixtures/nets/softmax-ending/model.onnx');
    const repository = await repositoryWith({ soft: { 'model.onnx': await read(softmaxNet) } });

    expect(repository.get('soft').descriptor.outputKind).toBe('probabilities');
    expect(repository.get('soft').descriptor.layers.length).toBeGreaterThan(0);
  });

  it('should choose the last spatial layer before global pooling as the default layer', async () => {
    const repository = await repositoryWith({ plain: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) } });

    const { descriptor } = repository.get('plain');
    const chosen = descriptor.layers.find((layer) => layer.value === descriptor.defaultLayer);
    expect(chosen).toBeDefined();
    const spatial = descriptor.layers.filter((layer) => (layer.shape[2] ?? 0) > 1);
    expect(chosen).toEqual(spatial[spatial.length - 1]);
  });

  it('should report a model.json whose defaultLayer is not a layer of the model', async () => {
    const json = JSON.stringify({ input: { height: 28, width: 28, channels: 1 }, defaultLayer: 'nowhere' });
    const repository = await repositoryWith({ bad: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')), 'model.json': json } });

    const entry = repository.entry('bad');
    expect(entry).toMatchObject({ status: 'unavailable', code: 'MODEL_SPEC_INVALID' });
    expect(entry.status === 'unavailable' && entry.reason).toContain('"nowhere"');
  });

  it('should answer MODEL_NOT_FOUND listing the available models', async () => {
    const repository = await repositoryWith({ good: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) } });

    expect(() => repository.get('resnet')).toThrow('model "resnet" is not in the model repository; available: good');
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

  it('logs a warning and describes the fallback when CUDA is asked for and missing', async () => {
    const { lines, logger } = capturingLogger();
    const factory = new SessionFactory(
      { executionProviders: ['cuda', 'cpu'], cudaDeviceId: 0, intraOpThreads: 1 },
      noGpu,
    );

    const repository = await repositoryWith(
      { plain: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) } },
      factory,
      logger,
    );

    const reason = 'cuda unavailable: CUDA failure 100: no CUDA-capable device is detected';
    expect(lines.filter((line) => line.level === 40)).toEqual([
      expect.objectContaining({
        msg: 'execution provider fell back to cpu',
        model: 'plain',
        requested: ['cuda', 'cpu'],
        reason,
      }),
    ]);
    expect(repository.get('plain').descriptor).toMatchObject({
      executionProvider: 'cpu',
      requestedExecutionProviders: ['cuda', 'cpu'],
      executionProviderFallback: reason,
    });
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
      repositoryWith({ plain: { 'model.onnx': await read(path.join(BUNDLED, 'model.onnx')) } }, factory),
    );

    expect(error.message).toContain('ORT_EXECUTION_PROVIDERS="cuda" is invalid');
  });
});
