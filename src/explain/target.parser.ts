import { ClassNotFoundError } from '../errors/class-not-found.error';
import { InvalidParameterError } from '../errors/invalid-parameter.error';
import { type LabelContext, LabelNotFoundError } from '../errors/label-not-found.error';
import { closestLabels } from './closest-labels';

/** A class to explain: a fixed index, or the class ranked `rank` by the model's score (1 = top). */
export type TargetSpec =
  | { readonly kind: 'class'; readonly index: number }
  | { readonly kind: 'rank'; readonly rank: number };

/** The `target` parameter as given: one value, or every value of a repeated `target`, in order. */
export type TargetParameter = string | readonly string[];

/** The classes a request names, and whether it names exactly one. */
export interface ParsedTargets {
  readonly specs: TargetSpec[];
  /**
   * One class named (top1, an index or a label), rather than a list or topk:N:
   * what makes a one-image answer a single binary map, whichever classes the
   * model then ranks first.
   */
  readonly oneClass: boolean;
}

/** More maps than this per image is a misuse (each costs one model run). */
export const MAX_TARGETS = 32;

/** The forms of one `target` value, for error messages. */
export const TARGET_FORMS =
  'a class index, a label, top1, topk:N, index:N, label:NAME, a "quoted label" or a comma-separated list of those';

/** Words that never name a label, whatever the model's labels are: a label so written needs label:. */
const RESERVED = /^(top1|topk:.*|index:.*|[+-]?\d+)$/i;

const LABEL_PREFIX = /^label:/i;
const INDEX_PREFIX = /^index:/i;

/** A JSON-quoted label at the start of the text (label: before it is allowed), and the blanks after it. */
const QUOTED_AT_START = /^\s*(?:label:\s*)?"(?:[^"\\]|\\.)*"\s*/i;

interface Model {
  readonly classCount: number;
  readonly labels: readonly string[];
}

/**
 * Parses `target` into specs in the order given (topk:N expands to ranks
 * 1..N; a class named twice stays twice). Each value of a repeated `target`
 * is read on its own. A value that is, as a whole, one of the labels (or
 * `label:` and one of them) is that label, commas and all, unless it is a
 * reserved form (top1, topk:N, an integer, index:N); otherwise it is a
 * comma-separated list whose items are top1, topk:N, an integer or index:N
 * (a class index), label:NAME or a JSON-quoted "NAME" (a label, never an
 * index or a keyword), or else a label. Labels match exactly, else ignoring case.
 * @throws ClassNotFoundError, LabelNotFoundError, InvalidParameterError
 */
export function parseTargets(
  target: TargetParameter,
  classCount: number,
  labels: readonly string[],
): ParsedTargets {
  const model = { classCount, labels };
  const values = typeof target === 'string' ? [target] : target;
  const parsed = values.map((value) => parseValue(value, model));

  const specs = parsed.flatMap((value) => value.specs);
  if (specs.length > MAX_TARGETS) {
    throw new InvalidParameterError('target', `at most ${MAX_TARGETS} classes per image`, target);
  }
  const oneClass = parsed.length === 1 && parsed[0]?.oneClass === true;
  return { specs, oneClass };
}

function parseValue(value: string, model: Model): ParsedTargets {
  const whole = wholeLabel(value.trim(), model.labels);
  if (whole !== undefined) {
    return { specs: [{ kind: 'class', index: whole }], oneClass: true };
  }

  const items = splitItems(value);
  // Every empty item is refused alike: "9,,1" and "9," as "," (a dropped item could be a typo).
  if (items.some((item) => item.length === 0)) {
    throw new InvalidParameterError('target', `${TARGET_FORMS}, without empty items`, value);
  }
  const specs = items.flatMap((item, index) =>
    parseItem(item, model, items.length > 1 ? { value, position: index + 1 } : undefined),
  );
  const oneClass = items.length === 1 && !/^topk:/i.test(items[0] ?? '');
  return { specs, oneClass };
}

/** The label a whole value names, when it is not a reserved form: "T-shirt, top" or label:7. */
function wholeLabel(value: string, labels: readonly string[]): number | undefined {
  if (RESERVED.test(value)) {
    return undefined;
  }
  const named = labelIndex(value, labels);
  if (named !== undefined || !LABEL_PREFIX.test(value)) {
    return named;
  }
  return labelIndex(value.replace(LABEL_PREFIX, '').trim(), labels);
}

