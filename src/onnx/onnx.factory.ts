import type { AttributeValue } from './autodiff/gradient-rule';
import {
  AttributeType,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx.types';

const utf8 = new TextEncoder();

/** An attribute value a builder may write: the rule contract's kinds plus a tensor (Constant). */
export type NodeAttributeValue = AttributeValue | { kind: 'tensor'; value: TensorProto };

const emptyAttribute = (): AttributeProto => ({
  floats: [],
  ints: [],
  strings: [],
  tensors: [],
  graphs: [],
});

/** An AttributeProto for a typed value. */
export function makeAttribute(name: string, attribute: NodeAttributeValue): AttributeProto {
  const base = { ...emptyAttribute(), name };
  switch (attribute.kind) {
    case 'int':
      return { ...base, type: AttributeType.INT, i: attribute.value };
    case 'ints':
      return { ...base, type: AttributeType.INTS, ints: [...attribute.value] };
    case 'float':
      return { ...base, type: AttributeType.FLOAT, f: attribute.value };
    case 'floats':
      return { ...base, type: AttributeType.FLOATS, floats: [...attribute.value] };
    case 'string':
      return { ...base, type: AttributeType.STRING, s: utf8.encode(attribute.value) };
    case 'tensor':
      return { ...base, type: AttributeType.TENSOR, t: attribute.value };
  }
}

/** A NodeProto in the default domain unless `domain` is given. */
export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name: string,
  attributes: Readonly<Record<string, NodeAttributeValue>> = {},
  domain = '',
): NodeProto {
  return {
    opType,
    input: [...inputs],
    output: [...outputs],
    name,
    domain,
    attribute: Object.entries(attributes).map(([key, value]) => makeAttribute(key, value)),
  };
}

/** A tensor ValueInfoProto; a shape entry of -1 or a string is a symbolic dimension. */
export function makeValueInfo(
  name: string,
  elemType: number,
  shape?: readonly (number | string)[],
): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        ...(shape === undefined
          ? {}
          : {
              shape: {
                dim: shape.map((d) =>
                  typeof d === 'string'
                    ? { dimParam: d }
                    : d < 0
                      ? { dimParam: '?' }
                      : { dimValue: d },
                ),
              },
            }),
      },
    },
  };
}

/** Version of the default-domain ("" or "ai.onnx") opset the model imports. */
export function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find(
    (o) => o.domain === undefined || o.domain === '' || o.domain === 'ai.onnx',
  );
  return entry?.version ?? 1;
}

/** The model with its default-domain opset set to `version`. */
export function withDefaultOpset(model: ModelProto, version: number): ModelProto {
  const others = model.opsetImport.filter(
    (o) => !(o.domain === undefined || o.domain === '' || o.domain === 'ai.onnx'),
  );
  return { ...model, opsetImport: [{ domain: '', version }, ...others] };
}
