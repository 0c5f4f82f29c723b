import * as path from 'node:path';

import sharp from 'sharp';

import { createModelRepository } from '../../../src/bootstrap/services';
import { loadConfig } from '../../../src/config/app-config';
import { JobCancelledError } from '../../../src/errors/job-cancelled.error';
import { fromJobOptions } from '../../../src/explain/explain-job-options';
import { ExplainSessions } from '../../../src/explain/explain-sessions';
import { ExplainableModelLoader } from '../../../src/explain/explainable-model.loader';
import { Explainer } from '../../../src/explain/explainer';
import { encodeNpy } from '../../../src/imaging/npy.codec';
import {
  createExplainHandler,
  EXPLAIN_PROGRESS,
  ExplainHandler,
} from '../../../src/jobs/handlers/explain.handler';
import type { JobContext } from '../../../src/jobs/job-handler';
import type { JobOptions } from '../../../src/jobs/job.types';
import { type MapRenderTask, renderMapTask } from '../../../src/render/map-render.task';
import { spyOnModelRuns, testSessionFactory } from '../explain/explain-test-kit';
import { REPO_ROOT } from '../../support/http-app';
import { fashionImages } from '../../support/queue/fashion-images';
import { silentLogger } from '../../support/silent-logger';

const config = loadConfig({
  MODEL_REPOSITORY: path.join(REPO_ROOT, 'models'),
  ORT_INTRA_OP_THREADS: '1',
});

/** A context over one image that records what the handler reports. */
function recordingContext(
  image: Buffer,
  overrides: Partial<JobContext> = {},
): { context: JobContext; steps: string[] } {
  const steps: string[] = [];
  const context: JobContext = {
    jobId: 'explain-job',
    image: () => {
      steps.push('image read');
      return Promise.resolve(image);
    },
    signal: new AbortController().signal,
    maxAnswerBytes: Number.MAX_SAFE_INTEGER,
    progress: (fraction) => {
      steps.push(`progress ${fraction}`);
      return Promise.resolve();
    },
    ...overrides,
  };
  return { context, steps };
}

const job = (options: JobOptions) => ({
  kind: 'explain' as const,
  model: 'fashion-mnist',
  imageKeys: ['image-0'],
  options,
});

