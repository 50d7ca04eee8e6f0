/**
 * openbeat's library API: the typed-array kernels, the study-file loader and the study runner.
 */
export * from "./ml/index.js";
export { loadStudy, parseStudy, type LoadedStudy } from "./study/load-study.js";
export type { StudySpec, RiskSpec, SegmentsSpec, SourceSpec } from "./study/schema.js";
export { runStudy, DEFAULT_STEP_TIMEOUT_MS, type RunOptions, type RunSummary } from "./studies/run-study.js";
export { openResultsFolder, type ResultsFolder, type OpenResultsFolderOptions, type ProtectedPath } from "./studies/results-folder.js";
export type { Results, RiskResults, SegmentsResults } from "./studies/results.js";
export { fitEncoder, encodeDense, encodeSparse, type Encoder, type FeatureInput } from "./features/encode.js";
export { Db, type Database } from "./data/Db.js";
export { UserError } from "./util/errors.js";
