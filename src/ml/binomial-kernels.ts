import { assembleWat } from "./wat.js";

// fdlibm's constants (e_exp.c, s_log1p.c); the WAT below and the JavaScript twins read them from here.
const INV_LN2 = 1.442695040888963387;
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;
const SQRT2_M1 = 0.41421356237309503;
const LP1 = 6.66666666666673513e-1;
const LP2 = 3.999999999940941908e-1;
const LP3 = 2.857142874366239149e-1;
const LP4 = 2.222219843214978396e-1;
const LP5 = 1.818357216161805012e-1;
const LP6 = 1.531383769920937332e-1;
const LP7 = 1.479819860511658591e-1;
const MAGIC = 6755399441055744;

const NEG_CLAMP = -708;

/** The binomial kernel's constants as v128.const immediates (String(x) round-trips a double exactly). */
const CONSTANTS: [string, string][] = Object.entries({
  NEG_CLAMP,
  INV_LN2,
  MAGIC,
  LN2_HI,
  LN2_LO,
  P1,
  P2,
  P3,
  P4,
  P5,
  SQRT2_M1,
  LP1,
  LP2,
  LP3,
  LP4,
  LP5,
  LP6,
  LP7,
  ONE: 1,
  TWO: 2,
  HALF: 0.5,
}).map(([name, x]) => [name, `f64x2 ${String(x)} ${String(x)}`]);
// The sign bit, and the bits of 1.5·2^52 less 1023 (so that bits(k + 1.5·2^52) minus these is k + 1023).
CONSTANTS.push(["SIGN", "i64x2 0x8000000000000000 0x8000000000000000"], ["EXP_BITS", "i64x2 0x4337fffffffffc01 0x4337fffffffffc01"]);

/**
 * The pointwise binomial log-loss and its gradient, and the dense logistic-regression objective built on it, as
 * WebAssembly SIMD kernels (two rows per instruction) with a JavaScript twin that performs the same IEEE
 * operations in the same order, so both give bit-identical results.
 *
 * For a linear predictor z, label y and weight sw, with e = exp(−|z|):
 *   loss = sw · (max(z, 0) + log1p(e) − y·z)      (= sw · (log(1 + exp(z)) − y·z))
 *   r    = sw · (σ(z) − y),  σ(z) = (z ≥ 0 ? 1 : e) / (1 + e)
 * exp and log1p are fdlibm's algorithms (e_exp.c: Cody–Waite reduction with a degree-5 Remez rational; s_log1p.c:
 * s = f/(2+f) with a degree-14 Remez polynomial, on f ∈ [√2/2 − 1, √2 − 1] after halving 1 + e when e > √2 − 1),
 * accurate to about one unit in the last place. exp(−|z|) is clamped at |z| = 708 (3.3e-308, the smallest value
 * that needs no subnormal scaling), which moves a row's loss and gradient by less than 4e-308.
 * Loss sums run in two lanes, even rows and odd rows, added at the end.
 *
 * Memory ownership: the WebAssembly module owns one memory, which a single kernel call lays out from offset 0,
 * fills, runs over and copies out of before it returns; no view of it survives the call (growing the memory
 * detaches old views), and no other module or worker shares it.
 */
/** Locals and constant initialisations of {@link EXP_LOG1P}: a function's other locals go before them. */
const LOCALS = `(local $o i32) (local $end i32)
    (local $zv v128) (local $x v128) (local $t v128) (local $kf v128) (local $hi v128) (local $lo v128)
    (local $q v128) (local $q2 v128) (local $c v128) (local $e v128) (local $big v128) (local $f v128) (local $hf v128)
    (local $s v128) (local $s2 v128) (local $l v128)
    ${CONSTANTS.map(([name]) => `(local $${name} v128)`).join(" ")}
    ${CONSTANTS.map(([name, value]) => `(local.set $${name} (v128.const ${value}))`).join("\n    ")}`;

/**
 * WAT that computes, for the two lanes of $zv, $e = exp(−|z|) (clamped at |z| = 708) and $l = log1p($e).
 */
