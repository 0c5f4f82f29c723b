import * as path from 'node:path';

import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

import { REPO_ROOT } from '../http-app';

/** 28x28 greyscale PNGs of seeded noise over a seeded gradient: each one different, each classified with some confidence. */
export async function fashionImages(count: number, size = 28): Promise<Buffer[]> {
  const images: Buffer[] = [];
  for (let index = 0; index < count; index++) {
    images.push(await greyPng(size, index + 1));
  }
  return images;
}

async function greyPng(size: number, seed: number): Promise<Buffer> {
  let state = seed * 7919;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const slope = next() * 2 - 1;
  const pixels = Buffer.alloc(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const base = 128 + slope * 127 * ((x + y) / size - 1);
      pixels[y * size + x] = Math.max(0, Math.min(255, Math.round(base + (next() - 0.5) * 160)));
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toBuffer();
}

export interface ReferencePrediction {
  readonly index: number;
  readonly probability: number;
}

/**
 * Top-1 class of a 28x28 greyscale PNG computed here, apart from the
 * service: model.json's normalisation (x/255 - 0.286) / 0.353, the bundled
 * ONNX model in onnxruntime, softmax over the logits.
 */
export class ReferenceClassifier {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(): Promise<ReferenceClassifier> {
    const file = path.join(REPO_ROOT, 'models/fashion-mnist/model.onnx');
    return new ReferenceClassifier(
      await ort.InferenceSession.create(file, { intraOpNumThreads: 1 }),
    );
  }

  async top1(png: Buffer): Promise<ReferencePrediction> {
    const { data, info } = await sharp(png)
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const input = Float32Array.from(data, (value) => (value / 255 - 0.286) / 0.353);
    const feeds = { input: new ort.Tensor('float32', input, [1, 1, info.height, info.width]) };
    const logits = (await this.session.run(feeds)).logits?.data as Float32Array;

    const max = Math.max(...logits);
    const exp = Array.from(logits, (value) => Math.exp(value - max));
    const total = exp.reduce((sum, value) => sum + value, 0);
    const index = exp.indexOf(Math.max(...exp));
    return { index, probability: (exp[index] ?? 0) / total };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
