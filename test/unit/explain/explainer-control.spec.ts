import * as path from 'node:path';

import { createModelRepository } from '../../../src/bootstrap/services';
import { loadConfig } from '../../../src/config/app-config';
import { JobCancelledError } from '../../../src/errors/job-cancelled.error';
import { explainParametersSchema } from '../../../src/explain/explain-parameters.schema';
import { ExplainableModelLoader } from '../../../src/explain/explainable-model.loader';
import { Explainer } from '../../../src/explain/explainer';
import { fashionImages } from '../../support/queue/fashion-images';
import { silentLogger } from '../../support/silent-logger';
import { REPO_ROOT, spyOnModelRuns, testSessions } from './explain-test-kit';

async function fashionExplainer(): Promise<Explainer> {
  const config = loadConfig({ MODEL_REPOSITORY: path.join(REPO_ROOT, 'models') });
  return new Explainer({
    models: await createModelRepository(config, silentLogger),
    loader: new ExplainableModelLoader(),
    sessions: testSessions(),
    limits: { maxPixels: 1_000_000, maxRequestPixels: 2_000_000 },
  });
}

describe('Explainer: cancellation and progress', () => {
  let explainer: Explainer;
  let images: Buffer[];

  beforeAll(async () => {
    explainer = await fashionExplainer();
    images = await fashionImages(16);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  // Every way an explanation makes many model runs: steps, samples, channel batches, augmentations, images.
  it.each([
    ['integrated-gradients steps', { method: 'integrated-gradients', steps: '512' }, 1],
    ['smoothgrad samples', { method: 'smoothgrad', samples: '256' }, 1],
    ['scorecam batches', { method: 'scorecam', batch_size: '1' }, 1],
    ['ablationcam batches', { method: 'ablationcam', batch_size: '1' }, 1],
    ['aug_smooth variants', { method: 'gradcam', aug_smooth: 'true' }, 1],
    ['batch images', { method: 'gradcam' }, 16],
  ])(
    'stops %s after at most one more run once its signal is aborted, throwing the reason',
    async (_, fields, imageCount) => {
      const options = explainParametersSchema.parse({ ...fields, output: 'tensor' });
      const batch = images.slice(0, imageCount);
      // models and sessions built beforehand, so that every run counted below is the method's
      await explainer.explain('fashion-mnist', batch.slice(0, 1), {
        ...options,
        ...(options.steps === undefined ? {} : { steps: 1 }),
        ...(options.samples === undefined ? {} : { samples: 1 }),
        aug_smooth: false,
      });
      const runs = spyOnModelRuns();
      const controller = new AbortController();
      const reason = new JobCancelledError('many-runs');
      let runsWhenAborted = 0;

      const explaining = explainer.explain('fashion-mnist', batch, options, {
        signal: controller.signal,
        progress: () => {
          if (runs.mock.calls.length === 3) {
            runsWhenAborted = runs.mock.calls.length;
            controller.abort(reason);
          }
        },
      });

      await expect(explaining).rejects.toBe(reason);
      expect(runsWhenAborted).toBe(3);
      expect(runs.mock.calls.length).toBeLessThanOrEqual(runsWhenAborted + 1);
    },
  );

  it('runs nothing when the signal is aborted before it starts', async () => {
    const runs = spyOnModelRuns();
    const controller = new AbortController();
    const reason = new JobCancelledError('early');
    controller.abort(reason);

    const options = explainParametersSchema.parse({ method: 'integrated-gradients' });
    await expect(
      explainer.explain('fashion-mnist', images.slice(0, 1), options, {
        signal: controller.signal,
      }),
    ).rejects.toBe(reason);
    expect(runs).not.toHaveBeenCalled();
  });

  it('reports the share of runs done after each run of integrated-gradients, increasing to 1', async () => {
    const fractions: number[] = [];
    const options = explainParametersSchema.parse({ method: 'integrated-gradients', steps: '40' });

    await explainer.explain('fashion-mnist', images.slice(0, 2), options, {
      progress: (fraction) => fractions.push(fraction),
    });

    // two images of 40 runs each
    expect(fractions).toHaveLength(80);
    expect(fractions.every((f, i) => i === 0 || f > (fractions[i - 1] ?? 1))).toBe(true);
    expect(fractions[0]).toBeCloseTo(1 / 80, 10);
    expect(fractions[39]).toBeCloseTo(0.5, 10);
    expect(fractions.at(-1)).toBe(1);
  });
});
