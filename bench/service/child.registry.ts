import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let installed = false;

/**
 * Remembers every process the bench starts so that all of them are killed
 * when it ends, whether it finishes, throws, or is interrupted (Ctrl-C).
 */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  installCleanup();
}

/** SIGKILLs every child still alive (synchronous: safe in an 'exit' handler). */
export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
  children.clear();
}

function installCleanup(): void {
  if (installed) {
    return;
  }
  installed = true;
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal}, stopping the processes it started\n`);
      killAllChildren();
      process.exit(130);
    });
  }
}
