import type { ComputeResult } from '../compute/compute.section';
import type { Measured } from '../compute/engine.bench';
import type { LoadResult } from '../service/load.runner';
import type { ScalingResult, ServiceResult } from '../service/service.section';
import type { MachineInfo } from '../support/machine.info';
import type { TargetCheck } from './targets';
import { fixed, ms, textTable } from './text.table';

export interface BenchReport {
  readonly machine: MachineInfo;
  readonly noise: string;
  readonly compute: readonly ComputeResult[] | undefined;
  readonly service: ServiceResult | undefined;
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
}

/** The whole run as text tables: machine, compute, jobs, service, scaling, targets. */
export function renderReport(report: BenchReport): string {
  const parts = [
    `machine: ${report.machine.nproc} cores (${report.machine.cpuModel}), ${report.machine.memoryGiB.toFixed(1)} GiB, node ${report.machine.node}, onnxruntime-node ${report.machine.onnxruntime}`,
    `noise: ${report.noise}`,
    ...report.notes.map((n) => `note: ${n}`),
  ];

  if (report.compute !== undefined) {
    parts.push('', '== compute: engine (one onnxruntime run) ==', engineTable(report.compute));
    parts.push(
      '',
      '== compute: whole job inside the worker (handler called directly) ==',
      jobTable(report.compute),
    );
    const profiles = report.compute.flatMap((c) => profileLines(c));
    if (profiles.length > 0) {
      parts.push(
        '',
        '== onnxruntime profile: kernel time per operator type, ms per run ==',
        ...profiles,
      );
    }
  }
  if (report.service !== undefined) {
    parts.push(
      '',
      '== service over HTTP (autocannon; CPU in cores busy on average) ==',
      serviceTable(report.service),
    );
    parts.push(...report.service.notes.map((n) => `note: ${n}`));
    const rss = Object.entries(report.service.peakRssMiB).map(
      ([name, mib]) => `${name} ${fixed(mib, 0)} MiB`,
    );
    if (rss.length > 0) {
      parts.push(`peak RSS of the service processes: ${rss.join(', ')}`);
    }
    const scaling = report.service.scaling;
    if (scaling !== undefined) {
      parts.push('', '== scaling: queue workers with ORT_INTRA_OP_THREADS=1 each ==');
      parts.push(
        'skipped' in scaling ? scaling.skipped : scalingTable(scaling, report.machine.nproc),
      );
    }
  }
  parts.push('', '== targets ==', targetTable(report.targets));
  return parts.join('\n');
}

function engineTable(compute: readonly ComputeResult[]): string {
  const rows: string[][] = [];
  for (const c of compute) {
    if (!('layer' in c.engine)) {
      rows.push([c.model, `failed: ${c.engine.error}`, '', '', '', '', '', '']);
      continue;
    }
    const e = c.engine;
    const row = (what: string, m: Measured): string[] => [
      c.model,
      what,
      ms(m.medianMs),
      ms(m.p95Ms),
      String(m.runs),
      what === 'plain inference' ? '1.00x' : `${fixed(m.medianMs / e.plain.medianMs, 2)}x`,
      fixed(m.peakRssMiB, 0),
      m.buildMs === undefined ? '-' : ms(m.buildMs),
    ];
    rows.push(
      row('plain inference', e.plain),
      row('augmented: last conv layer', e.lastLayer),
      row('augmented: input gradient', e.inputGradient),
    );
  }
  return textTable(
    ['model', 'run', 'median ms', 'p95 ms', 'runs', 'x plain', 'peak RSS MiB', 'build ms'],
    rows,
  );
}

function jobTable(compute: readonly ComputeResult[]): string {
  const rows: string[][] = [];
  const skipped: string[] = [];
  for (const c of compute) {
    const plain = 'layer' in c.engine ? c.engine.plain.medianMs : undefined;
    const notRun = new Map<string, string[]>();
    for (const [job, outcome] of Object.entries(c.jobs)) {
      if (outcome.status !== 'ok') {
        const reason = `${outcome.status === 'failed' ? 'FAILED ' : ''}${outcome.reason}`;
        notRun.set(reason, [...(notRun.get(reason) ?? []), job.replace(/^explain:/, '')]);
        continue;
      }
      const base = outcome.baseline?.medianMs ?? plain;
      rows.push([
        c.model,
        job,
        ms(outcome.medianMs),
        ms(outcome.p95Ms),
        String(outcome.runs),
        ms(outcome.firstMs),
        base === undefined ? '-' : `${fixed(outcome.medianMs / base, 2)}x`,
        fixed(outcome.peakRssMiB, 0),
      ]);
    }
    // One line per distinct reason rather than one per method.
    for (const [reason, jobs] of notRun) {
      skipped.push(
        `  ${c.model} ${jobs.length > 8 ? `(${jobs.length} jobs)` : jobs.join(', ')}: ${reason}`,
      );
    }
  }
  const table = textTable(
    ['model', 'job', 'median ms', 'p95 ms', 'runs', 'first ms', 'x plain', 'peak RSS MiB'],
    rows,
  );
  return [table, ...skipped].join('\n');
}