const EXP_LOG1P = `;; exp(x), x = −min(|z|, 708): k = round(x / ln 2) by the 1.5·2^52 trick, r = x − k·ln 2 in two parts.
      (local.set $x (f64x2.pmax (local.get $NEG_CLAMP) (v128.or (local.get $zv) (local.get $SIGN))))
      (local.set $t (f64x2.add (f64x2.mul (local.get $x) (local.get $INV_LN2)) (local.get $MAGIC)))
      (local.set $kf (f64x2.sub (local.get $t) (local.get $MAGIC)))
      (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $kf) (local.get $LN2_HI))))
      (local.set $lo (f64x2.mul (local.get $kf) (local.get $LN2_LO)))
      (local.set $q (f64x2.sub (local.get $hi) (local.get $lo)))
      (local.set $q2 (f64x2.mul (local.get $q) (local.get $q)))
      (local.set $c (f64x2.sub (local.get $q) (f64x2.mul (local.get $q2)
        (f64x2.add (local.get $P1) (f64x2.mul (local.get $q2)
        (f64x2.add (local.get $P2) (f64x2.mul (local.get $q2)
        (f64x2.add (local.get $P3) (f64x2.mul (local.get $q2)
        (f64x2.add (local.get $P4) (f64x2.mul (local.get $q2) (local.get $P5))))))))))))
      (local.set $e (f64x2.sub (local.get $ONE) (f64x2.sub (f64x2.sub (local.get $lo)
        (f64x2.div (f64x2.mul (local.get $q) (local.get $c)) (f64x2.sub (local.get $TWO) (local.get $c)))) (local.get $hi))))
      ;; times 2^k, k ≥ −1021: the bits of k + 1.5·2^52 are those of 1.5·2^52 plus k, so these less EXP_BITS are
      ;; k + 1023, the exponent field of 2^k.
      (local.set $e (f64x2.mul (local.get $e) (i64x2.shl (i64x2.sub (local.get $t) (local.get $EXP_BITS)) (i32.const 52))))
      ;; log1p(e): f = e, or (e − 1)/2 plus ln 2 when e > √2 − 1.
      (local.set $big (f64x2.gt (local.get $e) (local.get $SQRT2_M1)))
      (local.set $f (v128.bitselect (f64x2.mul (f64x2.sub (local.get $e) (local.get $ONE)) (local.get $HALF))
        (local.get $e) (local.get $big)))
      (local.set $hf (f64x2.mul (f64x2.mul (local.get $HALF) (local.get $f)) (local.get $f)))
      (local.set $s (f64x2.div (local.get $f) (f64x2.add (local.get $TWO) (local.get $f))))
      (local.set $s2 (f64x2.mul (local.get $s) (local.get $s)))
      (local.set $l (f64x2.mul (local.get $s2)
        (f64x2.add (local.get $LP1) (f64x2.mul (local.get $s2)
        (f64x2.add (local.get $LP2) (f64x2.mul (local.get $s2)
        (f64x2.add (local.get $LP3) (f64x2.mul (local.get $s2)
        (f64x2.add (local.get $LP4) (f64x2.mul (local.get $s2)
        (f64x2.add (local.get $LP5) (f64x2.mul (local.get $s2)
        (f64x2.add (local.get $LP6) (f64x2.mul (local.get $s2) (local.get $LP7)))))))))))))))
      (local.set $l (f64x2.sub (local.get $f) (f64x2.sub (local.get $hf)
        (f64x2.mul (local.get $s) (f64x2.add (local.get $hf) (local.get $l))))))
      (local.set $l (f64x2.add (v128.and (local.get $big) (local.get $LN2_HI))
        (f64x2.add (local.get $l) (v128.and (local.get $big) (local.get $LN2_LO)))))`;

