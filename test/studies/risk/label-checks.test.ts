import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../../src/data/Db.js";
import { labelDrift, periodKey } from "../../../src/studies/risk/label-drift.js";
import { readRowFilters, runLabelChecks } from "../../../src/studies/risk/row-filters.js";
import { riskSchema } from "../../../src/studies/risk/spec.js";
import { temporalSplitDated } from "../../../src/studies/risk/temporal-split.js";
import { isUserError } from "../../../src/util/errors.js";

const ms = (s: string) => Date.parse(`${s}Z`);

describe("periodKey(t, period) and labelDrift(times, y, keep, drift)", () => {
  it("names years, quarters and months in UTC", () => {
    const t = ms("2021-08-31T23:30:00");
    expect([periodKey(t, "year"), periodKey(t, "quarter"), periodKey(t, "month")]).toEqual(["2021", "2021-Q3", "2021-08"]);
  });

  it("is Pearson's chi-squared of a 2×2 table for two periods (hand-checked), and drifts when the rate halves", () => {
    // 2019: 40 of 200; 2020: 10 of 200 → pooled 50/400; expected 25 / 175 per period
    const times: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 200; ++i) {
      times.push(ms("2019-06-01T00:00:00"));
      y.push(i < 40 ? 1 : 0);
      times.push(ms("2020-06-01T00:00:00"));
      y.push(i < 10 ? 1 : 0);
    }
    times.push(NaN);
    y.push(1);
    const keep = Int32Array.from(times.keys());
    const d = labelDrift(Float64Array.from(times), Float64Array.from(y), keep, { period: "year", ratio: 2, alpha: 0.01, min_rows: 100 });
    const chi2 = 2 * ((40 - 25) ** 2 / 25 + (160 - 175) ** 2 / 175);
    expect(d.statistic).toBeCloseTo(chi2, 12);
    expect(d.df).toBe(1);
    expect(d.undated).toBe(1);
    expect(d.p_value).toBeLessThan(1e-4);
    expect(d.ratio).toBeCloseTo(4, 12);
    expect(d).toMatchObject({ drifts: true, first: { period: "2019", rate: 0.2 }, last: { period: "2020", rate: 0.05 } });
  });

  it("does not drift when the rates are equal, and leaves small periods out of the comparison", () => {
    const times = [
      ...Array<number>(300).fill(ms("2019-01-02T00:00:00")),
      ...Array<number>(300).fill(ms("2020-01-02T00:00:00")),
      ms("2021-01-02T00:00:00"),
    ];
    const y = times.map((_, i) => (i % 10 === 0 || i === 600 ? 1 : 0));
    const d = labelDrift(Float64Array.from(times), Float64Array.from(y), Int32Array.from(times.keys()), {
      period: "year",
      ratio: 2,
      alpha: 0.01,
      min_rows: 100,
    });
    expect(d.periods.map((p) => [p.period, p.compared])).toEqual([
      ["2019", true],
      ["2020", true],
      ["2021", false],
    ]);
    expect(d.drifts).toBe(false);
    expect(d.ratio).toBeCloseTo(1, 12);
  });
});

describe("temporalSplitDated(times, options)", () => {
  it("splits the dated rows and leaves the undated ones in neither set", () => {
    const t = Float64Array.from([5, NaN, 1, 2, NaN, 4, 3]);
    const { split, undated } = temporalSplitDated(t, { testFrom: 4 });
    expect(undated).toBe(2);
    expect(Array.from(split.train)).toEqual([2, 3, 6]);
    expect(Array.from(split.test)).toEqual([0, 5]);
  });
});

describe("readRowFilters(db, table, spec, where) and runLabelChecks", () => {
  let db: Db;
  beforeAll(async () => {
    db = await Db.open();
    await db.exec(`CREATE TABLE t AS SELECT * FROM (VALUES
      (0, TIMESTAMP '2018-12-31 23:59:00', 'A', 1, false),
      (1, TIMESTAMP '2019-01-01 00:00:00', 'B', 0, false),
      (2, TIMESTAMP '2021-09-01 16:00:00', 'A', 1, true),
      (3, TIMESTAMP '2021-09-02 00:00:00', 'B', 0, false),
      (4, NULL, 'C', 0, true),
      (5, TIMESTAMP '2020-05-05 00:00:00', 'C', 1, true)) v(_row, d, code, y, late)`);
  });
  afterAll(async () => {
    await db.close();
  });

  it("censors before the first day and after the end of the last, keeps undated rows, and leaves out excluded values", async () => {
    const spec = riskSchema.parse({
      target: "y",
      date: "d",
      features: { categorical: ["code"] },
      exclude_rows: { code: ["C"] },
      label: { censor_before: "2019-01-01", censor_after: "2021-09-01" },
    });
    const f = await readRowFilters(db, "t", spec, "s.yaml");
    expect(f.censored).toEqual({ before: 1, after: 1, undated: 1 });
    expect(f.skips.map((s) => [s.reason, Array.from(s.mask)])).toEqual([
      ["dated before 2019-01-01 (label.censor_before)", [1, 0, 0, 0, 0, 0]],
      ["dated after 2021-09-01 (label.censor_after)", [0, 0, 0, 1, 0, 0]],
      ["code excluded by risk.exclude_rows", [0, 0, 0, 0, 1, 1]],
    ]);
  });

  it("a timestamp as censor_after is inclusive to the minute", async () => {
    const spec = riskSchema.parse({
      target: "y",
      date: "d",
      features: { categorical: ["code"] },
      label: { censor_after: "2021-09-01 12:00" },
    });
    const f = await readRowFilters(db, "t", spec, "s.yaml");
    expect(Array.from(f.skips[0].mask)).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it("a label window without a date column is a user error", async () => {
    const spec = riskSchema.parse({ target: "y", features: { categorical: ["code"] }, label: { censor_after: "2021-09-01" } });
    await expect(readRowFilters(db, "t", spec, "s.yaml")).rejects.toMatchObject({ code: "risk.needs_date" });
  });

  it("label checks count the kept rows that match, by class; a broken condition is a user error", async () => {
    const y = Float64Array.from([1, 0, 1, 0, 0, 1]);
    const spec = riskSchema.parse({
      target: "y",
      features: { categorical: ["code"] },
      label: { checks: [{ name: "late", where: "late" }] },
    });
    const checks = await runLabelChecks(db, "t", spec, y, Int32Array.from([1, 2, 3, 4, 5]), "s.yaml");
    expect(checks).toEqual([{ name: "late", where: "late", rows: 3, positives: 2, negatives: 1 }]);
    const bad = riskSchema.parse({
      target: "y",
      features: { categorical: ["code"] },
      label: { checks: [{ name: "oops", where: "no_such_column" }] },
    });
    const err = await runLabelChecks(db, "t", bad, y, Int32Array.from([0]), "s.yaml").catch((e: unknown) => e);
    expect(isUserError(err) && err.code).toBe("risk.label_check_sql");
    expect((err as Error).message).toMatch(/s\.yaml: risk\.label\.checks "oops": its where condition failed/);
  });
});
