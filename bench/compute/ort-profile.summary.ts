import { promises as fs } from 'node:fs';

interface ProfileEvent {
  readonly cat?: string;
  readonly name?: string;
  readonly dur?: number;
  readonly args?: { readonly op_name?: string };
}

export interface OperatorTime {
  readonly op: string;
  /** Kernel time per run, milliseconds. */
  readonly ms: number;
  readonly share: number;
}

/**
 * Kernel time by operator type from an onnxruntime profile (chrome-trace
 * JSON: one "Node" event per kernel run), averaged over `runs` runs.
 */
export async function operatorTimes(file: string, runs: number): Promise<OperatorTime[]> {
  const events = JSON.parse(await fs.readFile(file, 'utf8')) as ProfileEvent[];
  const byOp = new Map<string, number>();

  for (const event of events) {
    if (event.cat !== 'Node' || event.name?.endsWith('_kernel_time') !== true) {
      continue;
    }
    const op = event.args?.op_name ?? 'unknown';
    byOp.set(op, (byOp.get(op) ?? 0) + (event.dur ?? 0));
  }

  const total = [...byOp.values()].reduce((sum, us) => sum + us, 0);
  return [...byOp.entries()]
    .map(([op, us]) => ({ op, ms: us / 1000 / runs, share: total === 0 ? 0 : us / total }))
    .sort((a, b) => b.ms - a.ms);
}
