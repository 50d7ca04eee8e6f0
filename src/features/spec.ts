import { z } from "zod";
import * as msg from "../util/messages.js";

const identifier = z.string().min(1);

/** Parts of a timestamp that become categorical features. */
export const datePartSchema = z.enum(["hour", "weekday", "month", "year", "day_of_year"]);
export type DatePart = z.infer<typeof datePartSchema>;

/** How columns of the analysis table become the numeric design matrix. */
export const featuresSchema = z
  .strictObject({
    /** One-hot encoded columns. */
    categorical: z.array(identifier).default([]),
    /** Numeric columns (standardized where the study scales). */
    numeric: z.array(identifier).default([]),
    /** Timestamp columns and the parts to take from each (parts are treated as categories). */
    dates: z.array(z.strictObject({ column: identifier, parts: z.array(datePartSchema).min(1) })).default([]),
    /** Categories seen fewer times than this go to an "other" bucket (default 1: keep all). */
    min_frequency: z.number().int().min(1).default(1),
    /**
     * Missing categorical values: "category" keeps them as their own level "(missing)", "drop" removes the rows
     * (counted in results). Missing numeric values: "drop" removes the row, "mean" / "median" imputes.
     */
    missing: z
      .strictObject({
        categorical: z.enum(["category", "drop"]).default("category"),
        numeric: z.enum(["drop", "mean", "median"]).default("drop"),
      })
      .prefault({}),
    /**
     * Merge category values that differ only in letter case (`case: true`: BAR, Bar) or in leading and trailing white
     * space (`whitespace: true`: "PATROL", "PATROL "); each merged level is named by its most frequent spelling.
     * Without it such values are separate levels and the run warns (data.case_variants, data.whitespace_variants).
     */
    fold: z.strictObject({ case: z.boolean().default(false), whitespace: z.boolean().default(false) }).prefault({}),
    /** Exclude these category values (rows are kept, the value becomes "other"): { column: [values] }. */
    exclude_values: z.record(z.string(), z.array(z.string())).optional(),
  })
  .superRefine((f, ctx) => {
    // A column read both as a category and as a number would get two contradictory encodings.
    const seen = new Map<string, string>();
    const lists: [string, string[]][] = [
      ["categorical", f.categorical],
      ["numeric", f.numeric],
      ["dates", f.dates.map((d) => d.column)],
    ];
    for (const [list, columns] of lists)
      columns.forEach((c, i) => {
        const first = seen.get(c);
        if (first === undefined) seen.set(c, list);
        else ctx.addIssue({ code: "custom", path: [list, i], message: msg.featureListedTwice(c, first, list) });
      });
  })
  .prefault({});

export type FeaturesSpec = z.infer<typeof featuresSchema>;