export const BINOMIAL_WAT = `
(module
  (memory (export "memory") 1)

  ;; acc[0..1] += per-lane Σ loss and acc[2..3] += per-lane Σ r over rows i0 ≤ i < i1 (i0, i1 even), r[i] written.
  ;; Constants live in locals: V8 rebuilds a v128.const at each use, which costs more than a spilled local.
  (func $binomial (export "binomial") (param $z i32) (param $y i32) (param $sw i32) (param $r i32)
      (param $i0 i32) (param $i1 i32) (param $acc i32)
    (local $w v128) (local $yv v128) (local $fa v128) (local $ra v128) (local $rv v128)
    ${LOCALS}
    (local.set $fa (v128.load (local.get $acc)))
    (local.set $ra (v128.load offset=16 (local.get $acc)))
    (local.set $o (i32.shl (local.get $i0) (i32.const 3)))
    (local.set $end (i32.shl (local.get $i1) (i32.const 3)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $zv (v128.load (i32.add (local.get $z) (local.get $o))))
      ${EXP_LOG1P}
      (local.set $w (v128.load (i32.add (local.get $sw) (local.get $o))))
      (local.set $yv (v128.load (i32.add (local.get $y) (local.get $o))))
      (local.set $fa (f64x2.add (local.get $fa) (f64x2.mul (local.get $w)
        (f64x2.sub (f64x2.add (f64x2.pmax (v128.const f64x2 0 0) (local.get $zv)) (local.get $l))
          (f64x2.mul (local.get $yv) (local.get $zv))))))
      (local.set $rv (f64x2.mul (local.get $w) (f64x2.sub
        (f64x2.div (v128.bitselect (local.get $ONE) (local.get $e) (f64x2.ge (local.get $zv) (v128.const f64x2 0 0)))
          (f64x2.add (local.get $ONE) (local.get $e)))
        (local.get $yv))))
      (v128.store (i32.add (local.get $r) (local.get $o)) (local.get $rv))
      (local.set $ra (f64x2.add (local.get $ra) (local.get $rv)))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $rows)))
    (v128.store (local.get $acc) (local.get $fa))
    (v128.store offset=16 (local.get $acc) (local.get $ra)))

  ;; out[i] = log(1 + exp(z[i])) = max(z, 0) + log1p(exp(−|z|)) for 0 ≤ i < n (n even).
  (func (export "log1pexp") (param $z i32) (param $out i32) (param $n i32)
    ${LOCALS}
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $zv (v128.load (i32.add (local.get $z) (local.get $o))))
      ${EXP_LOG1P}
      (v128.store (i32.add (local.get $out) (local.get $o)) (f64x2.add (f64x2.pmax (v128.const f64x2 0 0) (local.get $zv)) (local.get $l)))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $rows))))

  ;; z[i] = b + x_i·w for rows i0 ≤ i < i1 of the n×p row-major X: per row, pairs of columns in two lanes added at
  ;; the end, then the odd last column, then b; four rows at a time share each load of w.
  (func $dot (param $X i32) (param $p i32) (param $w i32) (param $b f64) (param $z i32) (param $i0 i32) (param $i1 i32)
    (local $rowBytes i32) (local $pairEnd i32) (local $odd i32) (local $i i32) (local $a i32) (local $j i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $wv v128) (local $wl f64)
    (local.set $rowBytes (i32.shl (local.get $p) (i32.const 3)))
    (local.set $pairEnd (i32.shl (i32.and (local.get $p) (i32.const -2)) (i32.const 3)))
    (local.set $odd (i32.and (local.get $p) (i32.const 1)))
    (if (local.get $odd) (then
      (local.set $wl (f64.load (i32.add (local.get $w) (local.get $pairEnd))))))
    (local.set $i (local.get $i0))
    (block $done4 (loop $rows4
      (br_if $done4 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $i1)))
      (local.set $a (i32.add (local.get $X) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $a0 (v128.const f64x2 0 0))
      (local.set $a1 (v128.const f64x2 0 0))
      (local.set $a2 (v128.const f64x2 0 0))
      (local.set $a3 (v128.const f64x2 0 0))
      (local.set $j (i32.const 0))
      (block $pd (loop $pairs
        (br_if $pd (i32.ge_u (local.get $j) (local.get $pairEnd)))
        (local.set $wv (v128.load align=8 (i32.add (local.get $w) (local.get $j))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (i32.add (local.get $a) (local.get $j))) (local.get $wv))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load align=8 (i32.add (i32.add (local.get $a) (local.get $rowBytes))
          (local.get $j))) (local.get $wv))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load align=8 (i32.add (i32.add (local.get $a)
          (i32.shl (local.get $rowBytes) (i32.const 1))) (local.get $j))) (local.get $wv))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load align=8 (i32.add (i32.add (local.get $a)
          (i32.mul (local.get $rowBytes) (i32.const 3))) (local.get $j))) (local.get $wv))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $pairs)))
      (call $finish (local.get $a) (local.get $a0) (local.get $odd) (local.get $pairEnd) (local.get $wl) (local.get $b)
        (i32.add (local.get $z) (i32.shl (local.get $i) (i32.const 3))))
      (call $finish (i32.add (local.get $a) (local.get $rowBytes)) (local.get $a1) (local.get $odd) (local.get $pairEnd) (local.get $wl)
        (local.get $b) (i32.add (local.get $z) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3))))
      (call $finish (i32.add (local.get $a) (i32.shl (local.get $rowBytes) (i32.const 1))) (local.get $a2) (local.get $odd)
        (local.get $pairEnd) (local.get $wl) (local.get $b) (i32.add (local.get $z) (i32.shl (i32.add (local.get $i) (i32.const 2)) (i32.const 3))))
      (call $finish (i32.add (local.get $a) (i32.mul (local.get $rowBytes) (i32.const 3))) (local.get $a3) (local.get $odd)
        (local.get $pairEnd) (local.get $wl) (local.get $b) (i32.add (local.get $z) (i32.shl (i32.add (local.get $i) (i32.const 3)) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $rows4)))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $i) (local.get $i1)))
      (local.set $a (i32.add (local.get $X) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $a0 (v128.const f64x2 0 0))
      (local.set $j (i32.const 0))
      (block $pd1 (loop $pairs1
        (br_if $pd1 (i32.ge_u (local.get $j) (local.get $pairEnd)))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load align=8 (i32.add (local.get $a) (local.get $j)))
          (v128.load align=8 (i32.add (local.get $w) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $pairs1)))
      (call $finish (local.get $a) (local.get $a0) (local.get $odd) (local.get $pairEnd) (local.get $wl) (local.get $b)
        (i32.add (local.get $z) (i32.shl (local.get $i) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

  ;; *out = ((acc₀ + acc₁) [+ x_last·w_last]) + b for one row starting at byte address a.
  (func $finish (param $a i32) (param $acc v128) (param $odd i32) (param $pairEnd i32) (param $wl f64) (param $b f64) (param $out i32)
    (local $s f64)
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
    (if (local.get $odd) (then
      (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (i32.add (local.get $a) (local.get $pairEnd))) (local.get $wl))))))
    (f64.store (local.get $out) (f64.add (local.get $s) (local.get $b))))

  ;; g[j] += Σ r[i]·X[i, j] over rows i0 ≤ i < i1, in row order, four rows per pass over g.
  (func $accumulate (param $X i32) (param $p i32) (param $r i32) (param $g i32) (param $i0 i32) (param $i1 i32)
    (local $rowBytes i32) (local $pairEnd i32) (local $i i32) (local $a i32) (local $j i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $gv v128) (local $gl f64)
    (local.set $rowBytes (i32.shl (local.get $p) (i32.const 3)))
    (local.set $pairEnd (i32.shl (i32.and (local.get $p) (i32.const -2)) (i32.const 3)))
    (local.set $i (local.get $i0))
    (block $done4 (loop $rows4
      (br_if $done4 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $i1)))
      (local.set $a (i32.add (local.get $X) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $r0 (f64x2.splat (f64.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $r1 (f64x2.splat (f64.load offset=8 (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $r2 (f64x2.splat (f64.load offset=16 (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $r3 (f64x2.splat (f64.load offset=24 (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $j (i32.const 0))
      (block $pd (loop $pairs
        (br_if $pd (i32.ge_u (local.get $j) (local.get $pairEnd)))
        (local.set $gv (v128.load align=8 (i32.add (local.get $g) (local.get $j))))
        (local.set $gv (f64x2.add (local.get $gv) (f64x2.mul (local.get $r0) (v128.load align=8 (i32.add (local.get $a) (local.get $j))))))
        (local.set $gv (f64x2.add (local.get $gv) (f64x2.mul (local.get $r1) (v128.load align=8 (i32.add (i32.add (local.get $a)
          (local.get $rowBytes)) (local.get $j))))))
        (local.set $gv (f64x2.add (local.get $gv) (f64x2.mul (local.get $r2) (v128.load align=8 (i32.add (i32.add (local.get $a)
          (i32.shl (local.get $rowBytes) (i32.const 1))) (local.get $j))))))
        (local.set $gv (f64x2.add (local.get $gv) (f64x2.mul (local.get $r3) (v128.load align=8 (i32.add (i32.add (local.get $a)
          (i32.mul (local.get $rowBytes) (i32.const 3))) (local.get $j))))))
        (v128.store align=8 (i32.add (local.get $g) (local.get $j)) (local.get $gv))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $pairs)))
      (if (i32.and (local.get $p) (i32.const 1)) (then
        (local.set $gl (f64.load (i32.add (local.get $g) (local.get $pairEnd))))
        (local.set $gl (f64.add (local.get $gl) (f64.mul (f64x2.extract_lane 0 (local.get $r0))
          (f64.load (i32.add (local.get $a) (local.get $pairEnd))))))
        (local.set $gl (f64.add (local.get $gl) (f64.mul (f64x2.extract_lane 0 (local.get $r1))
          (f64.load (i32.add (i32.add (local.get $a) (local.get $rowBytes)) (local.get $pairEnd))))))
        (local.set $gl (f64.add (local.get $gl) (f64.mul (f64x2.extract_lane 0 (local.get $r2))
          (f64.load (i32.add (i32.add (local.get $a) (i32.shl (local.get $rowBytes) (i32.const 1))) (local.get $pairEnd))))))
        (local.set $gl (f64.add (local.get $gl) (f64.mul (f64x2.extract_lane 0 (local.get $r3))
          (f64.load (i32.add (i32.add (local.get $a) (i32.mul (local.get $rowBytes) (i32.const 3))) (local.get $pairEnd))))))
        (f64.store (i32.add (local.get $g) (local.get $pairEnd)) (local.get $gl))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $rows4)))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $i) (local.get $i1)))
      (local.set $a (i32.add (local.get $X) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $r0 (f64x2.splat (f64.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $j (i32.const 0))
      (block $pd1 (loop $pairs1
        (br_if $pd1 (i32.ge_u (local.get $j) (local.get $pairEnd)))
        (v128.store align=8 (i32.add (local.get $g) (local.get $j)) (f64x2.add (v128.load align=8 (i32.add (local.get $g) (local.get $j)))
          (f64x2.mul (local.get $r0) (v128.load align=8 (i32.add (local.get $a) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $pairs1)))
      (if (i32.and (local.get $p) (i32.const 1)) (then
        (f64.store (i32.add (local.get $g) (local.get $pairEnd)) (f64.add (f64.load (i32.add (local.get $g) (local.get $pairEnd)))
          (f64.mul (f64x2.extract_lane 0 (local.get $r0)) (f64.load (i32.add (local.get $a) (local.get $pairEnd))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

  ;; z[i] = b + Σ_k values[k]·w[indices[k]] over row i of a CSR matrix (int32 indptr/indices, f64 values), in order.
  (func (export "csrDot") (param $indptr i32) (param $indices i32) (param $values i32) (param $n i32) (param $w i32)
      (param $b f64) (param $z i32)
    (local $i i32) (local $k i32) (local $e i32) (local $s f64)
    (local.set $k (i32.load (local.get $indptr)))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $e (i32.load offset=4 (i32.add (local.get $indptr) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $s (local.get $b))
      (block $rd (loop $nz
        (br_if $rd (i32.ge_s (local.get $k) (local.get $e)))
        (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (i32.add (local.get $values) (i32.shl (local.get $k) (i32.const 3))))
          (f64.load (i32.add (local.get $w) (i32.shl (i32.load (i32.add (local.get $indices) (i32.shl (local.get $k) (i32.const 2))))
            (i32.const 3)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $nz)))
      (f64.store (i32.add (local.get $z) (i32.shl (local.get $i) (i32.const 3))) (local.get $s))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

  ;; g[j] = Σ r[rows[k]]·values[k] over column j of the same matrix in CSC form (rows ascending), the entries
  ;; alternating between two sums that are added at the end.
  (func (export "cscDot") (param $colptr i32) (param $rows i32) (param $values i32) (param $p i32) (param $r i32) (param $g i32)
    (local $j i32) (local $q i32) (local $e i32) (local $s0 f64) (local $s1 f64)
    (block $done (loop $cols
      (br_if $done (i32.ge_s (local.get $j) (local.get $p)))
      (local.set $q (i32.load (i32.add (local.get $colptr) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $e (i32.load offset=4 (i32.add (local.get $colptr) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $s0 (f64.const 0))
      (local.set $s1 (f64.const 0))
      (block $cd (loop $pairs
        (br_if $cd (i32.ge_s (i32.add (local.get $q) (i32.const 1)) (local.get $e)))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (i32.add (local.get $r)
          (i32.shl (i32.load (i32.add (local.get $rows) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 3))))
          (f64.load (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 3)))))))
        (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (i32.add (local.get $r)
          (i32.shl (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 3))))
          (f64.load offset=8 (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 3)))))))
        (local.set $q (i32.add (local.get $q) (i32.const 2)))
        (br $pairs)))
      (if (i32.lt_s (local.get $q) (local.get $e)) (then
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (i32.add (local.get $r)
          (i32.shl (i32.load (i32.add (local.get $rows) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 3))))
          (f64.load (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 3)))))))))
      (f64.store (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 3))) (f64.add (local.get $s0) (local.get $s1)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $cols))))

  ;; The dense objective's data term in blocks of 256 rows (z, then loss and r, then g while the block is in cache):
  ;; acc as in $binomial, g[0..p) = Xᵀr. z, y, sw and r have room for n rounded up to even, with sw = 0 past n.
  (func (export "dense") (param $X i32) (param $n i32) (param $p i32) (param $w i32) (param $b f64) (param $y i32) (param $sw i32)
      (param $z i32) (param $r i32) (param $g i32) (param $acc i32)
    (local $i0 i32) (local $i1 i32)
    (block $done (loop $blocks
      (br_if $done (i32.ge_s (local.get $i0) (local.get $n)))
      (local.set $i1 (i32.add (local.get $i0) (i32.const 256)))
      (if (i32.gt_s (local.get $i1) (local.get $n)) (then (local.set $i1 (local.get $n))))
      (call $dot (local.get $X) (local.get $p) (local.get $w) (local.get $b) (local.get $z) (local.get $i0) (local.get $i1))
      (if (i32.and (local.get $i1) (i32.const 1)) (then
        (f64.store (i32.add (local.get $z) (i32.shl (local.get $i1) (i32.const 3))) (f64.const 0))))
      (call $binomial (local.get $z) (local.get $y) (local.get $sw) (local.get $r) (local.get $i0)
        (i32.and (i32.add (local.get $i1) (i32.const 1)) (i32.const -2)) (local.get $acc))
      (call $accumulate (local.get $X) (local.get $p) (local.get $r) (local.get $g) (local.get $i0) (local.get $i1))
      (local.set $i0 (local.get $i1))
      (br $blocks))))
)`;

