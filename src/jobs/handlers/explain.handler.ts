import type { AppConfig } from '../../config/app-config';
import type { AnswerLimits } from '../../explain/answer-size';
import { fromJobOptions } from '../../explain/explain-job-options';
import { resolveExplainParameters } from '../../explain/explain-parameters.schema';
import { ExplainSessions } from '../../explain/explain-sessions';
import { ExplainableModelLoader } from '../../explain/explainable-model.loader';
import { Explainer } from '../../explain/explainer';
import { type RenderContext, renderExplanation } from '../../explain/explanation.renderer';
import { ThrottledProgress } from '../../explain/throttled-progress';
import type { ModelRepository } from '../../models/model-repository';
import { MapRenderPool } from '../../render/map-render.pool';
import { processSessionFactory } from '../../runtime/session-factory';
import { type JobContext, type JobHandler, MAX_ANSWER_BYTES_OPTION } from '../job-handler';
import type { JobAnswer, JobData } from '../job.types';

/** Augmented sessions kept per worker: each holds a copy of a model's weights. */
const SESSION_CACHE_SIZE = 8;

/**
 * Progress reported after each stage. The model runs take most of a job's
 * time (rendering ~10-20%), so between `inputsRead` and `explained` the
 * explainer's share of runs done is reported too, scaled into that span.
 */
export const EXPLAIN_PROGRESS = { inputsRead: 0.05, explained: 0.8, rendered: 0.95 } as const;

/** At most four progress writes a second during the model runs: each is a Redis write in queue mode. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Grad-CAM, CAM and the rest of the family: decode, preprocess, augmented run,
 * map, then PNG or tensor in the render threads. A tensor answer that cannot
 * fit the job's answer limit is refused from the images' headers, before any
 * decoding or model run; a cancelled job stops before its next model run.
 */
export class ExplainHandler implements JobHandler {
  constructor(
    private readonly explainer: Pick<Explainer, 'explain'>,
    private readonly rendering: RenderContext,
    private readonly progressIntervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  async run(data: JobData, context: JobContext): Promise<JobAnswer> {
    const given = fromJobOptions(data.options);
    const images: Buffer[] = [];
    for (const key of data.imageKeys) {
      images.push(await context.image(key));
    }
    await context.progress(EXPLAIN_PROGRESS.inputsRead);

    const progress = new ThrottledProgress(
      (fraction) => context.progress(fraction),
      this.progressIntervalMs,
    );
    const { inputsRead, explained } = EXPLAIN_PROGRESS;
    const explanation = await this.explainer.explain(data.model, images, given, {
      signal: context.signal,
      // the end of the runs is the end of the stage, reported below once the writes are done
      progress: (done) => {
        if (done < 1) {
          progress.report(inputsRead + done * (explained - inputsRead));
        }
      },
      answer: this.answerLimits(data, context),
    });
    await progress.flush();
    await context.progress(EXPLAIN_PROGRESS.explained);

    context.signal.throwIfAborted();
    const options = resolveExplainParameters(given);
    const answer = await renderExplanation(explanation, options, this.rendering, context.signal);
    await context.progress(EXPLAIN_PROGRESS.rendered);
    return answer;
  }

  /** The job's limit is GRPC_MAX_MESSAGE_BYTES when its request lowered it (job.executor's rule). */
  private answerLimits(data: JobData, context: JobContext): AnswerLimits {
    const asked = data.options[MAX_ANSWER_BYTES_OPTION];
    return {
      maxBytes: context.maxAnswerBytes,
      setting: asked === context.maxAnswerBytes ? 'GRPC_MAX_MESSAGE_BYTES' : 'MAX_RESPONSE_BYTES',
      maxJsonTensorValues: this.rendering.maxJsonTensorValues,
    };
  }
}

export function createExplainHandler(config: AppConfig, models: ModelRepository): ExplainHandler {
  const sessions = new ExplainSessions(processSessionFactory(config), SESSION_CACHE_SIZE);
  const explainer = new Explainer({
    models,
    loader: new ExplainableModelLoader(),
    sessions,
    limits: { maxPixels: config.maxImagePixels, maxRequestPixels: config.maxRequestPixels },
  });
  const pool = new MapRenderPool(config.renderThreads);
  return new ExplainHandler(explainer, {
    render: pool.render,
    maxJsonTensorValues: config.maxJsonTensorValues,
  });
}
