/** Below this size the Gram matrix is squared repeatedly, which converges whatever the eigen-gap. */
const SQUARING_LIMIT = 160;
const SQUARINGS = 12;
const POWER_ITERATIONS = 2000;
const TOLERANCE = 1e-13;

/** |s| at most this fraction of sum_p p^2 is a tie (a symmetric map): rounding, not data, would pick the sign. */
const SIGN_TIE = 1e-9;

/**
 * The projection of the rows of X (positions x channels, after subtracting
 * each channel's mean) on its first right singular vector: X_c v_1, as
 * pytorch-grad-cam's get_2d_projection. SVD leaves the sign of v_1 arbitrary
 * (pytorch-grad-cam keeps whatever LAPACK returns); it is fixed by
 * {@link principalSign}. `values` is channel-major [K, area].
 */
export function firstPrincipalProjection(
  values: Float32Array,
  channels: number,
  area: number,
): Float32Array {
  const centered = centerChannels(values, channels, area);
  const projection =
    area <= channels
      ? viaPositions(centered, channels, area)
      : viaChannels(centered, channels, area);

  const sign = principalSign(projection);
  return Float32Array.from(projection, (v) => sign * v);
}

/**
 * The sign of Bro, Acar & Kolda 2008 ("Resolving the sign ambiguity in the
 * singular value decomposition", J. Chemometrics 22:135-140): a singular
 * vector points to the side where most of the data's squared projections
 * lie, s = sum_p sign(p_p) p_p^2; for the first component the data projected
 * on v_1 are the centred rows, so p is the projection itself. A small region
 * that stands out from a large uniform one (a class's evidence on a dead
 * background) then comes out positive, whatever the constant background is.
 * On a tie (|s| <= 1e-9 sum p^2) the largest |p|, first in row-major order,
 * is made positive. Returns +1 or -1.
 */
export function principalSign(projection: ArrayLike<number>): 1 | -1 {
  let s = 0;
  let squares = 0;
  let extreme = 0;
  for (let p = 0; p < projection.length; p += 1) {
    const v = projection[p] ?? 0;
    s += Math.sign(v) * v * v;
    squares += v * v;
    extreme = Math.abs(v) > Math.abs(extreme) ? v : extreme;
  }
  if (Math.abs(s) <= SIGN_TIE * squares) {
    return extreme < 0 ? -1 : 1;
  }
  return s < 0 ? -1 : 1;
}

function centerChannels(values: Float32Array, channels: number, area: number): Float64Array {
  const centered = new Float64Array(channels * area);
  for (let k = 0; k < channels; k += 1) {
    let mean = 0;
    for (let p = k * area; p < (k + 1) * area; p += 1) {
      mean += values[p] ?? 0;
    }
    mean /= area;
    for (let p = k * area; p < (k + 1) * area; p += 1) {
      centered[p] = (values[p] ?? 0) - mean;
    }
  }
  return centered;
}

/** X_c v = sigma u, with u the top eigenvector of X_c X_c^T (positions x positions) and sigma^2 its eigenvalue. */
function viaPositions(centered: Float64Array, channels: number, area: number): Float64Array {
  const gram = new Float64Array(area * area);
  for (let k = 0; k < channels; k += 1) {
    const row = k * area;
    for (let p = 0; p < area; p += 1) {
      const a = centered[row + p] ?? 0;
      if (a === 0) {
        continue;
      }
      for (let q = p; q < area; q += 1) {
        gram[p * area + q] = (gram[p * area + q] ?? 0) + a * (centered[row + q] ?? 0);
      }
    }
  }
  mirrorUpper(gram, area);

  const { vector, value } = topEigenvector(gram, area);
  const sigma = Math.sqrt(Math.max(value, 0));
  return vector.map((u) => u * sigma);
}

