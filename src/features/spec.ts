import { z } from "zod";
import * as msg from "../util/messages.js";

const identifier = z.string().min(1);

/** Parts of a timestamp that become categorical features. */
export const datePartSchema = z.enum(["hour", "weekday", "month", "year", "day_of_year"]);
export type DatePart = z.infer<typeof datePartSchema>;

/**
 * A date's time of day kept in a column of its own: `hhmm` reads integers (or digit text) such as 1430 or 930 as
 * 14:30 and 09:30 (0..2359, minutes below 60; other values are missing times, counted in a warning); `time` reads a
 * TIME column or text such as "14:30" or "14:30:00".
 */
export const timeOfDaySchema = z.strictObject({
  /** The column that holds the time of day. */
  column: identifier,
  /** How its values read: "hhmm" (default) or "time". */
  format: z.enum(["hhmm", "time"]).default("hhmm"),
});
export type TimeOfDay = z.infer<typeof timeOfDaySchema>;

/** One timestamp column and the parts taken from it; `time` adds the time of day from another column. */
export const dateFeatureSchema = z.strictObject({
  column: identifier,
  parts: z.array(datePartSchema).min(1),
  /** The time of day when `column` holds dates only (e.g. `{ column: TIME_OCC, format: hhmm }`). */
  time: timeOfDaySchema.optional(),
});
export type DateFeature = z.infer<typeof dateFeatureSchema>;

/** How columns of the analysis table become the numeric design matrix. */
export const featuresSchema = z
  .strictObject({
    /** One-hot encoded columns. */
    categorical: z.array(identifier).default([]),
    /** Numeric columns (standardized where the study scales). */
    numeric: z.array(identifier).default([]),
    /**
     * Timestamp columns and the parts to take from each (parts are treated as categories); a date column whose time
     * of day is in another column names it in `time`.
     */
    dates: z.array(dateFeatureSchema).default([]),
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
