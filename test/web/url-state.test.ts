import { describe, expect, it } from "vitest";
import { decodeUrlState, encodeUrlState } from "../../web/src/url-state.js";

describe("encodeUrlState(state) / decodeUrlState(search)", () => {
  it("round-trips run, filters of every value type and the map choice, in filter order", () => {
    const filters = new Map<string, (string | number | boolean | null)[]>([
      ["PREMISE_TYPE", ["HIGHWAY / ROAD / ALLEY", "RESIDENCE & HOME"]],
      ["hour:DATE_OCCURED", [22, 0]],
      ["_cluster", [1]],
      ["flag", [true, null]],
    ]);
    const query = encodeUrlState({ run: "lmpd", filters, ranges: new Map(), map: "share:2" });
    const back = decodeUrlState(`?${query}`);
    expect(back.run).toBe("lmpd");
    expect(back.map).toBe("share:2");
    expect([...back.filters]).toEqual([...filters]);
  });

  it("keeps the access token and drops what it does not own", () => {
    const query = encodeUrlState(
      { run: "a", filters: new Map(), ranges: new Map() },
      "?token=s3cret&run=b&f.X=%5B1%5D&r.Y=%5B1,2%5D&junk=1",
    );
    expect(new URLSearchParams(query).get("token")).toBe("s3cret");
    expect(decodeUrlState(query)).toEqual({ run: "a", filters: new Map(), ranges: new Map(), map: undefined });
  });

  it("ignores hand-edited filters that do not parse or hold objects", () => {
    const s = decodeUrlState("?run=x&f.A=%5Bbroken&f.B=%7B%7D&f.C=%5B%7B%7D%5D&f.D=%5B%5D&f.=%5B1%5D&f.E=%5B%22ok%22%5D");
    expect([...s.filters]).toEqual([["E", ["ok"]]]);
  });

  it("round-trips brushed ranges (numbers and days) and the timeline's unit, next to the filters", () => {
    const ranges = new Map<string, [number, number] | [string, string]>([
      ["Age", [20, 35]],
      ["pct_black", [0.05, 0.4]],
      ["DATE_OCCURED", ["2020-01-06", "2020-03-02"]],
    ]);
    const filters = new Map([["PREMISE_TYPE", ["RESIDENCE & HOME"]]]);
    const query = encodeUrlState({ run: "baltimore", filters, ranges, unit: "month" });
    expect(query).toContain("r.Age=%5B20%2C35%5D");
    expect(query).toContain("unit=month");
    const back = decodeUrlState(query);
    expect([...back.ranges]).toEqual([...ranges]);
    expect([...back.filters]).toEqual([...filters]);
    expect(back.unit).toBe("month");
    // No choice (the run's default) is left out of the link.
    expect(encodeUrlState({ filters, ranges: new Map() })).not.toContain("unit");
    expect(decodeUrlState(encodeUrlState({ filters, ranges: new Map(), unit: "week" })).unit).toBe("week");
  });

  it("ignores hand-edited ranges that are not two numbers or two days in order", () => {
    const bad = [
      "[1]",
      "[2,1]",
      "[1,1]",
      '["a","b"]',
      '["2020-01-01",5]',
      '["2020-02-01","2020-01-01"]',
      '[1,"2"]',
      "{}",
      "[1,2",
      "[null,2]",
    ];
    const search = bad.map((v, i) => `r.C${i}=${encodeURIComponent(v)}`).join("&") + "&r.ok=%5B0%2C5%5D&unit=year";
    const s = decodeUrlState(search);
    expect([...s.ranges]).toEqual([["ok", [0, 5]]]);
    expect(s.unit).toBeUndefined();
  });
});
