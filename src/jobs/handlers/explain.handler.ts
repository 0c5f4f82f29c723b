import type { AppConfig } from '../../config/app-config';
import { fromJobOptions } from '../../explain/explain-job-options';
import { ExplainSessions } from '../../explain/explain-sessions';
import { ExplainableModelLoader } from '../../explain/explainable-model.loader';
import { Explainer } from '../../explain/explainer';
import { type RenderContext, renderExplanation } from '../../explain/explanation.renderer';
import type { ModelRepository } from '../../models/model-repository';
import { MapRenderPool } from '../../render/map-render.pool';
import { processSessionFactory } from '../../runtime/session-factory';
import type { JobContext, JobHandler } from '../job-handler';
import type { JobAnswer, JobData } from '../job.types';

/** Augmented sessions kept per worker: each holds a copy of a model's weights. */
const SESSION_CACHE_SIZE = 8;

/**
 * Progress reported after each stage. Decoding, preprocessing and the model
 * runs happen in one call of the Explainer, so the stage after the inputs is
 * all of them; the runs take most of a job's time (rendering ~10-20%).
 */
export const EXPLAIN_PROGRESS = { inputsRead: 0.05, explained: 0.8, rendered: 0.95 } as const;

/**
 * Grad-CAM, CAM and the rest of the family: decode, preprocess, augmented run,
 * map, then PNG or tensor in the render threads.
 */
export class ExplainHandler implements JobHandler {
  constructor(
    private readonly explainer: Pick<Explainer, 'explain'>,
    private readonly rendering: RenderContext,
  ) {}

  async run(data: JobData, context: JobContext): Promise<JobAnswer> {
    const options = fromJobOptions(data.options);
    const images: Buffer[] = [];
    for (const key of data.imageKeys) {
      images.push(await context.image(key));
    }
    await context.progress(EXPLAIN_PROGRESS.inputsRead);

    const explanation = await this.explainer.explain(data.model, images, options);
    await context.progress(EXPLAIN_PROGRESS.explained);

    const answer = await renderExplanation(explanation, options, this.rendering);
    await context.progress(EXPLAIN_PROGRESS.rendered);
    return answer;
  }
}

export function createExplainHandler(config: AppConfig, models: ModelRepository): ExplainHandler {
  const sessions = new ExplainSessions(processSessionFactory(config), SESSION_CACHE_SIZE);
  const explainer = new Explainer({
    models,
    loader: new ExplainableModelLoader(),
    sessions,
    limits: { maxPixels: config.maxImagePixels },
  });
  const pool = new MapRenderPool(config.renderThreads);
  return new ExplainHandler(explainer, {
    render: pool.render,
    maxJsonTensorValues: config.maxJsonTensorValues,
  });
}