describe('ExplainHandler', () => {
  it('should report its progress after reading the inputs, after the maps and after rendering them', async () => {
    const handler = createExplainHandler(config, await createModelRepository(config, silentLogger));
    const [image] = await fashionImages(1);
    const { context, steps } = recordingContext(image);

    const answer = await handler.run(job({ method: 'gradcam', output: 'heatmap' }), context);

    expect(answer.type === 'binary' ? answer.contentType : answer.type).toBe('image/png');
    expect(steps).toEqual(['image read', 'progress 0.05', 'progress 0.8', 'progress 0.95']);
  });

  describe('with its explainer and renderer watched', () => {
    let sessions: ExplainSessions;
    let render: jest.Mock<Promise<Buffer>, [MapRenderTask]>;
    let handler: (progressIntervalMs?: number) => ExplainHandler;
    let blackJpeg: Buffer;

    beforeAll(async () => {
      const models = await createModelRepository(config, silentLogger);
      sessions = new ExplainSessions(testSessionFactory(), 4);
      const explainer = new Explainer({
        models,
        loader: new ExplainableModelLoader(),
        sessions,
        limits: { maxPixels: config.maxImagePixels, maxRequestPixels: config.maxRequestPixels },
      });
      // the model's graph loaded and its shapes probed (one run of its own) before anything is watched
      await explainer.explain('fashion-mnist', await fashionImages(1), fromJobOptions({}));
      handler = (progressIntervalMs) =>
        new ExplainHandler(
          explainer,
          { render, maxJsonTensorValues: 2_097_152 },
          progressIntervalMs,
        );
      blackJpeg = await sharp({
        create: { width: 2000, height: 2000, channels: 3, background: '#000000' },
      })
        .jpeg()
        .toBuffer();
    });

    beforeEach(() => {
      render = jest.fn((task: MapRenderTask) => renderMapTask(task));
    });

    afterEach(() => {
      jest.restoreAllMocks();
    });

    /** Spies on everything costly: sessions, model runs, pixel decoding and rendering. */
    function watchWork() {
      return {
        gradientSessions: jest.spyOn(sessions, 'withGradient'),
        forwardSessions: jest.spyOn(sessions, 'withForward'),
        runs: spyOnModelRuns(),
        decodes: jest.spyOn(sharp.prototype, 'toBuffer'),
      };
    }

    it('should refuse topk:3 as .npy on a 2000x2000 image over maxAnswerBytes from its header, before any decoding or model run', async () => {
      const work = watchWork();
      const { context } = recordingContext(blackJpeg, { maxAnswerBytes: 1024 * 1024 });

      const refused = handler().run(
        job({ output: 'tensor', target: 'topk:3', format: 'npy' }),
        context,
      );

      // three .npy files of 2000 x 2000 float32 values and a 128-byte header, in base64
      const bytes = 3 * (4 * Math.ceil((4 * 2000 * 2000 + 128) / 3) + 2);
      await expect(refused).rejects.toMatchObject({
        code: 'RESPONSE_TOO_LARGE',
        message: `the answer would take at least ${bytes} bytes, more than the limit of 1048576 bytes (MAX_RESPONSE_BYTES), so it was refused before being computed; ask for resolution=layer, or a smaller image`,
      });
      expect(work.gradientSessions).not.toHaveBeenCalled();
      expect(work.forwardSessions).not.toHaveBeenCalled();
      expect(work.runs).not.toHaveBeenCalled();
      expect(work.decodes).not.toHaveBeenCalled();
      expect(render).not.toHaveBeenCalled();
    });

    it('should name GRPC_MAX_MESSAGE_BYTES when the request lowered the limit', async () => {
      const { context } = recordingContext(blackJpeg, { maxAnswerBytes: 4 * 1024 * 1024 });

      await expect(
        handler().run(
          job({ output: 'tensor', format: 'npy', max_answer_bytes: 4 * 1024 * 1024 }),
          context,
        ),
      ).rejects.toMatchObject({
        code: 'RESPONSE_TOO_LARGE',
        message: expect.stringContaining(
          'more than the limit of 4194304 bytes (GRPC_MAX_MESSAGE_BYTES)',
        ) as string,
      });
    });

    it('should refuse a JSON tensor over MAX_JSON_TENSOR_VALUES before any model run, offering format=npy only when it fits', async () => {
      const work = watchWork();
      const tooSmallForNpy = recordingContext(blackJpeg, { maxAnswerBytes: 1024 * 1024 });
      const largeEnough = recordingContext(blackJpeg, { maxAnswerBytes: 64 * 1024 * 1024 });
      const options = { output: 'tensor', format: 'json', target: 'topk:3' };

      await expect(handler().run(job(options), tooSmallForNpy.context)).rejects.toMatchObject({
        code: 'TENSOR_JSON_TOO_LARGE',
        message: expect.stringMatching(
          /has 12000000; ask for resolution=layer, or a smaller image \(format=npy would be refused too: at least \d+ bytes, more than the limit of 1048576 bytes \(MAX_RESPONSE_BYTES\)\)$/,
        ) as string,
      });
      await expect(handler().run(job(options), largeEnough.context)).rejects.toMatchObject({
        code: 'TENSOR_JSON_TOO_LARGE',
        message: expect.stringContaining('ask for format=npy (binary float32), or') as string,
      });
      expect(work.runs).not.toHaveBeenCalled();
      expect(work.decodes).not.toHaveBeenCalled();
    });

    it('should let a resolution=layer tensor through on the same image and limit', async () => {
      const work = watchWork();
      const { context } = recordingContext(blackJpeg, { maxAnswerBytes: 1024 * 1024 });

      const answer = await handler().run(
        job({ output: 'tensor', target: 'topk:3', format: 'npy', resolution: 'layer' }),
        context,
      );

      expect(answer.type).toBe('json');
      // the spies see the work that the refusals above never did
      expect(work.decodes).toHaveBeenCalled();
      expect(work.runs).toHaveBeenCalled();
    });

    it('should estimate a rotated JPEG at its upright size, to the byte', async () => {
      // stored 60 wide and 100 high, EXIF orientation 6: upright it is 100 wide and 60 high
      const rotated = await sharp({
        create: { width: 60, height: 100, channels: 3, background: '#808080' },
      })
        .jpeg()
        .withMetadata({ orientation: 6 })
        .toBuffer();
      const exact = encodeNpy(new Float32Array(60 * 100), [60, 100]).length;
      const options = { output: 'tensor', format: 'npy' };

      const answer = await handler().run(
        job(options),
        recordingContext(rotated, { maxAnswerBytes: exact }).context,
      );
      await expect(
        handler().run(
          job(options),
          recordingContext(rotated, { maxAnswerBytes: exact - 1 }).context,
        ),
      ).rejects.toMatchObject({
        code: 'RESPONSE_TOO_LARGE',
        message: expect.stringContaining(`the answer would take ${exact} bytes`) as string,
      });
      expect(answer.type === 'binary' ? answer.data.length : 0).toBe(exact);
    });

    it('should report increasing progress from inside integrated-gradients, then the render stage', async () => {
      const [image] = await fashionImages(1);
      const { context, steps } = recordingContext(image);

      await handler(0).run(
        job({ method: 'integrated-gradients', steps: '64', output: 'tensor' }),
        context,
      );

      const fractions = steps
        .filter((s) => s.startsWith('progress '))
        .map((s) => Number(s.slice(9)));
      const during = fractions.slice(1, -2);
      expect(fractions.slice(0, 1)).toEqual([0.05]);
      expect(fractions.slice(-2)).toEqual([0.8, 0.95]);
      expect(during.length).toBeGreaterThan(32);
      expect(during.every((f) => f > 0.05 && f < 0.8)).toBe(true);
      expect(fractions.every((f, i) => i === 0 || f > (fractions[i - 1] ?? 1))).toBe(true);
    });

    it('should stop integrated-gradients within a run of its cancellation', async () => {
      const [image] = await fashionImages(1);
      const runs = spyOnModelRuns();
      const controller = new AbortController();
      const reason = new JobCancelledError('explain-job');
      let runsWhenCancelled = 0;
      const { context } = recordingContext(image, {
        signal: controller.signal,
        progress: (fraction) => {
          if (fraction > EXPLAIN_PROGRESS.inputsRead && !controller.signal.aborted) {
            runsWhenCancelled = runs.mock.calls.length;
            controller.abort(reason);
          }
          return Promise.resolve();
        },
      });

      await expect(
        handler(0).run(job({ method: 'integrated-gradients', steps: '512' }), context),
      ).rejects.toBe(reason);
      expect(runsWhenCancelled).toBeGreaterThan(0);
      expect(runs.mock.calls.length).toBeLessThanOrEqual(runsWhenCancelled + 1);
      expect(render).not.toHaveBeenCalled();
    });

    it('should throw the cancellation before rendering when the job is cancelled after its last run', async () => {
      const [image] = await fashionImages(1);
      const controller = new AbortController();
      const reason = new JobCancelledError('explain-job');
      const { context } = recordingContext(image, {
        signal: controller.signal,
        progress: (fraction) => {
          if (fraction === 0.8) {
            controller.abort(reason);
          }
          return Promise.resolve();
        },
      });

      await expect(
        handler().run(job({ method: 'gradcam', output: 'heatmap' }), context),
      ).rejects.toBe(reason);
      expect(render).not.toHaveBeenCalled();
    });
  });
});