interface BinomialExports {
  memory: WebAssembly.Memory;
  binomial: (z: number, y: number, sw: number, r: number, i0: number, i1: number, acc: number) => void;
  log1pexp: (z: number, out: number, n: number) => void;
  dense: (
    X: number,
    n: number,
    p: number,
    w: number,
    b: number,
    y: number,
    sw: number,
    z: number,
    r: number,
    g: number,
    acc: number,
  ) => void;
  csrDot: (indptr: number, indices: number, values: number, n: number, w: number, b: number, z: number) => void;
  cscDot: (colptr: number, rows: number, values: number, p: number, r: number, g: number) => void;
}

let wasm: BinomialExports | null | undefined;

/** The WebAssembly kernels, or null when the runtime lacks WebAssembly SIMD (then the JavaScript twins run). */
export function binomialWasm(): BinomialExports | null {
  if (wasm === undefined) {
    try {
      const bytes = assembleWat(BINOMIAL_WAT);
      wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as BinomialExports;
    } catch {
      wasm = null;
    }
  }
  return wasm;
}

/** For tests: run the JavaScript twins even where WebAssembly SIMD is available. */
export function useBinomialWasm(on: boolean): void {
  wasm = on ? undefined : null;
}

const scaleBits = new Int32Array(2);
const scale = new Float64Array(scaleBits.buffer);
// The little-endian high word of a double holds its exponent.
const HI = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;

