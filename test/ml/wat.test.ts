import { describe, expect, it } from "vitest";
import { BINOMIAL_WAT } from "../../src/ml/binomial-kernels.js";
import { assembleWat } from "../../src/ml/wat.js";

/** The WAT in kmeans-plus-plus.ts's comment, with the 8-byte alignment its hand-assembled bytes use. */
const SQDIST = `(module (import "env" "mem" (memory 1))
  (func (export "sqdist") (param $a i32) (param $b i32) (param $p i32) (result f64)
    (local $end i32) (local $s0 v128) (local $s1 v128) (local $s f64) (local $d v128) (local $e f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $p) (i32.const -4)) (i32.const 3))))
    (block (loop
      (br_if 1 (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.tee $d (f64x2.sub (v128.load align=8 (local.get $a))
        (v128.load align=8 (local.get $b)))) (local.get $d))))
      (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.tee $d (f64x2.sub (v128.load offset=16 align=8 (local.get $a))
        (v128.load offset=16 align=8 (local.get $b)))) (local.get $d))))
      (local.set $a (i32.add (local.get $a) (i32.const 32))) (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br 0)))
    (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (local.set $p (i32.and (local.get $p) (i32.const 3)))
    (block (loop
      (br_if 1 (i32.eqz (local.get $p)))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.tee $e (f64.sub (f64.load (local.get $a))
        (f64.load (local.get $b)))) (local.get $e))))
      (local.set $a (i32.add (local.get $a) (i32.const 8))) (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (br 0)))
    (local.get $s)))`;

function instantiate(text: string): Record<string, unknown> {
  return new WebAssembly.Instance(new WebAssembly.Module(assembleWat(text))).exports;
}

describe("assembleWat(text)", () => {
  it("reproduces the bytes hand-assembled for the k-means distance kernel", () => {
    // The module k-means shipped as hand-assembled bytes before its kernels moved to WAT source.
    const shipped =
      "AGFzbQEAAAABCAFgA39/fwF8AgwBA2VudgNtZW0CAAEDAgEABwoBBnNxZGlzdAAACskBAcYBBQF/AnsBfAF7AXwgACACQXxxQQN0aiEDAkADQCAAIANPDQEgBCAA/QADACAB/QADAP3xASIHIAf98gH98AEhBCAFIAD9AAMQIAH9AAMQ/fEBIgcgB/3yAf3wASEFIABBIGohACABQSBqIQEMAAsLIAQgBf3wASEEIAT9IQAgBP0hAaAhBiACQQNxIQICQANAIAJFDQEgBiAAKwMAIAErAwChIgggCKKgIQYgAEEIaiEAIAFBCGohASACQQFrIQIMAAsLIAYL";
    expect(Buffer.from(assembleWat(SQDIST)).toString("base64")).toBe(shipped);
  });

  it("builds a module that validates from the binomial kernels' source", () => {
    expect(WebAssembly.validate(assembleWat(BINOMIAL_WAT))).toBe(true);
  });

  it("encodes signed LEB128 constants, f64 constants and named labels", () => {
    const m = instantiate(`(module
      (func (export "c") (param $k i32) (result i64)
        (block $out (result i64)
          (br_if $out (i64.const -9223372036854775808) (i32.eq (local.get $k) (i32.const 0)))
          (drop)
          (br_if $out (i64.const 9007199254740993) (i32.eq (local.get $k) (i32.const 1)))
          (drop)
          (i64.const -64)))
      (func (export "f") (result f64) (f64.add (f64.const 0.1) (f64.const -2.5e-300)))
      (func (export "i") (result i32) (i32.add (i32.const -2147483648) (i32.const 63))))`);
    const c = m.c as (k: number) => bigint;
    expect(c(0)).toBe(-(2n ** 63n));
    expect(c(1)).toBe(9007199254740993n);
    expect(c(2)).toBe(-64n);
    expect((m.f as () => number)()).toBe(0.1 + -2.5e-300);
    expect((m.i as () => number)()).toBe(-2147483648 + 63);
  });

  it("gives the same bytes for flat and folded instructions", () => {
    const folded = `(module (func (export "f") (param $a f64) (result f64) (f64.mul (local.get $a) (f64.add (local.get $a) (f64.const 1)))))`;
    const flat = `(module (func (export "f") (param $a f64) (result f64) local.get $a local.get $a f64.const 1 f64.add f64.mul))`;
    expect(assembleWat(flat)).toEqual(assembleWat(folded));
    expect((instantiate(flat).f as (a: number) => number)(3)).toBe(12);
  });

  it("encodes SIMD constants, lanes and memory immediates", () => {
    const m = instantiate(`(module (memory (export "memory") 1)
      (func (export "g") (param $p i32) (result f64)
        (v128.store offset=32 (local.get $p) (f64x2.mul (v128.load offset=16 (local.get $p)) (v128.const f64x2 2 -0.5)))
        (f64.add (f64x2.extract_lane 0 (v128.load offset=32 (local.get $p))) (f64x2.extract_lane 1 (v128.load offset=32 (local.get $p))))))`);
    const mem = new Float64Array((m.memory as WebAssembly.Memory).buffer);
    mem.set([3, 8], 2);
    expect((m.g as (p: number) => number)(0)).toBe(6 - 4);
    expect(Array.from(mem.subarray(4, 6))).toEqual([6, -4]);
  });

  it("names the instruction or label it cannot encode", () => {
    expect(() => assembleWat(`(module (func (f64.frobnicate)))`)).toThrow(/unknown instruction f64.frobnicate/);
    expect(() => assembleWat(`(module (func (br $nowhere)))`)).toThrow(/unknown label \$nowhere/);
    expect(() => assembleWat(`(module (func (local.get $x)))`)).toThrow(/unknown local \$x/);
    expect(() => assembleWat(`(module (func (nop))`)).toThrow(/missing \)/);
  });
});
