import { histogramAnswer, type HistogramRequest } from '../../../src/visualize/histogram.view';
import {
  buildTestModel,
  type TestInitializer,
  type TestNode,
} from '../../support/onnx-test-model.builder';

interface Body {
  readonly layersTotal: number;
  readonly omittedLayers: string[];
  readonly omittedNote?: string;
  readonly layers: { readonly index: number; readonly layer: string }[];
}

/** Ten 1x1 convolutions in a chain, conv0 .. conv9, weights of 1..10 values. */
const model = (() => {
  const initializers: TestInitializer[] = [];
  const nodes: TestNode[] = [];
  for (let i = 0; i < 10; i++) {
    initializers.push({ name: `w${i}`, dims: [1, 1, 1, 1], data: [i / 10] });
    nodes.push({
      op: 'Conv',
      name: `conv${i}`,
      inputs: [i === 0 ? 'x' : `y${i - 1}`, `w${i}`],
      outputs: [`y${i}`],
    });
  }
  return buildTestModel({
    inputs: [{ name: 'x', shape: [1, 1, 2, 2] }],
    initializers,
    nodes,
    outputs: ['y9'],
  });
})();

const request: HistogramRequest = {
  model: 'chain',
  layers: [],
  bins: 4,
  batchNorm: 'separate',
  format: 'json',
};

async function answer(
  overrides: Partial<HistogramRequest>,
): Promise<{ body: Body; bytes: number }> {
  const result = await histogramAnswer(model, { ...request, ...overrides });
  if (result.type !== 'json') {
    throw new Error('expected a JSON answer');
  }
  return { body: result.body as Body, bytes: Buffer.byteLength(JSON.stringify(result.body)) };
}

describe('histogramAnswer (JSON)', () => {
  it('lists every layer with its index and nothing omitted when the answer fits', async () => {
    const { body } = await answer({ answerLimit: { bytes: 1e9, setting: 'MAX_RESPONSE_BYTES' } });

    expect(body.layers.map((l) => l.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(body.layersTotal).toBe(10);
    expect(body.omittedLayers).toEqual([]);
    expect(body.omittedNote).toBeUndefined();
  });

  it('keeps the longest run of layers from the first whose answer fits the limit exactly', async () => {
    // an answer cut at some k layers, then limits of exactly its size and one byte less
    const whole = await answer({ answerLimit: { bytes: 1e9, setting: 'MAX_RESPONSE_BYTES' } });
    const cut = await answer({
      answerLimit: { bytes: Math.floor(whole.bytes * 0.7), setting: 'MAX_RESPONSE_BYTES' },
    });
    const k = cut.body.layers.length;
    expect(k).toBeGreaterThan(1);
    expect(k).toBeLessThan(10);
    expect(cut.bytes).toBeLessThanOrEqual(Math.floor(whole.bytes * 0.7));

    const exact = await answer({
      answerLimit: { bytes: cut.bytes, setting: 'MAX_RESPONSE_BYTES' },
    });
    const less = await answer({
      answerLimit: { bytes: cut.bytes - 1, setting: 'GRPC_MAX_MESSAGE_BYTES' },
    });

    expect(exact.body.layers).toHaveLength(k);
    expect(exact.bytes).toBe(cut.bytes);
    expect(less.body.layers).toEqual(whole.body.layers.slice(0, k - 1));
    expect(less.bytes).toBeLessThanOrEqual(cut.bytes - 1);
    expect(less.body.omittedLayers).toEqual(
      Array.from({ length: 10 - k + 1 }, (_, j) => `conv${k - 1 + j}`),
    );
    expect(less.body.omittedNote).toBe(
      `${10 - k + 1} of 10 layers with weights left out: with them the answer would pass its limit of ${cut.bytes - 1} bytes (GRPC_MAX_MESSAGE_BYTES); name them with layers=, or ask for fewer bins`,
    );
  });

  it('answers with no layer, saying why, when not even one fits', async () => {
    const { body } = await answer({ answerLimit: { bytes: 100, setting: 'MAX_RESPONSE_BYTES' } });

    expect(body.layers).toEqual([]);
    expect(body.omittedLayers).toHaveLength(10);
  });

  it('never cuts a named list: its size is left to the answer limit', async () => {
    const { body } = await answer({
      layers: ['conv9', 'conv0', 'conv5'],
      answerLimit: { bytes: 100, setting: 'MAX_RESPONSE_BYTES' },
    });

    expect(body.layers.map((l) => l.layer)).toEqual(['conv9', 'conv0', 'conv5']);
    expect(body.layers.map((l) => l.index)).toEqual([9, 0, 5]);
    expect(body.omittedLayers).toEqual([]);
  });
});
