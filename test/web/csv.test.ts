import { describe, expect, it } from "vitest";
import { toCsv } from "../../web/src/csv.js";

describe("toCsv(columns, rows)", () => {
  it("quotes commas, quotes and line breaks, writes null and non-finite numbers as empty cells", () => {
    const text = toCsv(
      ["name", "records", "rate"],
      [
        ['ASSAULT, 4TH "DEGREE"', 12, 0.25],
        ["line\nbreak", null, NaN],
        ["≤10", 0, undefined],
      ],
    );
    expect(text).toBe('name,records,rate\r\n"ASSAULT, 4TH ""DEGREE""",12,0.25\r\n"line\nbreak",,\r\n≤10,0,\r\n');
  });
});
