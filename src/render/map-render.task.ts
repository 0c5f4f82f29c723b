import type { AnyColormapName } from '../imaging/colormap.names';
import type { DecodedImage } from '../imaging/decoded-image';
import { renderHeatmapPng, renderOverlayPng } from '../imaging/heatmap.renderer';
import type { InputGeometry } from '../imaging/input-geometry';
import { mapToImage } from '../imaging/map-to-image';
import { encodeNpy } from '../imaging/npy.codec';
import { encodeTensorJson } from '../imaging/tensor-json.encoder';

/** One or more planes [C, H, W] of one map, row-major; a class map has one channel. */
export interface MapPlanes {
  /** Whether the tensor keeps the channel axis ([C, H, W]) or is a plain [H, W] map. */
  readonly channelAxis: boolean;
  readonly channels: number;
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** The upright original: its size, and its RGB pixels when the map is drawn on it. */
export interface TaskImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | undefined;
}

/**
 * Everything one map's picture or tensor needs, as plain data that a worker
 * thread can receive: the map at its own resolution, how it lies on the
 * image, and the output asked for.
 */
export interface MapRenderTask {
  readonly output: 'overlay' | 'heatmap' | 'tensor';
  /** For tensors: json writes the tensor as a JSON object, otherwise it is an .npy file. */
  readonly format: 'npy' | 'json' | undefined;
  /** binary: the PNG or .npy bytes as they are; json: a JSON value for a JSON document (base64 string). */
  readonly encoding: 'binary' | 'json';
  /** For tensors: the map at its own size (layer) or upsampled onto the image (image). */
  readonly resolution: 'layer' | 'image';
  readonly colormap: AnyColormapName;
  readonly alpha: number;
  readonly map: MapPlanes;
  readonly geometry: InputGeometry;
  readonly image: TaskImage;
}

/** The content type of a task's bytes, before any JSON wrapping. */
export function taskContentType(task: MapRenderTask): string {
  return task.output === 'tensor' ? 'application/x-npy' : 'image/png';
}

/** Each plane brought onto the upright original at its size, undoing stretch, letterbox or crop. */
function onImage(task: MapRenderTask): Float32Array {
  const { map, geometry, image } = task;
  const area = map.width * map.height;
  const out = new Float32Array(map.channels * image.width * image.height);

  for (let c = 0; c < map.channels; c += 1) {
    const plane = map.data.subarray(c * area, (c + 1) * area);
    out.set(
      mapToImage(plane, map.width, map.height, geometry, image.width, image.height),
      c * image.width * image.height,
    );
  }
  return out;
}

function tensorShape(task: MapRenderTask): number[] {
  const { map, image } = task;
  const [height, width] =
    task.resolution === 'layer' ? [map.height, map.width] : [image.height, image.width];
  return map.channelAxis ? [map.channels, height, width] : [height, width];
}

async function picture(task: MapRenderTask): Promise<Buffer> {
  const { image } = task;
  if (task.output === 'heatmap') {
    return renderHeatmapPng(onImage(task), image.width, image.height, task.colormap);
  }
  if (image.data === undefined) {
    throw new RangeError('an overlay needs the image pixels, but the task carries none');
  }

  const pixels: DecodedImage = {
    data: image.data,
    width: image.width,
    height: image.height,
    channels: 3,
    format: 'raw',
    sourceChannels: 3,
    hadAlpha: false,
  };
  return renderOverlayPng(pixels, onImage(task), task.colormap, task.alpha);
}

/**
 * The per-pixel work of one map, on whichever thread calls it: upsampling,
 * colormap, blending and encoding (PNG, .npy or JSON). The service runs it in
 * its render worker threads; the maths are the pure functions of imaging/.
 */
export async function renderMapTask(task: MapRenderTask): Promise<Buffer> {
  let bytes: Buffer;
  if (task.output === 'tensor') {
    const data = task.resolution === 'layer' ? task.map.data : onImage(task);
    if (task.format === 'json') {
      return encodeTensorJson(data, tensorShape(task));
    }
    bytes = encodeNpy(data, tensorShape(task));
  } else {
    bytes = await picture(task);
  }

  // base64 has no character JSON must escape, so the quoted text is the JSON string
  return task.encoding === 'json' ? Buffer.from(`"${bytes.toString('base64')}"`) : bytes;
}
