import { PERTURBATION_BOUND, perturbs, publishFloor } from "../disclosure/perturb.js";
import { shareAllowed, suppressedLabel, type DisclosurePolicy } from "../disclosure/policy.js";
import type { Results } from "../results/types.js";
import type { DashboardDisclosure, DashboardResults } from "./api-types.js";

/**
 * What the front end is told about the run's protection: how hidden counts read and how much shown ones move.
 * @param gridOn whether the run serves a gridded point map (the policy allows one and the run has coordinates)
 */
export function dashboardDisclosure(policy: DisclosurePolicy, gridOn: boolean): DashboardDisclosure {
  const perturbed = perturbs(policy);
  const floor = publishFloor(policy);
  return {
    min_cell: policy.min_cell,
    perturbed,
    bound: perturbed ? PERTURBATION_BOUND : 0,
    smallest_shown: perturbed ? floor + (floor % 2) : Math.min(1, policy.min_cell),
    hidden_label: perturbed ? `≤${policy.min_cell}` : suppressedLabel(policy),
    max_filters: policy.dashboard.max_filters,
    points: gridOn && policy.points ? { grid_m: policy.points.grid_m } : false,
    row_level: policy.row_level,
  };
}

/**
 * The fields of results.json the dashboard shows, through the policy: model quality and settings for risk runs;
 * cluster labels and, per described column, the values whose count and "not that value" count are both at least
 * min_cell, with their shares, for segments runs. Warnings, count tables, curves and the row-level PCA sample are
 * left out: the dashboard's counts come from the API, which applies the policy to every answer.
 */
export function dashboardResults(results: Results, policy: DisclosurePolicy): DashboardResults {
  const common = {
    name: results.name,
    ...(results.description === undefined ? {} : { description: results.description }),
    ...(results.synthetic === undefined ? {} : { synthetic: results.synthetic }),
    dashboard: results.dashboard,
  };
  if (results.study === "risk") {
    const m = results.metrics;
    const calibration: unknown = results.validation.calibration;
    return {
      ...common,
      study: "risk",
      target: results.target,
      threshold: results.threshold,
      base_rate: results.base_rate,
      validation: {
        method: results.validation.method,
        folds: results.validation.folds,
        // Older results folders have no calibration method; the dashboard then calls `_score` a score.
        ...(typeof calibration === "string" ? { calibration } : {}),
      },
      metrics: {
        balanced_accuracy: m.balanced_accuracy,
        precision: m.precision,
        recall: m.recall,
        f1: m.f1,
        roc_auc: m.roc_auc,
        pr_auc: m.pr_auc,
      },
    };
  }
  return {
    ...common,
    study: "segments",
    k: results.k,
    method: results.method,
    clusters: results.clusters.map((c) => ({
      id: c.id,
      label: c.label,
      top_values: Object.fromEntries(
        Object.entries(c.top_values).map(([column, values]) => [
          column,
          values.flatMap((v) =>
            v.count !== null && v.share !== null && c.size !== null && shareAllowed(v.count, c.size, policy)
              ? [{ value: v.value, share: Math.round(v.share * 1000) / 1000 }]
              : [],
          ),
        ]),
      ),
    })),
    ...(results.areas ? { areas: { column: results.areas.column } } : {}),
  };
}
