import { describe, expect, it } from "vitest";
import type { DateRangeView, NumericRangeView } from "../../src/server/api-types.js";
import { dateBuckets } from "../../src/server/ranges.js";
import { snapRange } from "../../web/src/snap-range.js";

const age: NumericRangeView = { key: "Age", column: "Age", label: "Age", kind: "numeric", start: 0, width: 5, bins: 21 };
const pct: NumericRangeView = { key: "p", column: "p", label: "p", kind: "numeric", start: 0.1, width: 0.05, bins: 10 };
const at: DateRangeView = { key: "at", column: "at", label: "at", kind: "date", first: "2020-01-01", end: "2020-04-01" };
const ms = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe("snapRange(range, lo, hi, bins)", () => {
  it("snaps a numeric brush outward to bin edges, within the bins", () => {
    expect(snapRange(age, 21.3, 33.9, [])).toEqual([20, 35]);
    expect(snapRange(age, 20, 35, [])).toEqual([20, 35]);
    expect(snapRange(age, -4, 3, [])).toEqual([0, 5]);
    expect(snapRange(age, 98, 240, [])).toEqual([95, 105]);
    expect(snapRange(pct, 0.151, 0.249, [])).toEqual([0.15, 0.25]);
    expect(snapRange(age, 5, 5, [])).toBeUndefined();
    expect(snapRange(age, Number.NaN, 5, [])).toBeUndefined();
  });

  it("snaps a timeline brush to the weeks or months it touches", () => {
    const weeks = dateBuckets(at, "week");
    expect(snapRange(at, ms("2020-01-08") + 3600e3, ms("2020-01-21"), weeks)).toEqual(["2020-01-06", "2020-01-27"]);
    const months = dateBuckets(at, "month");
    expect(snapRange(at, ms("2020-01-20"), ms("2020-02-10"), months)).toEqual(["2020-01-01", "2020-03-01"]);
    expect(snapRange(at, ms("2021-01-01"), ms("2021-02-01"), months)).toBeUndefined();
  });
});
