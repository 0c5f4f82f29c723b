import * as path from 'node:path';

import { createModelRepository } from '../../../src/bootstrap/services';
import { loadConfig } from '../../../src/config/app-config';
import { createExplainHandler } from '../../../src/jobs/handlers/explain.handler';
import type { JobContext } from '../../../src/jobs/job-handler';
import { REPO_ROOT } from '../../support/http-app';
import { fashionImages } from '../../support/queue/fashion-images';
import { silentLogger } from '../../support/silent-logger';

describe('ExplainHandler', () => {
  it('should report its progress after reading the inputs, after the maps and after rendering them', async () => {
    const config = loadConfig({
      MODEL_REPOSITORY: path.join(REPO_ROOT, 'models'),
      ORT_INTRA_OP_THREADS: '1',
    });
    const handler = createExplainHandler(config, await createModelRepository(config, silentLogger));
    const [image] = await fashionImages(1);
    const steps: string[] = [];
    const context: JobContext = {
      jobId: 'progress',
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
    };

    const answer = await handler.run(
      {
        kind: 'explain',
        model: 'fashion-mnist',
        imageKeys: ['image-0'],
        options: { method: 'gradcam', output: 'heatmap' },
      },
      context,
    );

    expect(answer.type === 'binary' ? answer.contentType : answer.type).toBe('image/png');
    expect(steps).toEqual(['image read', 'progress 0.05', 'progress 0.8', 'progress 0.95']);
  });
});
