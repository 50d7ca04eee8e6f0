import { boundedDistance } from "./kd-tree.js";
import { LevelList } from "./pattern-neighbors.js";
import { assembleWat } from "./wat.js";

/** Query rows per tile of the all-pairs kernel. */
const TILE = 4;

/** The WAT of one coordinate step of a tile: acc_t += (q_t,l − x_j,l)² for the four queries and two candidates. */
function dim(): string {
  const lanes = Array.from(
    { length: TILE },
    (_, t) =>
      `(local.set $acc${t} (f64x2.add (local.get $acc${t}) (f64x2.mul (local.tee $t (f64x2.sub (v128.load offset=${16 * t} (local.get $qa)) (local.get $cv))) (local.get $t))))`,
  ).join("\n        ");
  return `(local.set $cv (v128.load align=8 (local.get $a)))
        ${lanes}
        (local.set $a (i32.add (local.get $a) (local.get $stride)))
        (local.set $qa (i32.add (local.get $qa) (i32.const ${16 * TILE})))`;
}

const anyWithin = (): string =>
  `(v128.any_true (v128.or (v128.or (f64x2.le (local.get $acc0) (local.get $bv0)) (f64x2.le (local.get $acc1) (local.get $bv1)))
          (v128.or (f64x2.le (local.get $acc2) (local.get $bv2)) (f64x2.le (local.get $acc3) (local.get $bv3)))))`;

function emit(t: number): string {
  const write = (lane: number) => `(then
        (i32.store (i32.add (local.get $outT) (i32.shl (local.get $n) (i32.const 2))) (i32.const ${t}))
        (i32.store (i32.add (local.get $outJ) (i32.shl (local.get $n) (i32.const 2))) (i32.add (local.get $j) (i32.const ${lane})))
        (f64.store (i32.add (local.get $outD) (i32.shl (local.get $n) (i32.const 3))) (f64x2.extract_lane ${lane} (local.get $acc${t})))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))))`;
  return `(local.set $bits (i64x2.bitmask (f64x2.le (local.get $acc${t}) (local.get $bv${t}))))
      (if (i32.and (local.get $bits) (i32.const 1)) ${write(0)}
      (if (i32.and (local.get $bits) (i32.const 2)) ${write(1)}`;
}

/**
 * All-pairs squared distances for SMOTE's neighbour search over dense rows, as WebAssembly SIMD: four query rows
 * against two candidate rows at a time, each lane summing (xᵢ,l − xⱼ,l)² over l in order, so every distance is
 * bit for bit the one the row-level definition computes. A pair is dropped as soon as every lane of its tile
 * exceeds max(bound of the query, bound of the candidate), checked every four coordinates; pairs that survive
 * are written out with their distance for the caller to offer to both rows' candidate lists.
 *
 * Memory: Pt is the p×mE column-major copy of the rows (mE even, padding rows NaN, which no bound accepts), bnd
 * the mE current bounds, Q the queries' coordinates as splatted pairs (Q[(l·4 + t)·16]). Memory ownership as in
 * `binomial-kernels.ts`: one call's layout, filled and drained by {@link allPairsNeighbors}; no view outlives it.
 */
export const NEIGHBOR_WAT = `
(module
  (memory (export "memory") 1)
  (func (export "tiles") (param $Pt i32) (param $mE i32) (param $p i32) (param $bnd i32) (param $Q i32) (param $i0 i32)
      (param $j0 i32) (param $outT i32) (param $outJ i32) (param $outD i32) (result i32)
    (local $j i32) (local $l i32) (local $a i32) (local $qa i32) (local $stride i32) (local $n i32) (local $bits i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $cv v128) (local $t v128)
    (local $bv0 v128) (local $bv1 v128) (local $bv2 v128) (local $bv3 v128) (local $bj v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local.set $stride (i32.shl (local.get $mE) (i32.const 3)))
    ${Array.from({ length: TILE }, (_, t) => `(local.set $b${t} (f64x2.splat (f64.load offset=${8 * t} (i32.add (local.get $bnd) (i32.shl (local.get $i0) (i32.const 3))))))`).join("\n    ")}
    (local.set $j (local.get $j0))
    (block $done (loop $pairs
      (br_if $done (i32.ge_s (local.get $j) (local.get $mE)))
      (local.set $bj (v128.load align=8 (i32.add (local.get $bnd) (i32.shl (local.get $j) (i32.const 3)))))
      ${Array.from({ length: TILE }, (_, t) => `(local.set $bv${t} (f64x2.pmax (local.get $b${t}) (local.get $bj)))`).join("\n      ")}
      ${Array.from({ length: TILE }, (_, t) => `(local.set $acc${t} (v128.const f64x2 0 0))`).join("\n      ")}
      (local.set $a (i32.add (local.get $Pt) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $qa (local.get $Q))
      (local.set $l (i32.const 0))
      (block $reject
        (block $tail (loop $dims4
          (br_if $tail (i32.gt_s (i32.add (local.get $l) (i32.const 4)) (local.get $p)))
          ${dim()}
          ${dim()}
          ${dim()}
          ${dim()}
          (local.set $l (i32.add (local.get $l) (i32.const 4)))
          (br_if $reject (i32.eqz ${anyWithin()}))
          (br $dims4)))
        (block $last (loop $rest
          (br_if $last (i32.ge_s (local.get $l) (local.get $p)))
          ${dim()}
          (local.set $l (i32.add (local.get $l) (i32.const 1)))
          (br $rest)))
      ${Array.from({ length: TILE }, (_, t) => emit(t)).join("\n      ")})
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $pairs)))
    (local.get $n))
)`;

