import type { ValueFacts } from './value-facts';
import { makeValueInfo } from './onnx.factory';
import type { ModelProto, ValueInfoProto } from './onnx.types';

/**
 * The model with `names` added as extra graph outputs after the original
 * ones; names already output are skipped. Nothing else changes, so the
 * original outputs are computed exactly as before.
 */
export function exposeValues(
  model: ModelProto,
  names: readonly string[],
  facts?: ValueFacts,
): ModelProto {
  const graph = model.graph;
  if (graph === undefined) {
    return model;
  }
  const present = new Set(graph.output.map((o) => o.name ?? ''));
  const extra: ValueInfoProto[] = [];

  for (const name of names) {
    if (present.has(name)) {
      continue;
    }
    present.add(name);
    extra.push(exposedInfo(name, facts));
  }
  return { ...model, graph: { ...graph, output: [...graph.output, ...extra] } };
}

function exposedInfo(name: string, facts: ValueFacts | undefined): ValueInfoProto {
  const fact = facts?.get(name);
  return fact === undefined ? { name } : makeValueInfo(name, fact.elementType, fact.shape);
}
