/**
 * openbeat's library API: the typed-array kernels, the study-file loader, the study runner and the results contract.
 */
export * from "./ml/index.js";
export { loadStudy, parseStudy, type LoadedStudy } from "./studies/study-file/load-study.js";
export { studySchema, type StudySpec } from "./studies/registry.js";
export type { RiskSpec } from "./studies/risk/spec.js";
export type { SegmentsSpec } from "./studies/segments/spec.js";
export type { SourceSpec } from "./data/sources/source-spec.js";
export { runStudy, DEFAULT_STEP_TIMEOUT_MS, type RunOptions, type RunSummary } from "./studies/run-study.js";
export { openResultsFolder, type ResultsFolder, type OpenResultsFolderOptions, type ProtectedPath } from "./studies/results-folder.js";
export { resultsSchema, manifestSchema } from "./results/schema.js";
export type { Results, RiskResults, SegmentsResults, Manifest } from "./results/types.js";
export { fitEncoder, encodeDense, encodeSparse, type Encoder, type FeatureInput } from "./features/encode.js";
export { Db, type Database } from "./data/Db.js";
export { UserError } from "./util/errors.js";
