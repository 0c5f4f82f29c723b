import type { LoopBudget } from './timed-loop';

export type Section = 'compute' | 'service' | 'scaling';

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: ReadonlySet<Section>;
  /** Profile the engine's sessions with onnxruntime's profiler. */
  readonly profile: boolean;
  /** Also run Score-CAM and Ablation-CAM on the ResNet-50-shaped network (minutes per job). */
  readonly allMethods: boolean;
  /** Rebuild dist/ even when it looks current. */
  readonly build: boolean;
  readonly intraOpThreads: number;
  /** Seconds per autocannon measurement. */
  readonly serviceSeconds: number;
  readonly scalingSeconds: number;
  readonly budget: LoopBudget;
  /** ResNet-50 jobs other than Grad-CAM: fewer runs, to keep the full run well under 15 minutes. */
  readonly methodBudget: LoopBudget;
  readonly slowBudget: LoopBudget;
  readonly output: string;
}

const SECTIONS: readonly Section[] = ['compute', 'service', 'scaling'];

const USAGE = `usage: npm run bench -- [--quick] [--only=compute,service,scaling] [--profile] [--all-methods] [--build] [--threads=N] [--out=bench/results.json]`;

/** Reads the command line; a wrong flag stops with the usage line. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null) {
      throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    }
    flags.set(match[1], match[2] ?? 'true');
  }
  for (const name of flags.keys()) {
    if (
      !['quick', 'only', 'profile', 'all-methods', 'build', 'threads', 'out', 'help'].includes(name)
    ) {
      throw new Error(`unknown flag --${name}\n${USAGE}`);
    }
  }
  if (flags.has('help')) {
    throw new Error(USAGE);
  }

  const quick = flags.has('quick');
  const only = flags.get('only')?.split(',') ?? SECTIONS;
  const unknown = only.filter((s) => !SECTIONS.includes(s as Section));
  if (unknown.length > 0) {
    throw new Error(
      `--only: expected a comma-separated list of ${SECTIONS.join(', ')}, got "${unknown.join(',')}"`,
    );
  }
  const threads = Number(flags.get('threads') ?? process.env.ORT_INTRA_OP_THREADS ?? '0');
  if (!Number.isInteger(threads) || threads < 0) {
    throw new Error(
      `--threads: expected an integer >= 0 (0: one per core), got "${flags.get('threads')}"`,
    );
  }

  return {
    quick,
    sections: new Set(only as Section[]),
    profile: flags.has('profile'),
    allMethods: flags.has('all-methods'),
    build: flags.has('build'),
    intraOpThreads: threads,
    serviceSeconds: quick ? 2 : 8,
    scalingSeconds: quick ? 4 : 20,
    budget: quick
      ? { warmup: 1, minRuns: 3, maxRuns: 30, budgetMs: 600 }
      : { warmup: 3, minRuns: 15, maxRuns: 200, budgetMs: 3000 },
    methodBudget: quick
      ? { warmup: 1, minRuns: 3, maxRuns: 30, budgetMs: 600 }
      : { warmup: 1, minRuns: 8, maxRuns: 100, budgetMs: 2000 },
    slowBudget: quick
      ? { warmup: 0, minRuns: 1, maxRuns: 1, budgetMs: 0 }
      : { warmup: 0, minRuns: 1, maxRuns: 3, budgetMs: 10_000 },
    output: flags.get('out') ?? 'bench/results.json',
  };
}
