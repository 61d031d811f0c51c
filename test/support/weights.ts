// Model weights as the artifacts this tool publishes hold them (a TensorRT engine is mostly its weights):
// float16 values drawn from a normal distribution of σ 0.02 (a transformer's initialisation, which trained
// weights stay near) and int8 values of a quantised layer (σ 30 of ±127). Deterministic for a seed, so tests and
// the benchmark see the same bytes on every machine.

/** xorshift32: a fast deterministic source, not a secret one. */
function uniform(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return (state + 0.5) / 4294967296;
  };
}

/** Normal deviates (Box-Muller). */
function normal(seed: number): () => number {
  const next = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half precision of `x` (round toward zero: the distribution is what matters here). */
function toFloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return exponent < -10 ? sign : sign | ((mantissa | 0x800000) >> (14 - exponent));
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | (mantissa >> 13);
}

/** `bytes` of float16 weights (little-endian), σ 0.02. */
export function float16Weights(bytes: number, seed = 1): Uint8Array<ArrayBuffer> {
  const next = normal(seed);
  const values = new Uint16Array(Math.ceil(bytes / 2));
  for (let i = 0; i < values.length; i++) values[i] = toFloat16(next() * 0.02);
  return new Uint8Array(values.buffer, 0, bytes).slice();
}

/** `bytes` of int8 weights, σ 30, clipped to ±127. */
export function int8Weights(bytes: number, seed = 1): Uint8Array<ArrayBuffer> {
  const next = normal(seed);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Math.max(-127, Math.min(127, Math.round(next() * 30))) & 0xff;
  return out;
}
