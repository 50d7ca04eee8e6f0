import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { featuresSchema, type FeaturesSpec } from "../../src/features/spec.js";
import { ANALYSIS, materializeAnalysis, readFeatureInput, requireColumns, requireTable } from "../../src/studies/analysis-table.js";
import { Logger } from "../../src/util/logger.js";
import { userError } from "../checks.js";

const features = (f: Partial<FeaturesSpec>): FeaturesSpec => featuresSchema.parse(f);

let db: Db;
beforeAll(async () => {
  db = await Db.open();
  await db.exec(`CREATE TABLE incidents AS SELECT * FROM (VALUES
    ('b', 'x', '3', 1.0, 'k', NULL, TIMESTAMP '2021-01-01 22:00:00', '7'),
    ('a', 'x', 'n/a', 'NaN'::DOUBLE, 'k', NULL, TIMESTAMP '2021-01-02 03:00:00', '7'),
    ('c', 'x', '5', 2.0, NULL, NULL, NULL, '7')
  ) v(id, const, age, score, mostly, empty, ts, seven)`);
  await materializeAnalysis(db, "incidents");
});
afterAll(async () => {
  await db.close();
});

describe("the analysis table", () => {
  it("materializeAnalysis numbers rows by value and remembers the source's name for messages", async () => {
    expect(await db.query(`SELECT _row, id FROM ${ANALYSIS} ORDER BY _row`)).toEqual([
      { _row: 0, id: "a" },
      { _row: 1, id: "b" },
      { _row: 2, id: "c" },
    ]);
    expect(await materializeAnalysis(db, "incidents")).toBe(3);
    const e = await userError(requireColumns(db, ANALYSIS, ["age", "agee"], "s.yaml: risk.features"));
    expect(e.code).toBe("study.column_not_found");
    expect(e.message).toBe(
      's.yaml: risk.features: column "agee" not found in table "incidents" (did you mean "age"?); run "openbeat inspect" on the source to see its columns',
    );
  });

  it("requireTable names a table that is missing", async () => {
    await requireTable(db, "incidents", "s.yaml");
    const e = await userError(requireTable(db, "incidnets", "s.yaml"));
    expect(e.message).toBe('s.yaml: table "incidnets" does not exist; name a source or prepare step');
  });
});

describe("readFeatureInput(db, table, features, where, options)", () => {
  it("reads categories, date parts and numbers in _row order", async () => {
    const input = await readFeatureInput(
      db,
      ANALYSIS,
      features({ categorical: ["id"], numeric: ["seven"], dates: [{ column: "ts", parts: ["hour"] }] }),
      "w",
    );
    expect(input.categorical).toEqual({ id: ["a", "b", "c"], "ts.hour": ["03", "22", null] });
    expect(Array.from(input.numeric.seven)).toEqual([7, 7, 7]);
  });

  it("names the first numeric column that has text, or NaN, in column order", async () => {
    const notNumber = await userError(
      readFeatureInput(db, ANALYSIS, features({ numeric: ["seven", "age", "score"] }), "s.yaml: risk.features"),
    );
    expect(notNumber.code).toBe("data.not_numeric");
    expect(notNumber.message).toBe(
      's.yaml: risk.features: numeric feature "age" has 1 values that are not numbers (e.g. "n/a"); clean or cast it in a prepare step, or list it under categorical',
    );
    const notFinite = await userError(readFeatureInput(db, ANALYSIS, features({ numeric: ["score", "age"] }), "w"));
    expect(notFinite.code).toBe("data.not_finite");
    expect(notFinite.message).toBe(
      'w: numeric feature "score" has 1 values that are NaN or infinite (e.g. "nan"); turn them into NULL in a prepare step, e.g. CASE WHEN isfinite(score) THEN score END',
    );
  });

  it("refuses an empty column and one with too many levels, and warns about a constant one", async () => {
    const empty = await userError(readFeatureInput(db, ANALYSIS, features({ categorical: ["const", "empty"] }), "w"));
    expect(empty.code).toBe("data.empty_feature");
    expect(empty.message).toBe(
      'w: categorical feature "empty" is empty (all 3 values are missing); remove it from the features or check the prepare SQL and the source column',
    );
    const many = await userError(readFeatureInput(db, ANALYSIS, features({ categorical: ["id"] }), "w", { maxLevels: 2 }));
    expect(many.code).toBe("data.too_many_levels");
    expect(many.message).toBe(
      'w: categorical feature "id" has 3 distinct values in 3 rows (more than 2); it looks like an id or free text: remove it, group it in a prepare step, or raise features.min_frequency',
    );
    await readFeatureInput(db, ANALYSIS, features({ categorical: ["id"], min_frequency: 2 }), "w", { maxLevels: 2 });
    const logger = new Logger({ silent: true });
    await readFeatureInput(db, ANALYSIS, features({ categorical: ["const", "mostly"], numeric: ["seven"] }), "w", { logger });
    expect(logger.warnings).toEqual([
      {
        code: "data.constant_feature",
        message: 'w: feature "const" has the same value ("x") in every row; it carries no information: remove it from the features',
        column: "const",
        value: "x",
        rows: 3,
      },
      {
        code: "data.constant_feature",
        message: 'w: feature "seven" has the same value ("7") in every row; it carries no information: remove it from the features',
        column: "seven",
        value: "7",
        rows: 3,
      },
    ]);
  });

  it("skips the column checks with check: false but still refuses text in a numeric column and a non-date", async () => {
    const input = await readFeatureInput(db, ANALYSIS, features({ categorical: ["empty"] }), "w", { check: false });
    expect(input.categorical.empty).toEqual([null, null, null]);
    expect((await userError(readFeatureInput(db, ANALYSIS, features({ numeric: ["age"] }), "w", { check: false }))).code).toBe(
      "data.not_numeric",
    );
    const notDate = await userError(readFeatureInput(db, ANALYSIS, features({ dates: [{ column: "age", parts: ["hour"] }] }), "w"));
    // No date format parses "3", "5" and "n/a": the message names none, and shows a value to write one for.
    expect(notDate.message).toMatch(
      /^w: date feature "age" has type VARCHAR, not a timestamp; parse it in a prepare step with strptime\(age, 'FORMAT'\), FORMAT written for values such as "3"/,
    );
  });
});
