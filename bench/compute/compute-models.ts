import type { ExplainMethod } from '../../src/explain/explain-parameters.schema';
import { BUNDLED_MODEL, RESNET50_MODEL } from '../models/bench-model-repository';
import type { BenchImages } from '../support/bench-images';
import type { BenchOptions } from '../support/bench.options';
import type { ComputeModel } from './compute.section';

/** Methods that run the network once per sample or step (16 noise samples, 32 steps by default). */
const MULTI_RUN: ReadonlySet<ExplainMethod> = new Set(['smoothgrad', 'integrated-gradients']);
/** Methods that run one forward pass per channel of the layer (batched). */
const PER_CHANNEL: ReadonlySet<ExplainMethod> = new Set(['scorecam', 'ablationcam']);
/** What --quick runs on ResNet-50: the method a target is about. */
const QUICK_RESNET: ReadonlySet<ExplainMethod> = new Set(['gradcam']);

/** The two models of the compute section, with what each runs at this run length. */
export function computeModels(images: BenchImages, options: BenchOptions): ComputeModel[] {
  const bundled: ComputeModel = {
    name: BUNDLED_MODEL,
    image: images.small,
    skip: () => undefined,
    budgetFor: (method) =>
      MULTI_RUN.has(method) || PER_CHANNEL.has(method) ? options.slowBudget : options.budget,
  };

  const resnet: ComputeModel = {
    name: RESNET50_MODEL,
    image: images.large,
    skip: (method) => {
      if (PER_CHANNEL.has(method) && !options.allMethods) {
        return 'skipped: 2048 channels at the layer = 64 batched forward runs of 32 images per job (minutes); --all-methods runs it';
      }
      if (options.quick && !QUICK_RESNET.has(method)) {
        return `skipped in --quick (ResNet-50 runs ${[...QUICK_RESNET].join(', ')} only)`;
      }
      return undefined;
    },
    budgetFor: (method) =>
      MULTI_RUN.has(method) || PER_CHANNEL.has(method)
        ? options.slowBudget
        : method === 'gradcam'
          ? options.budget
          : options.methodBudget,
  };
  return [bundled, resnet];
}
