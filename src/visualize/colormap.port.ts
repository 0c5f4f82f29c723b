/**
 * Maps values to interleaved RGB bytes (3 per value): [0, 1] for a sequential
 * colormap, [-1, 1] with zero at the neutral centre for a diverging one.
 * imaging/ supplies the named maps (applyColormap, applyDivergingColormap).
 */
export type ColormapFn = (values: Float32Array) => Uint8Array;