interface NeighborExports {
  memory: WebAssembly.Memory;
  tiles: (
    Pt: number,
    mE: number,
    p: number,
    bnd: number,
    Q: number,
    i0: number,
    j0: number,
    outT: number,
    outJ: number,
    outD: number,
  ) => number;
}

let wasm: NeighborExports | null | undefined;

/** The all-pairs kernel, or null without WebAssembly SIMD. */
export function neighborWasm(): NeighborExports | null {
  if (wasm === undefined) {
    try {
      wasm = new WebAssembly.Instance(new WebAssembly.Module(assembleWat(NEIGHBOR_WAT))).exports as unknown as NeighborExports;
    } catch {
      wasm = null;
    }
  }
  return wasm;
}

/** For tests: run the JavaScript search even where WebAssembly SIMD is available. */
export function useNeighborWasm(on: boolean): void {
  wasm = on ? undefined : null;
}

/**
 * Complete candidate lists for every row of the dense m×p block P (row-major), each pair's distance computed
 * once and offered to both rows: in WebAssembly tiles when available, else pair by pair in JavaScript. Both find
 * exactly the same lists, which {@link LevelList} defines uniquely (all rows within the bound, sorted).
 * @param P rows, m×p row-major
 * @param m rows
 * @param p coordinates
 * @param count each row's multiplicity (the lists' bounds count rows, not patterns)
 * @param need rows each list must reach (k + 1)
 */
export function allPairsNeighbors(P: Float64Array, m: number, p: number, count: Int32Array, need: number): LevelList[] {
  const lists = Array.from({ length: m }, () => new LevelList(count, need));
  const offerPair = (i: number, j: number, d: number): void => {
    if (d <= lists[i].bound) lists[i].offer(d, j);
    if (d <= lists[j].bound) lists[j].offer(d, i);
  };
  const k = neighborWasm();
  const mE = Math.ceil(m / TILE) * TILE;
  // Byte layout: Pt (p·mE) | bnd (mE) | Q (p·4 pairs) | outT, outJ (4·mE int32 each) | outD (4·mE).
  const oPt = 0;
  const oB = oPt + 8 * p * mE;
  const oQ = oB + 8 * mE;
  const oT = oQ + 16 * TILE * p;
  const oJ = oT + 4 * TILE * mE;
  const oD = oJ + 4 * TILE * mE;
  const bytes = oD + 8 * TILE * mE;
  let memory: WebAssembly.Memory | null = null;
  if (k && bytes <= 2 ** 31) {
    try {
      const have = k.memory.buffer.byteLength;
      if (have < bytes) k.memory.grow(Math.ceil((bytes - have) / 65536));
      memory = k.memory;
    } catch {
      memory = null;
    }
  }
  if (!k || !memory) {
    for (let i = 0; i < m; ++i) {
      lists[i].offer(0, i);
      for (let j = i + 1; j < m; ++j) {
        const d = boundedDistance(P, i * p, j * p, p, Math.max(lists[i].bound, lists[j].bound));
        offerPair(i, j, d);
      }
    }
    return lists;
  }
  const buf = memory.buffer;
  const Pt = new Float64Array(buf, oPt, p * mE);
  const bnd = new Float64Array(buf, oB, mE);
  const Q = new Float64Array(buf, oQ, 2 * TILE * p);
  const outT = new Int32Array(buf, oT, TILE * mE);
  const outJ = new Int32Array(buf, oJ, TILE * mE);
  const outD = new Float64Array(buf, oD, TILE * mE);
  for (let l = 0; l < p; ++l) {
    for (let i = 0; i < m; ++i) Pt[l * mE + i] = P[i * p + l];
    Pt.fill(NaN, l * mE + m, (l + 1) * mE);
  }
  bnd.fill(Infinity);
  for (let i0 = 0; i0 < mE; i0 += TILE) {
    for (let l = 0; l < p; ++l) {
      for (let t = 0; t < TILE; ++t) {
        const v = i0 + t < m ? P[(i0 + t) * p + l] : NaN;
        Q[2 * (l * TILE + t)] = v;
        Q[2 * (l * TILE + t) + 1] = v;
      }
    }
    const top = Math.min(i0 + TILE, m);
    for (let i = i0; i < top; ++i) {
      lists[i].offer(0, i);
      for (let j = i + 1; j < top; ++j) offerPair(i, j, boundedDistance(P, i * p, j * p, p, Math.max(lists[i].bound, lists[j].bound)));
    }
    for (let i = i0; i < top; ++i) bnd[i] = lists[i].bound;
    const n = k.tiles(oPt, mE, p, oB, oQ, i0, i0 + TILE, oT, oJ, oD);
    for (let e = 0; e < n; ++e) {
      const i = i0 + outT[e];
      const j = outJ[e];
      offerPair(i, j, outD[e]);
      bnd[i] = lists[i].bound;
      bnd[j] = lists[j].bound;
    }
  }
  return lists;
}