/** X_c v with v the top eigenvector of X_c^T X_c (channels x channels). */
function viaChannels(centered: Float64Array, channels: number, area: number): Float64Array {
  const gram = new Float64Array(channels * channels);
  for (let k = 0; k < channels; k += 1) {
    for (let l = k; l < channels; l += 1) {
      let s = 0;
      for (let p = 0; p < area; p += 1) {
        s += (centered[k * area + p] ?? 0) * (centered[l * area + p] ?? 0);
      }
      gram[k * channels + l] = s;
    }
  }
  mirrorUpper(gram, channels);

  const { vector } = topEigenvector(gram, channels);
  const projection = new Float64Array(area);
  for (let k = 0; k < channels; k += 1) {
    const v = vector[k] ?? 0;
    for (let p = 0; p < area; p += 1) {
      projection[p] = (projection[p] ?? 0) + v * (centered[k * area + p] ?? 0);
    }
  }
  return projection;
}

function mirrorUpper(matrix: Float64Array, n: number): void {
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < i; j += 1) {
      matrix[i * n + j] = matrix[j * n + i] ?? 0;
    }
  }
}

/** Top eigenpair of a symmetric positive semi-definite matrix (unit vector). */
export function topEigenvector(
  matrix: Float64Array,
  n: number,
): { vector: Float64Array; value: number } {
  const start = n <= SQUARING_LIMIT ? dominantColumn(matrix, n) : deterministicStart(n);
  const vector = powerIterate(matrix, n, start);
  const image = multiply(matrix, n, vector);
  return { vector, value: dot(vector, image) };
}

/** A column of M^(2^SQUARINGS): each column is (nearly) parallel to the top eigenvector. */
function dominantColumn(matrix: Float64Array, n: number): Float64Array {
  let power: Float64Array = Float64Array.from(matrix);
  for (let s = 0; s < SQUARINGS; s += 1) {
    power = square(power, n);
    const scale = trace(power, n);
    if (!(scale > 0)) {
      return deterministicStart(n);
    }
    for (let i = 0; i < power.length; i += 1) {
      power[i] = (power[i] ?? 0) / scale;
    }
  }

  let best = 0;
  for (let j = 1; j < n; j += 1) {
    if ((power[j * n + j] ?? 0) > (power[best * n + best] ?? 0)) {
      best = j;
    }
  }
  const column = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    column[i] = power[i * n + best] ?? 0;
  }
  return normalize(column) ?? deterministicStart(n);
}

function powerIterate(matrix: Float64Array, n: number, start: Float64Array): Float64Array {
  let vector = start;
  for (let iteration = 0; iteration < POWER_ITERATIONS; iteration += 1) {
    const next = normalize(multiply(matrix, n, vector));
    if (next === undefined) {
      return vector;
    }
    const change = 1 - Math.abs(dot(next, vector));
    vector = next;
    if (change < TOLERANCE) {
      break;
    }
  }
  return vector;
}

/** Not the all-ones vector: centred data make it an eigenvector of eigenvalue 0. */
function deterministicStart(n: number): Float64Array {
  return (
    normalize(Float64Array.from({ length: n }, (_, i) => Math.sin(1 + 7.3 * i) + 0.01)) ??
    new Float64Array(n)
  );
}

function square(matrix: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let k = 0; k < n; k += 1) {
      const a = matrix[i * n + k] ?? 0;
      if (a === 0) {
        continue;
      }
      for (let j = 0; j < n; j += 1) {
        out[i * n + j] = (out[i * n + j] ?? 0) + a * (matrix[k * n + j] ?? 0);
      }
    }
  }
  return out;
}

function trace(matrix: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i += 1) {
    t += matrix[i * n + i] ?? 0;
  }
  return t;
}

function multiply(matrix: Float64Array, n: number, vector: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let s = 0;
    for (let j = 0; j < n; j += 1) {
      s += (matrix[i * n + j] ?? 0) * (vector[j] ?? 0);
    }
    out[i] = s;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) {
    s += (a[i] ?? 0) * (b[i] ?? 0);
  }
  return s;
}

function normalize(vector: Float64Array): Float64Array | undefined {
  const norm = Math.sqrt(dot(vector, vector));
  return norm > 0 && Number.isFinite(norm) ? vector.map((v) => v / norm) : undefined;
}
