import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import sharp from 'sharp';

export interface BenchImages {
  /** 28x28 grayscale PNG: a bright garment-like blob on a dark background, for the bundled model. */
  readonly small: Buffer;
  /** 224x224 RGB PNG with smooth gradients and shapes, for the ResNet-50-shaped network. */
  readonly large: Buffer;
}

/** Deterministic test pictures, written once to bench/out/images for curl and inspection. */
export async function makeBenchImages(outDir: string): Promise<BenchImages> {
  const small = await sharp(pixels(28, 28, 1, garment), {
    raw: { width: 28, height: 28, channels: 1 },
  })
    .png()
    .toBuffer();
  const large = await sharp(pixels(224, 224, 3, scene), {
    raw: { width: 224, height: 224, channels: 3 },
  })
    .png()
    .toBuffer();

  await fs.mkdir(outDir, { recursive: true });
  await fs.writeFile(path.join(outDir, 'garment-28.png'), small);
  await fs.writeFile(path.join(outDir, 'scene-224.png'), large);
  return { small, large };
}

type Shader = (x: number, y: number, channel: number) => number;

function pixels(width: number, height: number, channels: number, shade: Shader): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const v = shade(x / (width - 1), y / (height - 1), c);
        data[(y * width + x) * channels + c] = Math.round(255 * Math.min(1, Math.max(0, v)));
      }
    }
  }
  return data;
}

const garment: Shader = (x, y) => {
  const body = Math.abs(x - 0.5) < 0.22 && y > 0.2 && y < 0.9;
  const sleeves = y > 0.2 && y < 0.45 && Math.abs(x - 0.5) < 0.42;
  return body || sleeves ? 0.75 + 0.2 * Math.sin(12 * y) : 0.02;
};

const scene: Shader = (x, y, c) => {
  const disc = (x - 0.4) ** 2 + (y - 0.45) ** 2 < 0.06 ? 0.6 : 0;
  const stripes = 0.15 * Math.sin(20 * (x + 0.3 * y) + c);
  return 0.2 + 0.4 * (c === 0 ? x : c === 1 ? y : 1 - x) + disc * (c === 2 ? 0.2 : 1) + stripes;
};