function pow2(k: number): number {
  scaleBits[HI] = (k + 1023) << 20;
  scaleBits[1 - HI] = 0;
  return scale[0];
}

/** exp(−min(|z|, 708)) exactly as the WebAssembly lanes compute it. */
export function expNegAbs(z: number): number {
  const a = -Math.abs(z);
  const x = NEG_CLAMP < a ? a : NEG_CLAMP;
  const t = x * INV_LN2 + MAGIC;
  const kf = t - MAGIC;
  const hi = x - kf * LN2_HI;
  const lo = kf * LN2_LO;
  const q = hi - lo;
  const q2 = q * q;
  const c = q - q2 * (P1 + q2 * (P2 + q2 * (P3 + q2 * (P4 + q2 * P5))));
  const y = 1 - (lo - (q * c) / (2 - c) - hi);
  return y * pow2(kf);
}

/** log1p(e) for e in [0, 1], exactly as the WebAssembly lanes compute it. */
export function log1pUnit(e: number): number {
  const big = e > SQRT2_M1;
  const f = big ? (e - 1) * 0.5 : e;
  const hf = 0.5 * f * f;
  const s = f / (2 + f);
  const s2 = s * s;
  const R = s2 * (LP1 + s2 * (LP2 + s2 * (LP3 + s2 * (LP4 + s2 * (LP5 + s2 * (LP6 + s2 * LP7))))));
  const l = f - (hf - s * (hf + R));
  return (big ? LN2_HI : 0) + (l + (big ? LN2_LO : 0));
}

