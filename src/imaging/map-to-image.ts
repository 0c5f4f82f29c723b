import { axisSamples, checkGridSize, checkMapSize, sampleBilinear } from './bilinear-sampler';
import type { InputGeometry } from './input-geometry';

interface Axis {
  readonly inputSize: number;
  readonly contentStart: number;
  readonly contentSize: number;
  readonly sourceStart: number;
  readonly sourceSize: number;
  readonly imageSize: number;
}

/** Input-tensor coordinate of the centre of output pixel i (output spans the whole image). */
function inputCoordinate(axis: Axis, outSize: number, i: number): number {
  const imagePoint = ((i + 0.5) * axis.imageSize) / outSize;
  return axis.contentStart + ((imagePoint - axis.sourceStart) * axis.contentSize) / axis.sourceSize;
}

function axisPlan(
  axis: Axis,
  mapSize: number,
  outSize: number,
): { samples: ReturnType<typeof axisSamples>; seen: boolean[] } {
  const coordinate = (i: number): number => inputCoordinate(axis, outSize, i);
  const samples = axisSamples(
    outSize,
    mapSize,
    (i) => (coordinate(i) * mapSize) / axis.inputSize - 0.5,
  );
  const seen = Array.from(
    { length: outSize },
    (_, i) => coordinate(i) >= 0 && coordinate(i) <= axis.inputSize,
  );
  return { samples, seen };
}

/**
 * Brings a map over the model input (or a layer grid covering it) onto the upright
 * original image at outWidth x outHeight, undoing stretch, letterbox padding or the
 * center crop; bilinear with half-pixel centres. Image parts the model never saw
 * (outside a center crop) are 0.
 */
export function mapToImage(
  map: Float32Array,
  mapWidth: number,
  mapHeight: number,
  geometry: InputGeometry,
  outWidth: number,
  outHeight: number,
): Float32Array {
  checkMapSize(map, mapWidth, mapHeight);
  checkGridSize('output size', outWidth, outHeight);
  const { content, source } = geometry;

  const x = axisPlan(
    {
      inputSize: geometry.inputWidth,
      contentStart: content.left,
      contentSize: content.width,
      sourceStart: source.left,
      sourceSize: source.width,
      imageSize: geometry.imageWidth,
    },
    mapWidth,
    outWidth,
  );
  const y = axisPlan(
    {
      inputSize: geometry.inputHeight,
      contentStart: content.top,
      contentSize: content.height,
      sourceStart: source.top,
      sourceSize: source.height,
      imageSize: geometry.imageHeight,
    },
    mapHeight,
    outHeight,
  );
  const out = sampleBilinear(map, mapWidth, x.samples, y.samples);

  for (let row = 0; row < outHeight; row++) {
    for (let col = 0; col < outWidth; col++) {
      if (!x.seen[col] || !y.seen[row]) {
        out[row * outWidth + col] = 0;
      }
    }
  }
  return out;
}
