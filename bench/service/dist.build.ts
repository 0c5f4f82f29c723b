import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface BuiltEntry {
  /** Arguments for node: the compiled entry point. */
  readonly entry: readonly string[];
  readonly note: string;
}

/**
 * dist/main.js, rebuilt with `npm run build` when it is missing, when asked,
 * or (`whenStale`) when older than a source file; a failed build leaves the service sections
 * unavailable, with the build's last lines as the reason.
 */
export function ensureBuilt(
  root: string,
  mode: { readonly force: boolean; readonly whenStale: boolean },
  log: (line: string) => void,
): BuiltEntry | string {
  const main = path.join(root, 'dist', 'main.js');
  const exists = existsSync(main);
  const stale = !exists || newestSource(path.join(root, 'src')) > statSync(main).mtimeMs;

  if (!mode.force && !stale) {
    return { entry: [main], note: 'dist/main.js (current)' };
  }
  if (!mode.force && exists && !mode.whenStale) {
    return { entry: [main], note: 'dist/main.js (older than src/: --build rebuilds it)' };
  }
  const force = mode.force;
  log(`building dist/ with npm run build (${force ? 'asked' : 'sources are newer'})`);
  const started = performance.now();
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8' });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);

  if (!existsSync(main)) {
    const output = `${build.stdout}${build.stderr}`.trim().split('\n').slice(-8).join('\n');
    return `not available: npm run build failed (exit ${build.status}):\n${output}`;
  }
  const warning =
    build.status === 0 ? '' : ` (build exited ${build.status}; type errors in files in progress?)`;
  return { entry: [main], note: `dist/main.js (rebuilt in ${seconds} s${warning})` };
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}
