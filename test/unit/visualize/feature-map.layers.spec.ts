import { LayerNotFoundError } from '../../../src/errors/layer-not-found.error';
import { LayerNotSpatialError } from '../../../src/errors/layer-not-spatial.error';
import { ModelValues } from '../../../src/models/model-values';
import { DataType } from '../../../src/onnx/onnx.types';
import { listTargetableLayers } from '../../../src/onnx/targetable-layers';
import type { ValueFacts } from '../../../src/onnx/value-facts';
import {
  resolveFeatureMapLayer,
  resolveFeatureMapLayers,
} from '../../../src/visualize/feature-map.layers';
import { buildTestModel } from '../../support/onnx-test-model.builder';

// input [1, 1, 4, 4] -> conv (w [2, 1, 3, 3]) -> relu -> global pool -> flatten -> logits [1, 2]
const model = buildTestModel({
  inputs: [{ name: 'input', shape: [1, 1, 4, 4] }],
  initializers: [{ name: 'w', dims: [2, 1, 3, 3], data: new Array<number>(18).fill(0.1) }],
  nodes: [
    { op: 'Conv', name: 'conv', inputs: ['input', 'w'], outputs: ['c'] },
    { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
    { op: 'GlobalAveragePool', name: 'pool', inputs: ['r'], outputs: ['p'] },
    { op: 'Flatten', name: 'flatten', inputs: ['p'], outputs: ['logits'] },
    { op: 'Shape', name: 'shape', inputs: ['r'], outputs: ['s'] },
  ],
  outputs: ['logits'],
});
const fact = (shape: number[], elementType: number = DataType.FLOAT) => ({ shape, elementType });
const facts: ValueFacts = new Map([
  ['input', fact([1, 1, 4, 4])],
  ['w', fact([2, 1, 3, 3])],
  ['c', fact([1, 2, 2, 2])],
  ['r', fact([1, 2, 2, 2])],
  ['p', fact([1, 2, 1, 1])],
  ['logits', fact([1, 2])],
  ['s', fact([4], DataType.INT64)],
]);
const layers = listTargetableLayers(model, facts);
const values = ModelValues.of(model, facts);

function refusal(name: string, parameter?: string): Error {
  try {
    resolveFeatureMapLayer(layers, name, values, parameter);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`"${name}" was accepted`);
}

describe('resolveFeatureMapLayer', () => {
  it('finds a spatial layer by value name or by node name', () => {
    expect(resolveFeatureMapLayer(layers, 'r', values).value).toBe('r');
    expect(resolveFeatureMapLayer(layers, 'relu', values).value).toBe('r');
  });

  it.each([
    ['logits', 'of shape [1, 2]; valid layers: c, r'],
    ['flatten', 'of shape [1, 2]; valid layers: c, r'],
    ['p', 'of shape [1, 2, 1, 1]; valid layers: c, r'],
    ['input', "of shape [1, 1, 4, 4], the model's input, which no layer computes; valid layers"],
    ['w', 'of shape [2, 1, 3, 3], a weight of the model, not an activation; valid layers'],
    ['s', 'of shape [4], of ONNX element type 7, not float; valid layers'],
  ])('refuses %s, a value of the model, as LAYER_NOT_SPATIAL saying what it is', (name, says) => {
    const error = refusal(name);

    expect(error).toBeInstanceOf(LayerNotSpatialError);
    expect(error.message).toContain(`got "${name}" ${says}`);
  });

  it('refuses a name the model does not have as LAYER_NOT_FOUND, naming the parameter', () => {
    const error = refusal('nope', 'layers');

    expect(error).toBeInstanceOf(LayerNotFoundError);
    expect(error.message).toBe(
      'parameter "layers": expected a value or node name of the model, got "nope"; valid layers: c, r',
    );
  });

  it('keeps a layer named by its value and by its node once, where first named', () => {
    const resolved = resolveFeatureMapLayers(layers, ['relu', 'c', 'r', 'conv', 'relu'], undefined);

    expect(resolved.map((layer) => layer.value)).toEqual(['r', 'c']);
  });

  it('counts layers, not names, against the limit of 8 per request', () => {
    const twice = ['c', 'conv', 'r', 'relu', 'c', 'conv', 'r', 'relu', 'c'];

    expect(resolveFeatureMapLayers(layers, twice, undefined)).toHaveLength(2);
  });

  it('without the model values, can only say a name is not a spatial layer', () => {
    expect(() => resolveFeatureMapLayers(layers, ['logits'], undefined)).toThrow(
      LayerNotFoundError,
    );
  });
});

describe('LayerNotSpatialError', () => {
  it('does not blame the shape of a map-shaped value refused for what it is', () => {
    const error = new LayerNotSpatialError('input', [1, 1, 28, 28], ['features']);

    expect(error.message).toBe(
      'parameter "layer": expected the output of a layer of the model with spatial extent (shape [N, C, H, W] with H*W > 1), got "input" of shape [1, 1, 28, 28], which is not a float activation computed by a layer of the model (a model input, a weight or an integer tensor); valid layers: features',
    );
  });

  it('names the shape alone when the shape is the reason', () => {
    expect(new LayerNotSpatialError('pooled', [1, 64, 1, 1], ['features']).message).toBe(
      'parameter "layer": expected the output of a layer of the model with spatial extent (shape [N, C, H, W] with H*W > 1), got "pooled" of shape [1, 64, 1, 1]; valid layers: features',
    );
  });
});
