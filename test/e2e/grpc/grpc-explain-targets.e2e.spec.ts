/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import { status } from '@grpc/grpc-js';

import type { AppServices } from '../../../src/app.module';
import { createInlineServices } from '../../../src/bootstrap/services';
import { loadConfig } from '../../../src/config/app-config';
import { rejection } from '../../support/grpc-rejection';
import { REPO_ROOT } from '../../support/http-app';
import {
  type LabelledModelRepository,
  labelledModelRepository,
} from '../../support/labelled-model.repository';
import { errorCodeOf } from '../../support/queue/grpc-clients';
import { type GrpcTestServer, startGrpcTestServer } from '../../support/queue/grpc-test-server';
import { silentLogger } from '../../support/silent-logger';

interface Explanation {
  readonly info: { readonly class_index: number; readonly label: string; readonly method: string };
}

/** gRPC Explain reads `target` by the rules of POST /v1/explain, on labels that look like other forms. */
describe('gRPC Explain targets (embedded mode)', () => {
  let repository: LabelledModelRepository;
  let services: AppServices;
  let grpc: GrpcTestServer;
  let boot: Buffer;

  beforeAll(async () => {
    repository = await labelledModelRepository();
    const config = loadConfig({ MODEL_REPOSITORY: repository.root, ORT_INTRA_OP_THREADS: '1' });
    services = await createInlineServices(config, silentLogger);
    grpc = await startGrpcTestServer(services);
    boot = await fs.readFile(path.join(REPO_ROOT, 'examples/0000-ankle-boot.png'));
  }, 60_000);

  afterAll(async () => {
    await grpc.close();
    await services.jobs.close();
    await repository.remove();
  });

  const explain = async (fields: Record<string, string>) => {
    const reply = await grpc.client.call<{ explanations: Explanation[] }>('Explain', {
      images: [boot],
      output: 'heatmap',
      ...fields,
    });
    return reply.explanations.map(({ info }) => [info.class_index, info.label]);
  };

  it.each([
    ['T-shirt, top', [[0, 'T-shirt, top']]],
    ['7', [[7, 'top1']]],
    ['label:7', [[9, '7']]],
    ['label:top1', [[7, 'top1']]],
    ['top1', [[9, '7']]],
    [
      '"T-shirt, top",label:7,7',
      [
        [0, 'T-shirt, top'],
        [9, '7'],
        [7, 'top1'],
      ],
    ],
  ])('target %j should explain %j', async (target, expected) => {
    expect(await explain({ target })).toEqual(expected);
  });

  it('should take the method in any case and report it in lower case', async () => {
    const reply = await grpc.client.call<{ explanations: Explanation[] }>('Explain', {
      images: [boot],
      method: 'GradCAM',
      output: 'Heatmap',
    });

    expect(reply.explanations[0]?.info.method).toBe('gradcam');
  });

  it('should answer NOT_FOUND with LABEL_NOT_FOUND quoting the labels', async () => {
    const error = await rejection(
      grpc.client.call('Explain', { images: [boot], target: 'T-shirt' }),
    );

    expect(error.code).toBe(status.NOT_FOUND);
    expect(errorCodeOf(error)).toBe('LABEL_NOT_FOUND');
    expect(error.details).toContain('("T-shirt, top", "Trouser", ');
    expect(error.details).toContain('got "T-shirt"; did you mean "T-shirt, top" or "Shirt"?');
  });
});
