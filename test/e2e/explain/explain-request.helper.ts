import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

function collect(
  res: NodeJS.ReadableStream,
  callback: (error: Error | null, body: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** Buffers any response body (PNG, .npy) as bytes; superagent's typing expects a DOM Response. */
export const binaryParser = collect as unknown as Parameters<request.Test['parse']>[0];

/** POST `path` with each image as a repeated multipart `image` field. */
export function postImages(
  app: NestFastifyApplication,
  path: string,
  images: readonly Buffer[],
  fields: Readonly<Record<string, string>> = {},
) {
  let call = request(app.getHttpServer()).post(path);
  for (const [name, value] of Object.entries(fields)) {
    call = call.field(name, value);
  }
  images.forEach((image, i) => {
    call = call.attach('image', image, `image-${i}.png`);
  });
  return call;
}

/** The map of a single-map JSON tensor answer, with its shape. */
export function tensorOf(body: { tensor: { shape: number[]; data: number[] } }): {
  shape: number[];
  data: number[];
} {
  return body.tensor;
}

/** Share of a map's mass inside a rectangle [0, x1) x [0, y1). */
export function massShare(
  data: readonly number[],
  width: number,
  inside: (x: number, y: number) => boolean,
): number {
  let total = 0;
  let part = 0;
  data.forEach((v, i) => {
    total += v;
    if (inside(i % width, Math.floor(i / width))) {
      part += v;
    }
  });
  return total > 0 ? part / total : 0;
}

/** One map of an explanation answer in JSON. */
export interface MapResult {
  readonly image: number;
  readonly class_index: number;
  readonly label: string;
  readonly score: number;
  readonly probability: number;
  readonly tensor: { readonly shape: number[]; readonly data: number[] };
  readonly png_base64?: string;
}

/** A JSON explanation answer: one map's fields, or `results` when there are several maps. */
export interface ExplainBody extends MapResult {
  readonly model: string;
  readonly layer: string;
  readonly method: string;
  readonly score_kind: string;
  readonly output: string;
  readonly results: MapResult[];
}

export const bodyOf = (response: { body: unknown }): ExplainBody => response.body as ExplainBody;
