import * as path from 'node:path';

import { loadConfig } from '../../../src/config/app-config';
import { DEPLOY_DIR, kustomizationManifests, readYamlDocuments } from './deploy-files';
import { composeSeconds, drainProblems, LONGEST_JOB_MS } from './drain-limits';
import { containerEnvironment, find, preStopSleepSeconds, workload } from './manifest-queries';

interface ComposeService {
  environment?: Record<string, string>;
  stop_grace_period?: string;
}

const compose = readYamlDocuments(path.join(DEPLOY_DIR, 'compose.yaml'))[0] as {
  services: Record<string, ComposeService>;
};

describe('drain on SIGTERM: SHUTDOWN_TIMEOUT_MS against the work in flight and the grace period', () => {
  const manifests = kustomizationManifests();

  it('defaults SHUTDOWN_TIMEOUT_MS to at least the longest job', () => {
    expect(loadConfig({}).queue.shutdownTimeoutMs).toBeGreaterThanOrEqual(LONGEST_JOB_MS);
  });

  it('sets SHUTDOWN_TIMEOUT_MS in the ConfigMap, for the workers', () => {
    const data = find(manifests, 'ConfigMap', 'cnn-lens-config').data as Record<string, string>;

    expect(Number(data.SHUTDOWN_TIMEOUT_MS)).toBeGreaterThanOrEqual(LONGEST_JOB_MS);
  });

  it.each([
    ['cnn-lens-worker', (): number => LONGEST_JOB_MS],
    ['cnn-lens-api', (env: Record<string, string>): number => loadConfig(env).requestTimeoutMs],
  ])(
    'drains %s within its terminationGracePeriodSeconds, less its preStop sleep and the margin',
    (name, longestWork) => {
      const pod = workload(manifests, 'Deployment', name).spec.template.spec;
      const env = containerEnvironment(manifests, pod.containers[0]);
      // The grace period runs from the preStop hook on; SIGTERM, and the drain, come after it.
      const afterPreStop =
        (pod.terminationGracePeriodSeconds ?? 30) - preStopSleepSeconds(pod.containers[0]);

      const problems = drainProblems(
        name,
        loadConfig(env).queue.shutdownTimeoutMs,
        longestWork(env),
        afterPreStop * 1000,
      );

      expect(problems).toEqual([]);
    },
  );

  it.each([
    ['worker', (): number => LONGEST_JOB_MS],
    ['worker-gpu', (): number => LONGEST_JOB_MS],
    ['api', (env: Record<string, string>): number => loadConfig(env).requestTimeoutMs],
  ])(
    'drains compose service %s within its stop_grace_period, less the margin',
    (name, longestWork) => {
      const service = compose.services[name];
      const env = service.environment ?? {};

      const problems = drainProblems(
        name,
        loadConfig(env).queue.shutdownTimeoutMs,
        longestWork(env),
        composeSeconds(service.stop_grace_period),
      );

      expect(problems).toEqual([]);
    },
  );

  it('flags the former settings: a 110 s drain for 120 s jobs, and a drain that fills the grace period', () => {
    expect(drainProblems('worker', 110_000, LONGEST_JOB_MS, 150_000)).toEqual([
      'worker: SHUTDOWN_TIMEOUT_MS 110000 is shorter than the work it drains (120000 ms)',
    ]);
    expect(drainProblems('worker', 130_000, LONGEST_JOB_MS, 120_000)).toEqual([
      'worker: SHUTDOWN_TIMEOUT_MS 130000 leaves less than 10000 ms of the 120000 ms grace period',
    ]);
  });
});