/** The comma-separated items of a value, trimmed; a comma inside a JSON-quoted item is part of it. */
function splitItems(value: string): string[] {
  const items: string[] = [];
  let rest = value;

  for (;;) {
    const quoted = QUOTED_AT_START.exec(rest);
    const comma = rest.indexOf(',');
    const item = quoted?.[0] ?? (comma < 0 ? rest : rest.slice(0, comma));
    items.push(item.trim());
    rest = rest.slice(item.length);
    if (rest.length === 0) {
      return items;
    }
    if (!rest.startsWith(',')) {
      throw new InvalidParameterError(
        'target',
        `${TARGET_FORMS}, with a comma after each quoted label`,
        value,
      );
    }
    rest = rest.slice(1);
  }
}

/** @param list the whole value and the item's place in it, when the value is a list */
function parseItem(item: string, model: Model, list?: LabelContext['list']): TargetSpec[] {
  if (item.startsWith('"') || LABEL_PREFIX.test(item)) {
    return [{ kind: 'class', index: labelItem(item, model, list) }];
  }
  if (INDEX_PREFIX.test(item)) {
    const digits = item.replace(INDEX_PREFIX, '').trim();
    return [{ kind: 'class', index: classIndex(digits, item, model) }];
  }

  const lower = item.toLowerCase();
  if (lower === 'top1') {
    return [{ kind: 'rank', rank: 1 }];
  }
  const topk = /^topk:(.*)$/.exec(lower);
  if (topk !== null) {
    return topRanks(topk[1] ?? '', item, model.classCount);
  }
  if (/^[+-]?\d+$/.test(item)) {
    return [{ kind: 'class', index: classIndex(item, item, model) }];
  }
  return [{ kind: 'class', index: findLabel(item, item, model, { list, form: rankForm(item) }) }];
}

/** The rank form a label-like text seems to mean: top1 for top-1, topk:3 for top3, topk3 or top_3. */
function rankForm(text: string): string | undefined {
  const n = /^top[-_ ]?k?[-_ =]?(\d+)$/i.exec(text)?.[1];
  return n === undefined ? undefined : Number(n) === 1 ? 'top1' : `topk:${Number(n)}`;
}

function topRanks(count: string, item: string, classCount: number): TargetSpec[] {
  const n = Number(count);
  const most = Math.min(classCount, MAX_TARGETS);
  if (!Number.isInteger(n) || n < 1 || n > most) {
    throw new InvalidParameterError('target', `topk:N with N an integer from 1 to ${most}`, item);
  }
  return Array.from({ length: n }, (_, i) => ({ kind: 'rank', rank: i + 1 }));
}

/** The class of an index written as digits; `item` is what the caller wrote (7 or index:7). */
function classIndex(digits: string, item: string, model: Model): number {
  if (!/^[+-]?\d+$/.test(digits)) {
    throw new InvalidParameterError(
      'target',
      `index:N with N an integer from 0 to ${model.classCount - 1}`,
      item,
    );
  }
  const index = Number(digits);
  if (index < 0 || index >= model.classCount) {
    const labelled = digits === item && labelIndex(item, model.labels) !== undefined;
    throw new ClassNotFoundError(item, model.classCount, labelled);
  }
  return index;
}

/** The class of label:NAME, label:"NAME" or "NAME": always a label, never an index or a keyword. */
function labelItem(item: string, model: Model, list?: LabelContext['list']): number {
  const name = item.replace(LABEL_PREFIX, '').trim();
  return findLabel(name.startsWith('"') ? unquote(name) : name, item, model, { list });
}

/** The class of a label; `item` is what the caller wrote (Sneaker, label:Sneaker or "Sneaker"). */
function findLabel(name: string, item: string, model: Model, context: LabelContext = {}): number {
  if (name.length === 0) {
    throw new InvalidParameterError('target', 'label:NAME with NAME one of the labels', item);
  }
  const index = labelIndex(name, model.labels);
  if (index === undefined || index >= model.classCount) {
    throw new LabelNotFoundError(name, model.labels, closestLabels(name, model.labels), context);
  }
  return index;
}

/** The index of a label: written exactly, else ignoring case. */
function labelIndex(name: string, labels: readonly string[]): number | undefined {
  const exact = labels.indexOf(name);
  const lower = name.toLowerCase();
  const index = exact >= 0 ? exact : labels.findIndex((label) => label.toLowerCase() === lower);
  return index >= 0 ? index : undefined;
}

/** The text of a JSON-quoted label. */
function unquote(item: string): string {
  try {
    return JSON.parse(item) as string;
  } catch {
    throw new InvalidParameterError(
      'target',
      `a label in JSON quotes, such as "T-shirt, top"`,
      item,
    );
  }
}
