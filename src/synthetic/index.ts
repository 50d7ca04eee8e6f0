export { generateLmpd, writeLmpd, formatLmpdDate, LMPD_OFFICER_COLUMNS, LMPD_CRIME_COLUMNS } from "./lmpd.js";
export type { LmpdOptions, LmpdFiles } from "./lmpd.js";
export { generateBaltimore, writeBaltimore, BALTIMORE_FULL_COLUMNS, BALTIMORE_SAMPLE_COLUMNS } from "./baltimore.js";
export type { BaltimoreOptions } from "./baltimore.js";
export { BALTIMORE_NEIGHBORHOODS } from "./baltimore-neighborhoods.js";
export { createSampler, normal, csvField } from "./sampling.js";
export type { Sampler, Weighted } from "./sampling.js";