function profileLines(c: ComputeResult): string[] {
  if (!('layer' in c.engine) || c.engine.profile === undefined) {
    return [];
  }
  const profile = c.engine.profile;
  const ops = [
    ...new Set([...profile.plain, ...profile.lastLayer, ...profile.inputGradient].map((o) => o.op)),
  ];
  const at = (list: typeof profile.plain, op: string) => list.find((o) => o.op === op)?.ms;
  const rows = ops
    .map(
      (op) =>
        [
          op,
          at(profile.plain, op),
          at(profile.lastLayer, op),
          at(profile.inputGradient, op),
        ] as const,
    )
    .sort((a, b) => (b[3] ?? 0) - (a[3] ?? 0))
    .slice(0, 14)
    .map(([op, p, l, i]) => [op, ms(p), ms(l), ms(i)]);
  return [`${c.model}:`, textTable(['operator', 'plain', 'last layer', 'input gradient'], rows)];
}

const cpuCells = (load: LoadResult): string[] => [
  fixed(load.cpu.api, 2),
  fixed(load.cpu.workers, 2),
  fixed(load.cpu.redis, 2),
  fixed(load.cpu.loadGenerator, 2),
  fixed(load.cpu.other, 2),
];

function serviceTable(service: ServiceResult): string {
  const rows = service.rows.map((r) => [
    r.mode,
    r.request,
    String(r.load.connections),
    fixed(r.load.rps, 1),
    ms(r.load.p50Ms),
    ms(r.load.p99Ms),
    String(r.load.errors + r.load.non2xx + r.load.timeouts),
    ...cpuCells(r.load),
    fixed(r.load.redisCommandsPerRequest, 1),
    r.timeline === undefined ? '-' : `${ms(r.timeline.waitMs)} / ${ms(r.timeline.runMs)}`,
  ]);
  return textTable(
    [
      'mode',
      'request',
      'conns',
      'rps',
      'p50 ms',
      'p99 ms',
      'errors',
      'cpu api',
      'workers',
      'redis',
      'loadgen',
      'others',
      'redis cmd/req',
      'job wait / run ms',
    ],
    rows,
  );
}

function scalingTable(s: ScalingResult, cores: number): string {
  const row = (label: string, l: LoadResult) => [
    label,
    fixed(l.rps, 2),
    ms(l.p50Ms),
    ms(l.p99Ms),
    String(l.errors + l.non2xx + l.timeouts),
    ...cpuCells(l),
    fixed(l.cpu.machine, 2),
    fixed(l.cpu.workers > 0 ? l.rps / l.cpu.workers : undefined, 2),
  ];
  const table = textTable(
    [
      'workers',
      'rps',
      'p50 ms',
      'p99 ms',
      'errors',
      'cpu api',
      'workers',
      'redis',
      'loadgen',
      'others',
      'machine',
      'jobs per worker cpu-s',
    ],
    [row('1', s.oneWorker), row('2', s.twoWorkers)],
  );
  return [
    table,
    `ratio ${fixed(s.ratio, 2)}x (${s.request}, ${s.connections} connections); ${scalingBound(s, cores)}`,
  ].join('\n');
}

/**
 * What bounds the two-worker throughput: the cores left to the workers once
 * the API, Redis, the load generator and everyone else have had theirs,
 * divided by what one worker used.
 */
export function scalingBound(s: ScalingResult, cores: number): string {
  const c = s.twoWorkers.cpu;
  const besides = c.api + (c.redis ?? 0) + c.loadGenerator + c.other;
  const perWorker = s.oneWorker.cpu.workers;
  const ceiling = perWorker > 0 ? Math.min(2, (cores - besides) / perWorker) : Number.NaN;
  const efficiency = (l: LoadResult): number => l.rps / l.cpu.workers;
  const kept = efficiency(s.twoWorkers) / efficiency(s.oneWorker);
  return (
    `two workers did ${fixed(kept * 100, 0)}% of one worker's jobs per CPU-second (the queue adds no contention when near 100%); ` +
    `with 2 workers the machine was ${fixed(c.machine, 2)} of ${cores} cores busy: workers ${fixed(c.workers, 2)}, ` +
    `API ${fixed(c.api, 2)}, Redis ${fixed(c.redis, 2)}, load generator ${fixed(c.loadGenerator, 2)}, ` +
    `other processes ${fixed(c.other, 2)}; one worker alone used ${fixed(perWorker, 2)} cores, ` +
    `so at one worker's CPU cost per job the CPU left to the workers allows about ${fixed(ceiling, 2)}x`
  );
}

function targetTable(targets: readonly TargetCheck[]): string {
  const rows = targets.map((t) => [
    `#${t.issue}`,
    t.what,
    t.value === undefined
      ? '-'
      : t.unit === 'count'
        ? String(t.value)
        : `${fixed(t.value, t.unit === 'ms' ? 1 : 2)}${t.unit === 'ms' ? ' ms' : 'x'}`,
    t.limit,
    t.pass === undefined ? 'n/a' : t.pass ? 'ok' : 'MISS',
    t.note,
  ]);
  return textTable(['issue', 'target', 'value', 'limit', 'result', 'note'], rows);
}
