import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli, SKIP_DATA } from "./helpers.js";

/**
 * `openbeat init` on the real exports, then `openbeat run` on the draft exactly as written, with the --data folder
 * the draft's first lines name. Each case reports what the draft chose through its assertions.
 */

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "openbeat-init-e2e-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface Draft {
  kind: string;
  risk?: { target: string; id?: string; features: { categorical: string[]; numeric: string[] } };
  segments?: { id?: string; features: { categorical: string[]; numeric: string[]; dates: { column: string; parts: string[] }[] } };
}

/** Drafts a study of `file`, runs it unedited with the --data folder the draft names, and returns both. */
async function initAndRun(
  name: string,
  file: string,
  kind: string,
): Promise<{ text: string; draft: Draft; results: Record<string, unknown> }> {
  const study = join(tmp, `${name}.yaml`);
  const init = await cli(["init", file, "--kind", kind, "--out", study]);
  expect(init.code, init.stderr).toBe(0);
  const text = readFileSync(study, "utf8");
  const [schemaLine, , runLine] = text.split("\n");
  // The first line names the study schema by its path from the draft (for editors); the third, how to run it.
  const schema = /^# yaml-language-server: \$schema=(\S+)$/.exec(schemaLine)?.[1];
  expect(schema && resolve(dirname(study), schema)).toBe(resolve("schema/study.schema.json"));
  const data = /--data (\S+)/.exec(runLine)?.[1];
  expect(data, "the draft names its --data folder").toBeDefined();
  const out = join(tmp, `out-${name}`);
  const run = await cli(["run", study, "--data", data ?? "", "--out", out, "--quiet"]);
  expect(run.code, run.stderr).toBe(0);
  return {
    text,
    draft: parse(text) as Draft,
    results: JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Record<string, unknown>,
  };
}

describe.skipIf(SKIP_DATA)("openbeat init drafts a study file that runs unedited", () => {
  it(
    "Orlando response to resistance (risk): target Officer Battered, Officer Injured and Medical Treatment left out as leaks",
    { timeout: 900_000 },
    async () => {
      const { text, draft, results } = await initAndRun(
        "orlando",
        "../shared/data/orlando-response-to-resistance/OPD_Response_To_Resistance.csv",
        "risk",
      );
      expect(draft.risk?.target).toBe("officer_battered");
      expect(text).toMatch(/^# {3}Officer Injured: leakage-prone/m);
      expect(text).toMatch(/^# {3}Officer Medical Treatment: leakage-prone/m);
      expect(draft.risk?.features.categorical).toEqual(
        expect.arrayContaining(["tackle_take_down", "physical_strikes_made", "offender_arrested"]),
      );
      expect(results.study).toBe("risk");
      expect((results.data as { rows: number }).rows).toBeGreaterThan(5000);
    },
  );

  it(
    "LMPD crime reports with the officer flag (risk): target OFFICER_ATTACKED, offence and premise as categories",
    { timeout: 900_000 },
    async () => {
      const { draft, results } = await initAndRun("lmpd", "../shared/data/lmpd-assaulted-officers/LMPD_Data.csv", "risk");
      expect(draft.risk?.target).toBe("officer_attacked");
      expect(draft.risk?.id).toBe("incident_number");
      expect(draft.risk?.features.categorical).toEqual(["uor_desc", "premise_type"]);
      expect(results.study).toBe("risk");
      expect((results.data as { rows: number }).rows).toBeGreaterThan(30000);
    },
  );

  it(
    "Philadelphia shooting victims (segments): date_ plus the TIME column, objectid as id, coordinates left out",
    { timeout: 900_000 },
    async () => {
      const { text, draft, results } = await initAndRun(
        "philadelphia",
        "../shared/data/philadelphia-shooting-victims/shootings.csv",
        "segments",
      );
      expect(draft.segments?.id).toBe("objectid");
      expect(text).toContain(`CAST(timezone('UTC', "date_") AS DATE) + "time" AS "date"`);
      expect(draft.segments?.features.dates).toEqual([{ column: "date", parts: ["hour", "weekday", "month", "year"] }]);
      expect(draft.segments?.features.numeric).toEqual(["age"]);
      expect(text).toMatch(/^# {3}lat: coordinates/m);
      expect(results.study).toBe("segments");
      expect(results.k).toBeGreaterThanOrEqual(2);
    },
  );

  it(
    "Baltimore Part 1 crime victims (segments): RowID as id, the empty column and Neighborhood left out",
    { timeout: 900_000 },
    async () => {
      const { text, draft, results } = await initAndRun(
        "baltimore",
        "../shared/data/baltimore-part1-crime/Part_1_Crime_Data_.csv",
        "segments",
      );
      expect(draft.segments?.id).toBe("row_id");
      expect(draft.segments?.features.categorical).toEqual(["description", "weapon", "gender", "race", "district"]);
      expect(text).toMatch(/^# {3}column_9: mostly empty/m);
      expect(text).toMatch(/^# {3}Neighborhood: \d+ levels: too many/m);
      expect(results.study).toBe("segments");
    },
  );
});
