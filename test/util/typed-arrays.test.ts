import { describe, expect, it } from "vitest";
import { indicesWhere, iota, isIota, mapFloat64, mapInt32, mapUint8 } from "../../src/util/typed-arrays.js";

describe("mapFloat64, mapInt32, mapUint8, iota", () => {
  const source = Float64Array.from([3.5, -0, NaN, 1e300, -7, 2 ** 31 + 3, 255.9, 256]);
  const f = (v: number, i: number) => v * 2 + i;

  it("give what the typed arrays' own from(source, f) gives, conversions included", () => {
    expect(mapFloat64(source, f)).toEqual(Float64Array.from(source, f));
    expect(mapInt32(source, f)).toEqual(Int32Array.from(source, f));
    expect(mapUint8(source, f)).toEqual(Uint8Array.from(source, f));
    const mixed: (number | null)[] = [1, null, 2.5];
    expect(Array.from(mapFloat64(mixed, (v) => (v === null ? NaN : v)))).toEqual([1, NaN, 2.5]);
    expect(mapInt32([], f)).toEqual(new Int32Array(0));
  });

  it("iota(n) is 0 … n − 1", () => {
    expect(Array.from(iota(5))).toEqual([0, 1, 2, 3, 4]);
    expect(iota(0)).toHaveLength(0);
  });

  it("indicesWhere gives the indices that pass, ascending", () => {
    const v = Float64Array.from([0, 1, NaN, 1, 0, 1]);
    expect(Array.from(indicesWhere(v, (x) => x === 1))).toEqual([1, 3, 5]);
    expect(Array.from(indicesWhere(v, Number.isNaN))).toEqual([2]);
    expect(indicesWhere(v, () => false)).toHaveLength(0);
  });

  it("isIota tells all rows in order from anything else", () => {
    expect(isIota(iota(4), 4)).toBe(true);
    expect(isIota([], 0)).toBe(true);
    expect(isIota(iota(4), 5)).toBe(false);
    expect(isIota(Int32Array.from([0, 2, 1, 3]), 4)).toBe(false);
    expect(isIota(Int32Array.from([0, 1, 2, 2]), 4)).toBe(false);
  });
});
