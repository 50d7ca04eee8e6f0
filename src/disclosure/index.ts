export {
  DEFAULT_MIN_CELL,
  DEFAULT_POLICY,
  isSmall,
  minCellConflict,
  policyOfManifest,
  rateAllowed,
  resolvePolicy,
  shareAllowed,
  suppressedLabel,
  type DisclosurePolicy,
  type DisclosureSection,
} from "./policy.js";
export {
  publishedCount,
  suppressCells,
  suppressList,
  suppressTable,
  suppressTwoWay,
  type Constraint,
  type TableSuppression,
  type TwoWaySuppression,
} from "./cells.js";
export {
  KEY_RANGE,
  PERTURBATION_BOUND,
  cellKey,
  consistentCounts,
  perturbation,
  perturbationSupport,
  perturbCount,
  perturbs,
  publishFloor,
  recordKey,
  recordKeySql,
  runSalt,
  type SaltSource,
} from "./perturb.js";
export { discloseAreas, type AreaCollection, type AreaFeature } from "./geo.js";
export { PCA_GRID, discloseResults, pcaDensity } from "./results.js";
