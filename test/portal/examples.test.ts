import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isPortalSource } from "../../src/data/portal/index.js";
import { loadStudy } from "../../src/studies/study-file/load-study.js";

const dir = "examples/portal";

describe("examples/portal/*.yaml", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  it("has the Baltimore and LMPD portal examples", () => {
    expect(files.sort()).toEqual(["baltimore-arcgis.yaml", "lmpd-hub.yaml"]);
  });
  for (const f of files) {
    it(`${f} is a valid study whose sources are all portal sources`, async () => {
      const { spec } = await loadStudy(join(dir, f));
      const sources = Object.values(spec.sources);
      expect(sources.length).toBeGreaterThan(0);
      expect(sources.every(isPortalSource)).toBe(true);
    });
  }
});
