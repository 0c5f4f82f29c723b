import { ClassNotFoundError } from '../errors/class-not-found.error';
import { InvalidParameterError } from '../errors/invalid-parameter.error';
import { LabelNotFoundError } from '../errors/label-not-found.error';

/** A class to explain: a fixed index, or the class ranked `rank` by the model's score (1 = top). */
export type TargetSpec =
  | { readonly kind: 'class'; readonly index: number }
  | { readonly kind: 'rank'; readonly rank: number };

/** More maps than this per image is a misuse (each costs one model run). */
export const MAX_TARGETS = 32;

const TARGET_FORMS = 'a class index, a label, top1, topk:N or a comma-separated list of those';

/** The comma-separated parts of `target`, trimmed; an empty one stays, for parseTargets to refuse. */
function targetParts(text: string): string[] {
  return text.split(',').map((part) => part.trim());
}

/**
 * Whether `target` names exactly one class (top1, an index or a label) rather
 * than a list or topk:N: what makes a one-image answer a single binary map,
 * whichever classes the model then ranks first.
 */
export function namesOneClass(text: string): boolean {
  const parts = targetParts(text);
  return parts.length === 1 && !/^topk:/i.test(parts[0] ?? '');
}

/**
 * Parses `target`: a class index, a label, top1, topk:N, or a comma-separated
 * list of those, into specs in the order given (topk:N expands to ranks 1..N);
 * a class named twice stays twice.
 * @throws ClassNotFoundError, LabelNotFoundError, InvalidParameterError
 */
export function parseTargets(
  text: string,
  classCount: number,
  labels: readonly string[],
): TargetSpec[] {
  const parts = targetParts(text);
  // Every empty item is refused alike: "9,,1" and "9," as "," (a dropped item could be a typo).
  if (parts.some((part) => part.length === 0)) {
    throw new InvalidParameterError('target', `${TARGET_FORMS}, without empty items`, text);
  }

  const specs = parts.flatMap((part) => parsePart(part, classCount, labels));
  if (specs.length > MAX_TARGETS) {
    throw new InvalidParameterError('target', `at most ${MAX_TARGETS} classes per image`, text);
  }
  return specs;
}

function parsePart(part: string, classCount: number, labels: readonly string[]): TargetSpec[] {
  const lower = part.toLowerCase();
  if (lower === 'top1') {
    return [{ kind: 'rank', rank: 1 }];
  }

  const topk = /^topk:(.*)$/.exec(lower);
  if (topk !== null) {
    const n = Number(topk[1]);
    if (!Number.isInteger(n) || n < 1 || n > Math.min(classCount, MAX_TARGETS)) {
      throw new InvalidParameterError(
        'target',
        `topk:N with N an integer from 1 to ${Math.min(classCount, MAX_TARGETS)}`,
        part,
      );
    }
    return Array.from({ length: n }, (_, i) => ({ kind: 'rank', rank: i + 1 }));
  }

  if (/^[+-]?\d+$/.test(part)) {
    const index = Number(part);
    if (index < 0 || index >= classCount) {
      throw new ClassNotFoundError(part, classCount);
    }
    return [{ kind: 'class', index }];
  }

  const exact = labels.indexOf(part);
  const index = exact >= 0 ? exact : labels.findIndex((label) => label.toLowerCase() === lower);
  if (index < 0 || index >= classCount) {
    throw new LabelNotFoundError(part, labels);
  }
  return [{ kind: 'class', index }];
}
