import type { JobAnswer } from '../../jobs/job.types';
import type { Explanation } from '../cnn-lens.messages';
import { decodeNpy } from '../npy.decoder';
import { type AnswerFields, explanationInfo } from './explanation-info';

/**
 * Explanations of one image from its job's answer: one binary map (PNG or
 * .npy) with its metadata, or a JSON document whose `results` hold one map
 * per target, PNG or .npy bytes in base64. The job saw only this image, so
 * the `image` its answer names (always 0) is replaced by the image's position
 * in the request.
 */
export function explanationsOf(jobId: string, image: number, answer: JobAnswer): Explanation[] {
  if (answer.type === 'binary') {
    // the same attributes as a result of a JSON document: its output and content type too
    const info = explanationInfo({ ...answer.metadata, content_type: answer.contentType, image });
    return [{ ...payload(answer.contentType, answer.data), info, job_id: jobId, image }];
  }

  const body = (answer.body ?? {}) as AnswerFields;
  const results = Array.isArray(body.results) ? (body.results as AnswerFields[]) : [body];
  const header = Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'results'));
  return results.map((result) => ({
    ...encodedPayload(result, answer.body),
    info: explanationInfo({ ...header, ...withoutPayload(result), image }),
    job_id: jobId,
    image,
  }));
}

/** Keys of a result that carry its map: sent once, as png or tensor, never again as an attribute. */
const PAYLOAD_KEYS: ReadonlySet<string> = new Set(['png_base64', 'npy_base64', 'tensor']);

function withoutPayload(result: AnswerFields): AnswerFields {
  return Object.fromEntries(Object.entries(result).filter(([key]) => !PAYLOAD_KEYS.has(key)));
}

function payload(contentType: string, data: Buffer): Pick<Explanation, 'png' | 'tensor'> {
  return contentType === 'application/x-npy' ? { tensor: decodeNpy(data) } : { png: data };
}

function encodedPayload(
  result: AnswerFields,
  whole: unknown,
): Pick<Explanation, 'png' | 'tensor' | 'json'> {
  if (typeof result.png_base64 === 'string') {
    return { png: Buffer.from(result.png_base64, 'base64') };
  }
  if (typeof result.npy_base64 === 'string') {
    return { tensor: decodeNpy(Buffer.from(result.npy_base64, 'base64')) };
  }
  return { json: JSON.stringify(whole) };
}
