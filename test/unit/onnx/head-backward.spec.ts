/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { differentiate } from '../../../src/onnx/autodiff/differentiate';
import { probeValueFacts } from '../../../src/runtime/value-probe';
import { RESNET50, resnetModel } from '../../support/resnet-model.builder';

describe('Grad-CAM on the last conv layer', () => {
  it('adds a tiny backward: no convolution, a handful of nodes', async () => {
    const model = resnetModel({
      ...RESNET50,
      blocks: [1, 1, 1, 1],
      width: 8,
      inputSize: 64,
      classes: 10,
    });
    const facts = await probeValueFacts(model, { input: [1, 3, 64, 64] });
    const augmented = differentiate(model, facts, { targets: ['last_conv_layer'] });

    const added = augmented.model.graph!.node.slice(model.graph!.node.length);
    expect(
      added.map((n) => n.opType).filter((op) => op === 'Conv' || op === 'ConvTranspose'),
    ).toEqual([]);
    expect(added.length).toBeLessThanOrEqual(6);
    expect(augmented.model.graph!.output.map((o) => o.name)).toEqual([
      'logits',
      'last_conv_layer',
      augmented.targets[0].gradientOutput,
    ]);
  });
});
