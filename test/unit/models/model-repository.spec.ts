import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ModelRepository } from '../../../src/models/model-repository';
import { SessionFactory } from '../../../src/runtime/session-factory';
import { silentLogger } from '../../support/silent-logger';

const ROOT = path.resolve(__dirname, '../../..');
const BUNDLED = path.join(ROOT, 'models/fashion-mnist');
const EXTERNAL = path.join(ROOT, 'test/fixtures/models/external-data');

const sessions = new SessionFactory({
  executionProviders: ['cpu'],
  cudaDeviceId: 0,
  cudaMemoryLimitBytes: undefined,
  intraOpThreads: 1,
});

async function repositoryWith(layout: Record<string, Record<string, string | Buffer>>): Promise<ModelRepository> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'cnn-lens-models-'));
  for (const [model, files] of Object.entries(layout)) {
    await fs.mkdir(path.join(root, model), { recursive: true });
    for (const [file, content] of Object.entries(files)) {
      await fs.writeFile(path.join(root, model, file), content);
    }
  }
  const repository = new ModelRepository(root, sessions, silentLogger);
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
});
