/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { differentiate } from '../../../src/onnx/autodiff/differentiate';
import { int, ints } from '../../../src/onnx/autodiff/gradient-rule';
import { DataType, type ModelProto } from '../../../src/onnx/onnx.types';
import { probeValueFacts } from '../../../src/runtime/value-probe';
import { runDifferentiated } from '../../support/augmented-run';
import { expectGradcheck } from '../../support/gradcheck';
import { buildTestModel, type TestNode } from '../../support/onnx-test-model.builder';
import { seededRandom, separatedValues } from '../../support/seeded-random';

const random = seededRandom(5);

function classifier(extra: TestNode[], output: string): ModelProto {
  return buildTestModel({
    opset: 13,
    inputs: [{ name: 'x', shape: [2, 2, 4, 4] }],
    initializers: [
      { name: 'w', dims: [3, 2, 3, 3], data: separatedValues(54, random) },
      { name: 'fc', dims: [4, 3], data: separatedValues(12, random) },
    ],
    nodes: [
      {
        op: 'Conv',
        inputs: ['x', 'w'],
        outputs: ['c'],
        attributes: { pads: ints([1, 1, 1, 1]) },
        name: 'conv',
      },
      { op: 'Relu', inputs: ['c'], outputs: ['r'], name: 'relu' },
      { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['g'] },
      { op: 'Flatten', inputs: ['g'], outputs: ['f'] },
      { op: 'Gemm', inputs: ['f', 'fc'], outputs: ['logits'], attributes: { transB: int(1) } },
      ...extra,
    ],
    outputs: [output],
  });
}

const x = { data: separatedValues(64, random), shape: [2, 2, 4, 4] };

