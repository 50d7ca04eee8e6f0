import { describe, expect, it } from "vitest";
import { matchNames, normalizeName } from "../../src/studies/segments/match-names.js";

describe("matchNames", () => {
  const targets = ["Mt. Washington", "Harford-Echodale/Perring Parkway", "Ellwood Park/Monument", "Boyd-Booth", "Canton"];
  it("normalizeName(name) folds case, punctuation and Mt./Mount", () => {
    expect(normalizeName("  Mt. Washington ")).toBe("MOUNT WASHINGTON");
    expect(normalizeName("Ellwood Park/Monument")).toBe("ELLWOOD PARK MONUMENT");
  });
  it("matchNames(names, targets) matches exact, normalized, truncated and aliased names and reports the rest", () => {
    const m = matchNames(["Canton", "MOUNT WASHINGTON", "HARFORD-ECHODALE-PER", "ELLWOOD PARK/MONUMEN", "BOOTH-BOYD", "NOWHERE"], targets, {
      "booth boyd": "Boyd-Booth",
    });
    expect(m.map((x) => [x.target, x.how])).toEqual([
      ["Canton", "exact"],
      ["Mt. Washington", "normalized"],
      ["Harford-Echodale/Perring Parkway", "prefix"],
      ["Ellwood Park/Monument", "prefix"],
      ["Boyd-Booth", "alias"],
      [null, "none"],
    ]);
  });
  it("matchNames does not guess between two targets sharing a prefix", () => {
    const m = matchNames(["PARK HEIGHTS AREA XX"], ["Park Heights Area XXA", "Park Heights Area XXB"]);
    expect(m[0].target).toBeNull();
  });
});
