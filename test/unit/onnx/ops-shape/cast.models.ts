import { int } from '../../../../src/onnx/autodiff/gradient-rule';
import { DataType, type ModelProto } from '../../../../src/onnx/onnx.types';
import { buildTestModel, type TestValue } from '../../../support/onnx-test-model.builder';

/** Y = float(double(X) * double(X)): the gradient has to be cast back through double to float. */
export function castThroughDouble(input: TestValue, opset?: number): ModelProto {
  return buildTestModel({
    opset,
    inputs: [input],
    nodes: [
      {
        op: 'Cast',
        inputs: [input.name],
        outputs: ['D'],
        attributes: { to: int(DataType.DOUBLE) },
      },
      { op: 'Mul', inputs: ['D', 'D'], outputs: ['S'] },
      { op: 'Cast', inputs: ['S'], outputs: ['Y'], attributes: { to: int(DataType.FLOAT) } },
    ],
    outputs: ['Y'],
  });
}
