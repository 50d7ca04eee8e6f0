import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { featuresSchema } from "../../src/features/spec.js";
import { readFeatureInput } from "../../src/studies/analysis-table.js";
import { sqlName } from "../../src/util/messages.js";
import * as msg from "../../src/util/messages.js";
import { userError } from "../checks.js";

/** The fixes messages suggest are SQL that runs as written: tried here on the data they were made for. */

/** Text dates in an export's layout, with a space in the column name. */
const DATES = ["03/01/2021 02:15:00 PM", "12/31/2020 11:59:00 PM", "07/04/2021 12:00:00 AM"];

let db: Db;
beforeAll(async () => {
  db = await Db.open();
  const rows = DATES.map(
    (d, i) => `('${d}', ${i === 1 ? "'NaN'::DOUBLE" : String(i)}, 'not a date ${String(i)}', ${String(20210301 + i)})`,
  );
  await db.exec(`CREATE TABLE t AS SELECT * FROM (VALUES ${rows.join(", ")}) v("DATE OCC", "Weapon Score", "Free Text", "Day Code")`);
});
afterAll(async () => {
  await db.close();
});

/** The SQL expression a message suggests after `marker` (up to the matching closing parenthesis). */
function suggested(message: string, marker: string): string {
  const start = message.indexOf(marker);
  expect(start, message).toBeGreaterThanOrEqual(0);
  let depth = 0;
  let quote = "";
  for (let i = start + marker.length - 1; i < message.length; ++i) {
    const ch = message[i];
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return message.slice(start, i + 1);
  }
  throw new Error(`no closing parenthesis in ${message}`);
}

describe("suggested fixes are valid as written", () => {
  it("sqlName quotes names with spaces, quotes, or SQL words, and leaves simple names plain", () => {
    expect(sqlName("DATE OCC")).toBe('"DATE OCC"');
    expect(sqlName('say "hi"')).toBe('"say ""hi"""');
    expect(sqlName("time")).toBe('"time"');
    expect(sqlName("DATE_OCCURED")).toBe("DATE_OCCURED");
  });

  it("a text date column: the strptime the message suggests quotes the column and parses every value", async () => {
    const e = await userError(
      readFeatureInput(db, "t", featuresSchema.parse({ dates: [{ column: "DATE OCC", parts: ["hour"] }] }), "s.yaml"),
    );
    expect(e.code).toBe("data.not_date");
    const call = suggested(e.message, "strptime(");
    expect(call).toBe(`strptime("DATE OCC", '%m/%d/%Y %I:%M:%S %p')`);
    const [r] = await db.query(`SELECT count(${call})::INTEGER AS n FROM t`);
    expect(r.n).toBe(DATES.length);
  });

  it("a number that reads as a date: the suggestion casts it to text first, and it parses", async () => {
    const e = await userError(
      readFeatureInput(db, "t", featuresSchema.parse({ dates: [{ column: "Day Code", parts: ["weekday"] }] }), "s.yaml"),
    );
    const call = suggested(e.message, "strptime(");
    expect(call).toBe(`strptime(CAST("Day Code" AS VARCHAR), '%Y%m%d')`);
    const [r] = await db.query(`SELECT count(${call})::INTEGER AS n FROM t`);
    expect(r.n).toBe(DATES.length);
  });

  it("no format is suggested for values no format parses; a value is shown instead", async () => {
    const e = await userError(
      readFeatureInput(db, "t", featuresSchema.parse({ dates: [{ column: "Free Text", parts: ["weekday"] }] }), "s.yaml"),
    );
    expect(e.message).toContain(`strptime("Free Text", 'FORMAT'), FORMAT written for values such as "not a date 0"`);
    expect(e.message).not.toMatch(/'%/);
  });

  it("NaN in a numeric column: the CASE the message suggests quotes the column and runs", async () => {
    const e = await userError(readFeatureInput(db, "t", featuresSchema.parse({ numeric: ["Weapon Score"] }), "s.yaml"));
    expect(e.code).toBe("data.not_finite");
    const expr = e.message.slice(e.message.indexOf("CASE WHEN"));
    expect(expr).toBe('CASE WHEN isfinite("Weapon Score") THEN "Weapon Score" END');
    const rows = await db.query(`SELECT ${expr} AS v FROM t`);
    expect(rows.filter((r) => r.v === null)).toHaveLength(1);
  });

  it("a reserved column name: the rename the message suggests runs", async () => {
    await db.exec(`CREATE TABLE reserved AS SELECT 1 AS "_score", 2 AS other`);
    const message = msg.reservedColumn("s.yaml", "table reserved", "_score");
    const select = /\((SELECT .*) FROM \.\.\.\)/.exec(message)?.[1] ?? "";
    expect(select).toBe("SELECT * EXCLUDE (_score), _score AS score_in_data");
    const [row] = await db.query(`${select} FROM reserved`);
    expect(row).toEqual({ other: 2, score_in_data: 1 });
  });
});
