import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
export const K8S_DIR = path.join(DEPLOY_DIR, 'k8s');

export type Manifest = Record<string, unknown>;

/** Every .yaml/.yml file under a folder, as paths relative to the repository. */
export function yamlFilesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => path.relative(REPO_ROOT, path.join(folder, name)))
    .sort();
}

/** The documents of a YAML file; throws with every parse error and warning it has. */
export function readYamlDocuments(file: string): unknown[] {
  const text = readFileSync(path.resolve(REPO_ROOT, file), 'utf8');
  const documents = parseAllDocuments(text, { merge: true, prettyErrors: true });

  if (!Array.isArray(documents)) {
    return [];
  }

  const problems = documents.flatMap((document) => [...document.errors, ...document.warnings]);
  if (problems.length > 0) {
    throw new Error(`${file}: ${problems.map((problem) => problem.message).join('; ')}`);
  }

  return documents.map((document) => document.toJS({ maxAliasCount: 100 }) as unknown);
}

/** The manifests that deploy/k8s/kustomization.yaml lists, read without kustomize. */
export function kustomizationManifests(): Manifest[] {
  const [kustomization] = readYamlDocuments(path.join(K8S_DIR, 'kustomization.yaml')) as [
    { resources: string[] },
  ];

  return kustomization.resources.flatMap((resource) =>
    readYamlDocuments(path.join(K8S_DIR, resource)).filter(isManifest),
  );
}

function isManifest(value: unknown): value is Manifest {
  return typeof value === 'object' && value !== null;
}

/** True when a kubectl with built-in kustomize is on PATH. */
export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `kubectl kustomize` of deploy/k8s, with the named components added through a throwaway overlay. */
export function renderKustomization(components: readonly string[] = []): Manifest[] {
  const overlay = mkdtempSync(path.join(tmpdir(), 'cnn-lens-kustomize-'));

  try {
    // kustomize accepts only relative paths to a base.
    const base = path.relative(overlay, K8S_DIR);
    const lines = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      `  - ${base}`,
      ...(components.length > 0 ? ['components:'] : []),
      ...components.map((component) => `  - ${base}/components/${component}`),
    ];
    writeFileSync(path.join(overlay, 'kustomization.yaml'), `${lines.join('\n')}\n`);

    const rendered = execFileSync('kubectl', ['kustomize', overlay], { encoding: 'utf8' });
    return parseAllDocuments(rendered).map((document) => document.toJS() as Manifest);
  } finally {
    rmSync(overlay, { recursive: true, force: true });
  }
}

/** Whether a path in the repository exists (for COPY sources and volume sources). */
export function existsInRepo(relative: string): boolean {
  return existsSync(path.resolve(REPO_ROOT, relative));
}
