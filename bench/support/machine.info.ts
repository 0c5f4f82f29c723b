import { execSync } from 'node:child_process';
import * as os from 'node:os';

export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly lscpu: string;
  readonly memoryGiB: number;
  readonly loadAverage: readonly number[];
  readonly node: string;
  readonly onnxruntime: string;
  readonly platform: string;
}

/** What the numbers came from: cores, CPU, memory, load at the time, runtimes. */
export function machineInfo(): MachineInfo {
  return {
    nproc: Number(run('nproc') || os.availableParallelism()),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    // The flags line is long and says nothing the model name does not.
    lscpu: run('lscpu | head -n 20 | grep -v ^Flags'),
    memoryGiB: os.totalmem() / 2 ** 30,
    loadAverage: os.loadavg(),
    node: process.version,
    onnxruntime: ortVersion(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

function run(command: string): string {
  try {
    return execSync(command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function ortVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
