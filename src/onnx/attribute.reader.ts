import type { AttributeReader } from './autodiff/gradient-rule';
import type { AttributeProto, NodeProto } from './onnx.types';

const utf8 = new TextDecoder();

/** Typed access to a node's attributes, the caller supplying ONNX's defaults. */
export function readAttributes(node: NodeProto): AttributeReader {
  const byName = new Map<string, AttributeProto>(node.attribute.map((a) => [a.name ?? '', a]));
  const get = (name: string): AttributeProto | undefined => byName.get(name);

  return {
    has: (name) => byName.has(name),
    // proto2 leaves a zero scalar out of the message: a present attribute without it holds 0.
    int: (name, fallback) => {
      const attribute = get(name);
      return attribute === undefined ? fallback : (attribute.i ?? 0);
    },
    ints: (name, fallback) => get(name)?.ints ?? fallback,
    float: (name, fallback) => {
      const attribute = get(name);
      return attribute === undefined ? fallback : (attribute.f ?? 0);
    },
    floats: (name, fallback) => get(name)?.floats ?? fallback,
    string: (name, fallback) => {
      const attribute = get(name);
      return attribute === undefined ? fallback : utf8.decode(attribute.s ?? new Uint8Array());
    },
  };
}