/** JavaScript twin of the `binomial` kernel over rows i0..i1 (acc: [loss lane 0, loss lane 1, r lane 0, r lane 1]). */
export function binomialJs(
  z: Float64Array,
  y: Float64Array,
  sw: Float64Array,
  r: Float64Array,
  i0: number,
  i1: number,
  acc: Float64Array,
): void {
  for (let i = i0; i < i1; ++i) {
    const zi = z[i];
    const e = expNegAbs(zi);
    const l = log1pUnit(e);
    const w = sw[i];
    const lane = i & 1;
    acc[lane] += w * ((0 < zi ? zi : 0) + l - y[i] * zi);
    const ri = w * ((zi >= 0 ? 1 : e) / (1 + e) - y[i]);
    r[i] = ri;
    acc[2 + lane] += ri;
  }
}

/** JavaScript twin of the `dense` kernel: z, loss and r over rows, then g = Xᵀr, in 256-row blocks. */
export function denseJs(
  X: Float64Array,
  n: number,
  p: number,
  w: Float64Array,
  b: number,
  y: Float64Array,
  sw: Float64Array,
  z: Float64Array,
  r: Float64Array,
  g: Float64Array,
  acc: Float64Array,
): void {
  const pairEnd = p & ~1;
  for (let i0 = 0; i0 < n; i0 += 256) {
    const i1 = Math.min(i0 + 256, n);
    for (let i = i0; i < i1; ++i) {
      const a = i * p;
      let s0 = 0;
      let s1 = 0;
      for (let j = 0; j < pairEnd; j += 2) {
        s0 += X[a + j] * w[j];
        s1 += X[a + j + 1] * w[j + 1];
      }
      let s = s0 + s1;
      if (p & 1) s += X[a + pairEnd] * w[pairEnd];
      z[i] = s + b;
    }
    if (i1 & 1) z[i1] = 0;
    binomialJs(z, y, sw, r, i0, (i1 + 1) & ~1, acc);
    for (let i = i0; i < i1; ++i) {
      const a = i * p;
      const ri = r[i];
      for (let j = 0; j < p; ++j) g[j] += ri * X[a + j];
    }
  }
}

