import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import { computeModels } from './compute/compute-models';
import { runComputeSection, type ComputeResult } from './compute/compute.section';
import { BENCH_OUT, prepareBenchModels, REPOSITORY_ROOT } from './models/bench-model-repository';
import { renderReport } from './report/console.report';
import { checkTargets } from './report/targets';
import { killAllChildren } from './service/child.registry';
import { ensureBuilt } from './service/dist.build';
import { runServiceSection, type ServiceResult } from './service/service.section';
import { makeBenchImages } from './support/bench-images';
import { parseBenchOptions, type BenchOptions } from './support/bench.options';
import { machineCpu, ownCpuSeconds } from './support/cpu-time';
import { machineInfo } from './support/machine.info';

const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(
    `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`,
  );
};

/** Cores busy on average during `work`, apart from this process: how noisy the machine was. */
async function withNoise<T>(
  work: () => Promise<T>,
): Promise<{ value: T; others: number; seconds: number }> {
  const machine0 = machineCpu().busySeconds;
  const own0 = ownCpuSeconds();
  const t0 = performance.now();
  const value = await work();
  const seconds = (performance.now() - t0) / 1000;
  const others = (machineCpu().busySeconds - machine0 - (ownCpuSeconds() - own0)) / seconds;
  return { value, others, seconds };
}

async function main(options: BenchOptions): Promise<void> {
  const machine = machineInfo();
  log(
    `cnn-lens bench ${options.quick ? '--quick' : '(full)'}: ${[...options.sections].join(', ')}; load average ${machine.loadAverage.map((l) => l.toFixed(1)).join(' ')}`,
  );
  const modelRepository = await prepareBenchModels(log);
  const images = await makeBenchImages(path.join(BENCH_OUT, 'images'));
  const notes: string[] = [
    `ResNet-50-shaped network built in TypeScript (torchvision layout, BatchNormalization kept as nodes, as torch.onnx.export with do_constant_folding=False writes it), random weights`,
    `compute sessions: CPU, graphOptimizationLevel=all, intra-op threads ${options.intraOpThreads === 0 ? 'onnxruntime default (one per core)' : options.intraOpThreads}`,
  ];
  const noise: string[] = [];

  let compute: ComputeResult[] | undefined;
  if (options.sections.has('compute')) {
    const run = await withNoise(() =>
      runComputeSection(computeModels(images, options), {
        modelRepository,
        intraOpThreads: options.intraOpThreads,
        budget: options.budget,
        profileDir: options.profile ? path.join(BENCH_OUT, 'profile') : undefined,
        log,
      }),
    );
    compute = run.value;
    noise.push(
      `other processes kept ${run.others.toFixed(2)} cores busy on average during the compute section (${run.seconds.toFixed(0)} s)`,
    );
  }

  let service: ServiceResult | undefined;
  if (options.sections.has('service') || options.sections.has('scaling')) {
    const built = ensureBuilt(
      REPOSITORY_ROOT,
      { force: options.build, whenStale: !options.quick },
      log,
    );
    if (typeof built === 'string') {
      notes.push(`service and scaling: ${built}`);
    } else {
      notes.push(
        `service processes: node ${path.relative(REPOSITORY_ROOT, built.entry[0] ?? '')}: ${built.note}; ORT_INTRA_OP_THREADS=1, WORKER_CONCURRENCY=1`,
      );
      const run = await withNoise(() =>
        runServiceSection({
          launch: {
            repositoryRoot: REPOSITORY_ROOT,
            modelRepository,
            logDir: path.join(BENCH_OUT, 'logs'),
            entry: built.entry,
          },
          outDir: BENCH_OUT,
          images,
          service: options.sections.has('service'),
          scaling: options.sections.has('scaling'),
          connections: [1, 4, 16],
          seconds: options.serviceSeconds,
          scalingSeconds: options.scalingSeconds,
          scalingConnections: 4,
          oneRequestKind: options.quick,
          intraOpThreads: 1,
          log,
        }),
      );
      service = run.value;
      noise.push(
        `the machine outside the bench's own process tree is in the "others" CPU column of the service tables`,
      );
    }
  }

  const after = machineInfo().loadAverage;
  noise.unshift(
    `load average ${machine.loadAverage.map((l) => l.toFixed(1)).join(' ')} at start, ${after.map((l) => l.toFixed(1)).join(' ')} at end`,
  );
  const targets = checkTargets(compute, service);
  const report = { machine, noise: noise.join('; '), compute, service, targets, notes };

  process.stdout.write(`${renderReport(report)}\n`);
  const results = {
    generatedAt: new Date().toISOString(),
    command: [
      'npm run bench',
      ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
    ].join(' '),
    quick: options.quick,
    seconds: Math.round((performance.now() - started) / 1000),
    settings: {
      intraOpThreads: options.intraOpThreads,
      budget: options.budget,
      methodBudget: options.methodBudget,
      slowBudget: options.slowBudget,
      serviceSeconds: options.serviceSeconds,
      scalingSeconds: options.scalingSeconds,
    },
    ...report,
  };
  await fs.writeFile(
    path.resolve(REPOSITORY_ROOT, options.output),
    `${JSON.stringify(results, roundNumbers, 2)}\n`,
  );
  log(`wrote ${options.output}`);
}

/** Three decimals are plenty for milliseconds and ratios, and keep the JSON readable in a diff. */
function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value)
    ? Math.round(value * 1000) / 1000
    : value;
}

let options: BenchOptions;
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

main(options)
  .then(() => {
    killAllChildren();
    process.exit(0);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    killAllChildren();
    process.exit(1);
  });