describe('differentiate', () => {
  it('keeps the original outputs first, then the score, activations and gradients', async () => {
    const model = classifier(
      [{ op: 'Softmax', inputs: ['logits'], outputs: ['prob'], attributes: { axis: int(1) } }],
      'prob',
    );
    const facts = await probeValueFacts(model, { x: [2, 2, 4, 4] });
    const augmented = differentiate(model, facts, { targets: ['relu'], includeInput: true });
    const graph = augmented.model.graph!;

    expect(graph.output.map((o) => o.name)).toEqual([
      'prob',
      'logits',
      'r',
      augmented.targets[0].gradientOutput,
      augmented.inputGradientOutput,
    ]);
    expect(augmented.targets[0]).toMatchObject({ value: 'r', activationOutput: 'r' });
    expect(graph.input.at(-1)).toMatchObject({
      name: augmented.upstreamGradientInput,
      type: {
        tensorType: {
          elemType: DataType.FLOAT,
          shape: { dim: [{ dimValue: 2 }, { dimValue: 4 }] },
        },
      },
    });
    expect(augmented.model.opsetImport).toEqual(model.opsetImport);
  });

  it('differentiates the logits under a final Softmax by default, and the probabilities when asked', async () => {
    const model = classifier(
      [
        { op: 'Softmax', inputs: ['logits'], outputs: ['prob'], attributes: { axis: int(1) } },
        { op: 'Identity', inputs: ['prob'], outputs: ['out'] },
      ],
      'out',
    );
    const facts = await probeValueFacts(model, { x: [2, 2, 4, 4] });

    expect(differentiate(model, facts, { targets: ['r'] }).scoreOutput).toBe('logits');
    expect(differentiate(model, facts, { targets: ['r'], score: 'probability' }).scoreOutput).toBe(
      'out',
    );
    await expectGradcheck(model, { wrt: ['x'], inputs: { x: x.data } });
    await expectGradcheck(model, { wrt: ['x'], inputs: { x: x.data }, score: 'probability' });
  });

  it('emits backward nodes only between the target and the output', async () => {
    const model = classifier([], 'logits');
    const facts = await probeValueFacts(model, { x: [2, 2, 4, 4] });
    const augmented = differentiate(model, facts, { targets: ['r'] });

    const added = augmented.model.graph!.node.slice(model.graph!.node.length).map((n) => n.opType);
    expect(added).not.toContain('ConvTranspose');
    expect(added).not.toContain('Relu');
  });

  it('sums the gradients of a value with several consumers (a residual connection)', async () => {
    const model = buildTestModel({
      inputs: [
        { name: 'x', shape: [1, 2, 4, 4] },
        { name: 'w', shape: [2, 2, 3, 3] },
      ],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['a'] },
        {
          op: 'Conv',
          inputs: ['a', 'w'],
          outputs: ['b'],
          attributes: { pads: ints([1, 1, 1, 1]) },
        },
        { op: 'Add', inputs: ['a', 'b'], outputs: ['s'] },
        { op: 'Mul', inputs: ['s', 'a'], outputs: ['y'] },
      ],
      outputs: ['y'],
    });
    await expectGradcheck(model, { wrt: ['x', 'w'] });
  });

  it('needs no gradient for values computed from shapes', async () => {
    const model = buildTestModel({
      inputs: [{ name: 'x', shape: [2, 3, 2, 2] }],
      initializers: [
        { name: 'zero', dims: [1], data: BigInt64Array.from([0n]) },
        { name: 'minus1', dims: [1], data: BigInt64Array.from([-1n]) },
      ],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Shape', inputs: ['r'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attributes: { axis: int(0) } },
        { op: 'Concat', inputs: ['n', 'minus1'], outputs: ['shape'], attributes: { axis: int(0) } },
        { op: 'Reshape', inputs: ['r', 'shape'], outputs: ['y'] },
      ],
      outputs: ['y'],
    });
    await expectGradcheck(model, { wrt: ['x'] });
  });

  it('treats values computed from shapes as constants (Slice starts from Shape / 2, as ShuffleNet exports)', async () => {
    const model = buildTestModel({
      inputs: [{ name: 'x', shape: [1, 4, 2, 2] }],
      initializers: [
        { name: 'one', dims: [1], data: BigInt64Array.from([1n]) },
        { name: 'two', dims: [1], data: BigInt64Array.from([2n]) },
      ],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Shape', inputs: ['r'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'one'], outputs: ['c'], attributes: { axis: int(0) } },
        { op: 'Div', inputs: ['c', 'two'], outputs: ['half'] },
        { op: 'Slice', inputs: ['r', 'half', 'c', 'one'], outputs: ['y'] },
      ],
      outputs: ['y'],
    });
    await expectGradcheck(model, { wrt: ['x'] });
  });

  it('gives the same input gradient through includeInput as through the input named as a target', async () => {
    const model = classifier([], 'logits');
    const viaTarget = await runDifferentiated(model, { x }, { targets: ['x'] }, 1);
    const viaOption = await runDifferentiated(
      model,
      { x },
      { targets: ['r'], includeInput: true },
      1,
    );

    expect(viaOption.outputs[viaOption.augmented.inputGradientOutput!]).toEqual(
      viaTarget.outputs[viaTarget.augmented.targets[0].gradientOutput],
    );
    await expectGradcheck(model, { wrt: ['x'] });
  });

  it('writes opset-11 forms (ReduceSum axes as an attribute) for an opset-11 model', async () => {
    const model = buildTestModel({
      opset: 11,
      inputs: [
        { name: 'a', shape: [3, 4] },
        { name: 'b', shape: [4, 2] },
        { name: 'c', shape: [2] },
      ],
      nodes: [{ op: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['y'] }],
      outputs: ['y'],
    });
    await expectGradcheck(model, { wrt: ['a', 'b', 'c'] });
  });

  it('rejects an operator without a gradient rule on the path with UNSUPPORTED_OPERATOR', async () => {
    const model = buildTestModel({
      inputs: [{ name: 'x', shape: [2, 2] }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Det', inputs: ['r'], outputs: ['y'], name: 'determinant' },
      ],
      outputs: ['y'],
    });
    const facts = await probeValueFacts(model, { x: [2, 2] });

    expect(() => differentiate(model, facts, { targets: ['r'] })).toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED_OPERATOR',
        message:
          'Operator Det (node "determinant") lies between the target and the output, and cnn-lens has no gradient rule for it',
      }),
    );
  });

  it('ignores operators without rules that lie off the path', async () => {
    const model = buildTestModel({
      inputs: [{ name: 'x', shape: [2, 2] }],
      nodes: [
        { op: 'Det', inputs: ['x'], outputs: ['d'] },
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Mul', inputs: ['r', 'd'], outputs: ['y'] },
      ],
      outputs: ['y'],
    });
    const facts = await probeValueFacts(model, { x: [2, 2] });

    expect(() => differentiate(model, facts, { targets: ['r'] })).not.toThrow();
  });

  it('rejects an unknown target with LAYER_NOT_FOUND', async () => {
    const model = classifier([], 'logits');
    const facts = await probeValueFacts(model, { x: [2, 2, 4, 4] });

    expect(() => differentiate(model, facts, { targets: ['nope'] })).toThrow(
      expect.objectContaining({
        code: 'LAYER_NOT_FOUND',
        message: expect.stringContaining('valid layers: c, r'),
      }),
    );
  });
});