/** JavaScript twin of `csrDot`: z[i] = b + Σ values[k]·w[indices[k]] over row i, in order. */
export function csrDotJs(
  indptr: Int32Array,
  indices: Int32Array,
  values: Float64Array,
  n: number,
  w: Float64Array,
  b: number,
  z: Float64Array,
): void {
  for (let i = 0; i < n; ++i) {
    let s = b;
    for (let k = indptr[i], e = indptr[i + 1]; k < e; ++k) s += values[k] * w[indices[k]];
    z[i] = s;
  }
}

/** JavaScript twin of `cscDot`: g[j] = Σ r[rows[k]]·values[k] over column j, alternating two sums. */
export function cscDotJs(colptr: Int32Array, rows: Int32Array, values: Float64Array, p: number, r: Float64Array, g: Float64Array): void {
  for (let j = 0; j < p; ++j) {
    let s0 = 0;
    let s1 = 0;
    let q = colptr[j];
    const e = colptr[j + 1];
    for (; q + 1 < e; q += 2) {
      s0 += r[rows[q]] * values[q];
      s1 += r[rows[q + 1]] * values[q + 1];
    }
    if (q < e) s0 += r[rows[q]] * values[q];
    g[j] = s0 + s1;
  }
}

/** JavaScript twin of `log1pexp`: log(1 + exp(z)) as max(z, 0) + log1p(exp(−|z|)), bit for bit the lanes' result. */
export function log1pExpJs(z: Float64Array, out: Float64Array): void {
  for (let i = 0; i < z.length; ++i) {
    const zi = z[i];
    out[i] = (0 < zi ? zi : 0) + log1pUnit(expNegAbs(zi));
  }
}

/**
 * log(1 + exp(z)) for every element, two per WebAssembly SIMD instruction (about one unit in the last place; the
 * scalar `log1pExp` in logistic-regression.ts is the reference). Runs the JavaScript twin without WebAssembly.
 * @param z values
 * @param out results, same length as z (may be z itself)
 */
export function log1pExpArray(z: Float64Array, out: Float64Array = new Float64Array(z.length)): Float64Array {
  const k = binomialWasm();
  const n = z.length;
  const nE = n + (n & 1);
  if (!k || 16 * nE > MAX_BYTES) {
    log1pExpJs(z, out);
    return out;
  }
  const have = k.memory.buffer.byteLength;
  if (have < 16 * nE) k.memory.grow(Math.ceil((16 * nE - have) / 65536));
  const Z = new Float64Array(k.memory.buffer, 0, nE);
  Z.set(z);
  Z.fill(0, n);
  k.log1pexp(0, 8 * nE, nE);
  out.set(new Float64Array(k.memory.buffer, 8 * nE, n));
  return out;
}

/** Largest memory {@link log1pExpArray} asks the kernels' module for. */
const MAX_BYTES = 2 ** 31;
