import type { AnswerPlan } from './answer-size';
import { CAM_FAMILY } from './cam-family.runner';
import type { ResolvedExplainParameters } from './explain-parameters.schema';
import type { ExplainableModel } from './explainable-model';
import { extentOf } from './input-tensor';

/** The layer's [K, h, w] from the batch-1 run's shape facts; the input's for input-gradient methods. */
export function layerShape(
  model: ExplainableModel,
  layer: string | undefined,
): { channels: number; height: number; width: number } {
  if (layer === undefined) {
    return extentOf({ dims: model.inputDims, layout: model.descriptor.input.layout });
  }
  const [, channels = 1, height = 1, width = 1] = model.facts.get(layer)?.shape ?? [];
  return { channels, height, width };
}

/**
 * Whether a tensor answers with the signed attribution per input channel rather than the map:
 * guided backprop always, the other input-gradient methods with normalize=false (the CAM family's
 * computations have no planes).
 */
export function exposesPlanes(options: ResolvedExplainParameters): boolean {
  return options.method === 'guided-backprop' || !options.normalize;
}

/**
 * One map's tensor at resolution=layer: the layer's map for the CAM family,
 * the input-sized map for the input-gradient methods (guided Grad-CAM's too),
 * and the signed attribution, one plane per input channel, where exposesPlanes.
 */
export function tensorAtLayer(
  model: ExplainableModel,
  options: ResolvedExplainParameters,
  layer: string | undefined,
): AnswerPlan['layerTensor'] {
  if (CAM_FAMILY.has(options.method)) {
    const { height, width } = layerShape(model, layer);
    return { channels: 1, channelAxis: false, height, width };
  }
  const input = layerShape(model, undefined);
  return exposesPlanes(options)
    ? { ...input, channelAxis: true }
    : { channels: 1, channelAxis: false, height: input.height, width: input.width };
}
