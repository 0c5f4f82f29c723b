import type { InputSpec } from './input-spec';

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * How the model input relates to the upright original image. Coordinates are continuous
 * (pixel i spans [i, i + 1)); an input point u maps to the image point
 * source.left + (u - content.left) * source.width / content.width, and likewise for y.
 */
export interface InputGeometry {
  readonly resize: InputSpec['resize'];
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Where the picture lies in the input, in input pixels (letterbox: inside the padding). */
  readonly content: Rect;
  /** The part of the original shown there, in original pixels (center-crop: the crop). */
  readonly source: Rect;
}

/** The sharp steps that realise a geometry: resize to `resized`, then pad or crop. */
export interface ResizePlan {
  readonly geometry: InputGeometry;
  readonly resizedWidth: number;
  readonly resizedHeight: number;
  /** letterbox: padding before the picture; center-crop: offset of the crop in the resized picture. */
  readonly offsetLeft: number;
  readonly offsetTop: number;
}

const fullImage = (width: number, height: number): Rect => ({ left: 0, top: 0, width, height });

function stretch(w: number, h: number, inW: number, inH: number): ResizePlan {
  return {
    geometry: geometry('stretch', w, h, inW, inH, fullImage(inW, inH), fullImage(w, h)),
    resizedWidth: inW,
    resizedHeight: inH,
    offsetLeft: 0,
    offsetTop: 0,
  };
}

function letterbox(w: number, h: number, inW: number, inH: number): ResizePlan {
  const scale = Math.min(inW / w, inH / h);
  const rw = Math.min(inW, Math.max(1, Math.round(w * scale)));
  const rh = Math.min(inH, Math.max(1, Math.round(h * scale)));
  const left = Math.floor((inW - rw) / 2);
  const top = Math.floor((inH - rh) / 2);

  const content = { left, top, width: rw, height: rh };
  return {
    geometry: geometry('letterbox', w, h, inW, inH, content, fullImage(w, h)),
    resizedWidth: rw,
    resizedHeight: rh,
    offsetLeft: left,
    offsetTop: top,
  };
}

function centerCrop(w: number, h: number, inW: number, inH: number): ResizePlan {
  const scale = Math.max(inW / w, inH / h);
  const rw = Math.max(inW, Math.round(w * scale));
  const rh = Math.max(inH, Math.round(h * scale));
  const left = Math.floor((rw - inW) / 2);
  const top = Math.floor((rh - inH) / 2);

  // The resize maps the whole original onto rw x rh, so each axis scales by w / rw and h / rh.
  const source = {
    left: (left * w) / rw,
    top: (top * h) / rh,
    width: (inW * w) / rw,
    height: (inH * h) / rh,
  };
  return {
    geometry: geometry('center-crop', w, h, inW, inH, fullImage(inW, inH), source),
    resizedWidth: rw,
    resizedHeight: rh,
    offsetLeft: left,
    offsetTop: top,
  };
}

function geometry(
  resize: InputSpec['resize'],
  imageWidth: number,
  imageHeight: number,
  inputWidth: number,
  inputHeight: number,
  content: Rect,
  source: Rect,
): InputGeometry {
  return { resize, imageWidth, imageHeight, inputWidth, inputHeight, content, source };
}

/**
 * Plans how an image of width x height becomes the model input: stretch scales each axis;
 * letterbox scales by min(inW/w, inH/h) and centres with padding; center-crop scales by
 * max(inW/w, inH/h) and keeps the centre (the torchvision Resize + CenterCrop idea).
 */
export function planResize(
  width: number,
  height: number,
  spec: Pick<InputSpec, 'width' | 'height' | 'resize'>,
): ResizePlan {
  switch (spec.resize) {
    case 'stretch':
      return stretch(width, height, spec.width, spec.height);
    case 'letterbox':
      return letterbox(width, height, spec.width, spec.height);
    case 'center-crop':
      return centerCrop(width, height, spec.width, spec.height);
  }
}
