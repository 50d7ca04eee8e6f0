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
    const query = encodeUrlState({ run: "lmpd", filters, map: "share:2" });
    const back = decodeUrlState(`?${query}`);
    expect(back.run).toBe("lmpd");
    expect(back.map).toBe("share:2");
    expect([...back.filters]).toEqual([...filters]);
  });

  it("keeps the access token and drops what it does not own", () => {
    const query = encodeUrlState({ run: "a", filters: new Map() }, "?token=s3cret&run=b&f.X=%5B1%5D&junk=1");
    expect(new URLSearchParams(query).get("token")).toBe("s3cret");
    expect(decodeUrlState(query)).toEqual({ run: "a", filters: new Map(), map: undefined });
  });

  it("ignores hand-edited filters that do not parse or hold objects", () => {
    const s = decodeUrlState("?run=x&f.A=%5Bbroken&f.B=%7B%7D&f.C=%5B%7B%7D%5D&f.D=%5B%5D&f.=%5B1%5D&f.E=%5B%22ok%22%5D");
    expect([...s.filters]).toEqual([["E", ["ok"]]]);
  });
});
