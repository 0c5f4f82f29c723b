import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { REPO_ROOT } from './http-app';

/**
 * The bundled model's ten Fashion-MNIST classes under labels that look like
 * other target forms: a comma inside a label (as ImageNet's "tench, Tinca
 * tinca"), a label written as an index ("7", class 9: the ankle boot) and one
 * written as a keyword ("top1", class 7: the sneaker).
 */
export const TRICKY_LABELS = [
  'T-shirt, top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'top1',
  'Bag',
  '7',
] as const;

export interface LabelledModelRepository {
  /** The repository folder, for MODEL_REPOSITORY; its one model is `fashion-mnist`. */
  readonly root: string;
  remove(): Promise<void>;
}

/** A temporary model repository holding the bundled model with `labels` inline in its model.json. */
export async function labelledModelRepository(
  labels: readonly string[] = TRICKY_LABELS,
): Promise<LabelledModelRepository> {
  const root = await mkdtemp(path.join(tmpdir(), 'cnn-lens-labels-'));
  const folder = path.join(root, 'fashion-mnist');
  await cp(path.join(REPO_ROOT, 'models/fashion-mnist'), folder, { recursive: true });

  const spec = JSON.parse(await readFile(path.join(folder, 'model.json'), 'utf8')) as object;
  await writeFile(path.join(folder, 'model.json'), JSON.stringify({ ...spec, labels }));
  await rm(path.join(folder, 'labels.txt'));

  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
