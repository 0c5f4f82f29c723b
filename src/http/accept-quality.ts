import { parse } from 'content-type';

/** One media range of an Accept header, lower-cased by the parser; parameters other than q are not used. */
interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/** The media types a tensor answer can take besides JSON: the same .npy bytes under either name. */
const BINARY_TENSOR_TYPES = ['application/x-npy', 'application/octet-stream'] as const;

/**
 * The media ranges of an Accept header, tokenised by `content-type` (quoted
 * parameters may hold commas). A range without type/subtype, or whose q is
 * not a number from 0 to 1, is left out rather than guessed at.
 */
function mediaRanges(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  let start = 0;
  while (start < accept.length) {
    const parsed = parse(accept, { comma: true, start });
    const [type = '', subtype = ''] = parsed.type.split('/');
    const q = parsed.parameters.q === undefined ? 1 : Number(parsed.parameters.q);
    if (type !== '' && subtype !== '' && Number.isFinite(q) && q >= 0 && q <= 1) {
      ranges.push({ type, subtype, q });
    }
    // An empty element (",,") leaves the parser on its comma: step over it.
    start = Math.max(parsed.index, start) + 1;
  }
  return ranges;
}

function specificity(range: MediaRange, type: string, subtype: string): number {
  if (range.type === type && range.subtype === subtype) {
    return 2;
  }
  if (range.type === type && range.subtype === '*') {
    return 1;
  }
  return range.type === '*' && range.subtype === '*' ? 0 : -1;
}

/**
 * RFC 9110 section 12.5.1: the quality the client gives `mediaType`, the q
 * of the most specific range that matches it (the higher q among equally
 * specific ones), 0 when none does. No header accepts everything at q = 1.
 */
export function acceptQuality(accept: string | undefined, mediaType: string): number {
  if (accept === undefined) {
    return 1;
  }
  const [type = '', subtype = ''] = mediaType.toLowerCase().split('/');
  let best = { specificity: -1, q: 0 };
  for (const range of mediaRanges(accept)) {
    const s = specificity(range, type, subtype);
    if (s > best.specificity || (s === best.specificity && s >= 0 && range.q > best.q)) {
      best = { specificity: s, q: range.q };
    }
  }
  return best.specificity < 0 ? 0 : best.q;
}

/**
 * Whether a tensor answer should be JSON: the client gives application/json
 * a strictly higher q than both names of the .npy answer. A tie keeps the
 * .npy default: no header, or application/json beside the any-type range at
 * the same q (a more specific range only decides its own type's q, it does
 * not make that type preferred).
 */
export function prefersJsonTensor(accept: string | undefined): boolean {
  const json = acceptQuality(accept, 'application/json');
  return BINARY_TENSOR_TYPES.every((type) => json > acceptQuality(accept, type));
}
