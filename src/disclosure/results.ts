import type { Cluster, PcaDensity, PcaPoint, Results, RiskResults, SegmentsResults, Warning } from "../results/types.js";
import { suppressCells, type Constraint } from "./cells.js";
import { isSmall, rateAllowed, shareAllowed, suppressedLabel, type DisclosurePolicy } from "./policy.js";

/**
 * Disclosure control of a run's results before anything is written: results.json, report.html, the console summary
 * and the `--export-db` tables are all made from what {@link discloseResults} returns. The rules are those of
 * docs/disclosure.md: a count n is small when 0 < n < min_cell; a small count, and every rate, share or model
 * statistic computed from a small count (or from small positives or negatives), is published as null and named in
 * its record's `suppressed` list; published totals get complementary suppression (cells.ts) so that no hidden count
 * follows by subtraction; row-level samples (pca_sample) are replaced by a suppressed density grid.
 */

type Policy = Pick<DisclosurePolicy, "min_cell">;
type Suppressible = { suppressed?: string[] };

/** Sets `fields` of `rec` to null and lists them in its `suppressed` array (each name once, in order). */
function hide(rec: Suppressible, fields: readonly string[]): void {
  const r = rec as Record<string, unknown>;
  const list = rec.suppressed ?? [];
  for (const f of fields) {
    if (f in r) r[f] = null;
    if (!list.includes(f)) list.push(f);
  }
  if (list.length) rec.suppressed = list;
}

/** A count that may already be hidden (null); hidden counts are treated as unknown, never as zero. */
const known = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);

/**
 * Hidden flags of a one-way table: `primary` hidden from the start, then complementary cells until the constraint
 * `total = sum(cells) + remainder` holds (the remainder is the rows the table leaves out).
 */
function complement(counts: readonly number[], total: number, primary: readonly boolean[], policy: Policy): boolean[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  const remainder = Math.max(0, total - sum);
  const c: Constraint = { total: counts.length, members: counts.map((_, i) => i), ...(remainder > 0 ? { remainder } : {}) };
  return suppressCells([...counts, total], [c], policy, [...primary, false]).slice(0, counts.length);
}

/**
 * Hidden flags of a two-way table X[i][j] with published row totals R and column totals C: `primary` first, then
 * complementary cells along every row and every column until stable.
 */
function complementTwoWay(
  X: readonly (readonly number[])[],
  R: readonly number[],
  C: readonly number[],
  primary: readonly (readonly boolean[])[],
  policy: Policy,
): boolean[][] {
  const m = X.length;
  const k = m ? X[0].length : 0;
  const cells = [...X.flat(), ...R, ...C];
  const constraints: Constraint[] = [];
  for (let i = 0; i < m; ++i) {
    const rem = R[i] - X[i].reduce((a, b) => a + b, 0);
    constraints.push({ total: m * k + i, members: Array.from({ length: k }, (_, j) => i * k + j), ...(rem > 0 ? { remainder: rem } : {}) });
  }
  for (let j = 0; j < k; ++j) {
    const rem = C[j] - X.reduce((a, r) => a + r[j], 0);
    constraints.push({
      total: m * k + m + j,
      members: Array.from({ length: m }, (_, i) => i * k + j),
      ...(rem > 0 ? { remainder: rem } : {}),
    });
  }
  const hidden = suppressCells(cells, constraints, policy, [...primary.flat(), ...R.map(() => false), ...C.map(() => false)]);
  return Array.from({ length: m }, (_, i) => hidden.slice(i * k, i * k + k));
}

/**
 * The results with disclosure control applied (a new object; the input is not changed). With min_cell 0 the
 * results are returned as they are.
 * @param results results as the study kind computed them (nulls already present count as hidden)
 * @param policy the run's disclosure policy
 */
export function discloseResults(results: Results, policy: Policy): Results {
  if (policy.min_cell <= 0) return results;
  const r = structuredClone(results);
  discloseData(r, policy);
  if (r.study === "risk") discloseRisk(r, policy);
  else discloseSegments(r, policy);
  r.warnings = r.warnings.map((w) => discloseWarning(w, r, policy));
  return r;
}

/** data.dropped (with the rows the table lost as their total) and data.missing. */
function discloseData(r: Results, policy: Policy): void {
  const d = r.data;
  const reasons = Object.keys(d.dropped).filter((k) => known(d.dropped[k]));
  const counts = reasons.map((k) => d.dropped[k] ?? 0);
  const lost = Math.max(
    d.table_rows - d.rows,
    counts.reduce((a, b) => a + b, 0),
  );
  const hidden = complement(
    counts,
    lost,
    counts.map((n) => isSmall(n, policy)),
    policy,
  );
  reasons.forEach((k, i) => {
    if (hidden[i]) {
      d.dropped[k] = null;
      hide(d, [`dropped.${k}`]);
    }
  });
  for (const [k, n] of Object.entries(d.missing)) {
    if (known(n) && isSmall(n, policy)) {
      d.missing[k] = null;
      hide(d, [`missing.${k}`]);
    }
  }
}

// ---- risk ----

function discloseRisk(r: RiskResults, policy: Policy): void {
  const cm = r.metrics.confusion_matrix;
  const P = (cm[1][0] ?? 0) + (cm[1][1] ?? 0);
  const N = (cm[0][0] ?? 0) + (cm[0][1] ?? 0);
  discloseCurves(r, P, N, policy);
  discloseConfusion(r, policy);
  discloseCalibration(r, policy);
  discloseFindings(r, policy);
  discloseFactors(r, policy);
  discloseLabel(r, policy);
  if (r.validation.undated !== undefined && isSmall(r.validation.undated, policy)) delete r.validation.undated;
}

/**
 * Findings, block by block (one block per `by` column): a small count hides the whole finding; small positives or
 * negatives hide the rate, its interval, lift and p-values. Counts, positives and negatives each sum to a published
 * total (rows, positives, and their difference) with the levels below findings.min_count as the remainder, so
 * complementary suppression runs on all three until none changes.
 */
function discloseFindings(r: RiskResults, policy: Policy): void {
  const T = r.data.rows;
  const Ptot = r.data.positives ?? r.findings.reduce((a, f) => a + (f.positives ?? 0), 0);
  const blocks = new Map<string, number[]>();
  r.findings.forEach((f, i) => {
    const b = blocks.get(f.by) ?? [];
    b.push(i);
    blocks.set(f.by, b);
  });
  for (const idx of blocks.values()) {
    const fs = idx.map((i) => r.findings[i]);
    const count = fs.map((f) => f.count ?? 0);
    const pos = fs.map((f) => f.positives ?? 0);
    const neg = fs.map((f, i) => count[i] - pos[i]);
    let hideCount = fs.map((f, i) => !known(f.count) || isSmall(count[i], policy));
    let hideRate = fs.map((f, i) => hideCount[i] || !known(f.positives) || !rateAllowed(pos[i], count[i], policy));
    for (let changed = true; changed;) {
      changed = false;
      const hc = complement(count, T, hideCount, policy);
      const hr0 = hideRate.map((h, i) => h || hc[i]);
      const hp = complement(pos, Ptot, hr0, policy);
      const hn = complement(neg, T - Ptot, hp, policy);
      if (hc.some((h, i) => h !== hideCount[i]) || hn.some((h, i) => h !== hideRate[i])) changed = true;
      hideCount = hc;
      hideRate = hn.map((h, i) => h || hc[i]);
    }
    const label = suppressedLabel(policy);
    fs.forEach((f, i) => {
      if (hideCount[i]) {
        hide(f, ["count", "positives", "rate", "ci95", "lift", "p_value", "q_value"]);
        f.statement = `${label} rows with ${f.by} = ${f.value}: suppressed (a group below ${policy.min_cell} rows, or hidden so that one cannot be derived)`;
      } else if (hideRate[i]) {
        hide(f, ["positives", "rate", "ci95", "lift", "p_value", "q_value"]);
        f.statement = `${count[i].toLocaleString("en-US")} rows with ${f.by} = ${f.value}: rate suppressed (fewer than ${policy.min_cell} with or without ${r.target}, or hidden so that such a count cannot be derived)`;
      }
    });
  }
}

/**
 * Factor levels: per column, the level counts and the reference level's count sum to the inference rows; a small
 * count, small positives or small negatives hide the level's odds ratio, interval, coefficient and standard error,
 * and the level is not ranked.
 */
function discloseFactors(r: RiskResults, policy: Policy): void {
  const total = r.inference.rows;
  const byColumn = new Map<string, number[]>();
  r.factors.forEach((f, i) => {
    if (f.value === null) return;
    const b = byColumn.get(f.column) ?? [];
    b.push(i);
    byColumn.set(f.column, b);
  });
  for (const [column, idx] of byColumn) {
    const v = r.inference.variables.find((x) => x.column === column);
    const fs = idx.map((i) => r.factors[i]);
    const counts = fs.map((f) => f.count ?? 0);
    const primary = fs.map((f, i) => !known(f.count) || isSmall(counts[i], policy));
    const refCount = v?.reference_count;
    const cells = known(refCount) ? [...counts, refCount] : counts;
    const hidden = complement(cells, total, known(refCount) ? [...primary, isSmall(refCount, policy)] : primary, policy);
    if (v && known(refCount) && hidden[counts.length]) v.reference_count = null;
    fs.forEach((f, i) => {
      const statHidden = hidden[i] || !known(f.positives) || !rateAllowed(f.positives, counts[i], policy);
      if (hidden[i]) hide(f, ["count", "positives"]);
      else if (statHidden) hide(f, ["positives"]);
      if (statHidden) {
        hide(f, ["coefficient", "std_error", "odds_ratio", "ci95"]);
        f.ci95 = [null, null];
        f.rank = null;
        if (f.status === "ranked") f.status = "below_min_cell";
      }
    });
  }
  // Ranks of the levels left ranked run 1, 2, 3, ... again: a gap would say where a hidden level stood.
  const ranked = r.factors.filter((f) => f.rank !== null).sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  ranked.forEach((f, i) => {
    f.rank = i + 1;
  });
}

/** The confusion matrix with its margins (rows: actual classes, columns: predicted), and the report's supports. */
function discloseConfusion(r: RiskResults, policy: Policy): void {
  const cm = r.metrics.confusion_matrix;
  const X = cm.map((row) => row.map((x) => x ?? 0));
  const R = X.map((row) => row[0] + row[1]);
  const C = [X[0][0] + X[1][0], X[0][1] + X[1][1]];
  const primary = cm.map((row) => row.map((x) => !known(x) || isSmall(x, policy)));
  const hidden = complementTwoWay(X, R, C, primary, policy);
  const names: string[] = [];
  for (let i = 0; i < 2; ++i)
    for (let j = 0; j < 2; ++j)
      if (hidden[i][j]) {
        cm[i][j] = null;
        names.push(`confusion_matrix.${i}.${j}`);
      }
  const report = r.metrics.classification_report;
  // Precision, recall and the rest at the threshold, with the published class sizes, give the cells back
  // (tp = recall × positives): once any cell is hidden, so are they.
  if (names.length) {
    for (const c of ["0", "1", "avg"] as const) {
      const row = report[c];
      row.pre = row.rec = row.spe = row.f1 = row.geo = row.iba = null;
      names.push(...["pre", "rec", "spe", "f1", "geo", "iba"].map((f) => `classification_report.${c}.${f}`));
    }
    for (const k of ["balanced_accuracy", "precision", "recall", "f1"] as const) {
      r.metrics[k] = null;
      names.push(k);
    }
    // The chosen row of the resampling comparison is the same run: its balanced accuracy is the one just hidden.
    for (const row of r.resampling_comparison) if (row.chosen) row.balanced_accuracy = null;
  }
  for (const c of ["0", "1"] as const) {
    const sup = report[c].sup;
    if (known(sup) && isSmall(sup, policy)) {
      report[c].sup = null;
      names.push(`classification_report.${c}.sup`);
    }
  }
  if (names.length) hide(r.metrics, names);
}

/**
 * The count at a curve point is publishable when it and its complement in the class are 0 or at least min_cell.
 * @param n records of the class above the threshold
 * @param total records of the class
 */
function pointOk(n: number, total: number, policy: Policy): boolean {
  const ok = (x: number) => x === 0 || x >= policy.min_cell;
  return ok(n) && ok(total - n);
}

/**
 * Indices of the points of a curve to keep: each with publishable positive and negative counts above its threshold,
 * and consecutive kept points at least min_cell records apart. The first and last points (nobody flagged,
 * everybody flagged) always stay.
 * @param tp positives above each point's threshold, in curve order
 * @param fp negatives above each point's threshold
 */
function keepPoints(tp: readonly number[], fp: readonly number[], P: number, N: number, policy: Policy): number[] {
  const n = tp.length;
  const kept: number[] = [];
  for (let i = 0; i < n; ++i) {
    const end = i === 0 || i === n - 1;
    if (!end && !(pointOk(tp[i], P, policy) && pointOk(fp[i], N, policy))) continue;
    if (kept.length && !end) {
      const last = kept[kept.length - 1];
      if (Math.abs(tp[i] + fp[i] - tp[last] - fp[last]) < policy.min_cell) continue;
    }
    if (end && i > 0 && kept.length > 1) {
      const last = kept[kept.length - 1];
      if (Math.abs(tp[i] + fp[i] - tp[last] - fp[last]) < policy.min_cell) kept.pop();
    }
    kept.push(i);
  }
  return kept;
}

/** ROC, PR and top-share points only where the counts they imply are publishable (see {@link keepPoints}). */
function discloseCurves(r: RiskResults, P: number, N: number, policy: Policy): void {
  const c = r.curves;
  {
    const tp = c.roc.tpr.map((x) => Math.round(x * P));
    const fp = c.roc.fpr.map((x) => Math.round(x * N));
    const keep = keepPoints(tp, fp, P, N, policy);
    c.roc = { fpr: keep.map((i) => c.roc.fpr[i]), tpr: keep.map((i) => c.roc.tpr[i]) };
  }
  {
    const tp = c.pr.recall.map((x) => Math.round(x * P));
    const fp = c.pr.precision.map((p, i) => (p > 0 ? Math.round(tp[i] / p) - tp[i] : 0));
    const keep = keepPoints(tp, fp, P, N, policy);
    c.pr = { recall: keep.map((i) => c.pr.recall[i]), precision: keep.map((i) => c.pr.precision[i]) };
  }
  {
    const rows = c.top_share;
    const tp = rows.map((x) => Math.round(x.recall * P));
    const fp = rows.map((x, i) => Math.max(0, Math.round(x.share * (P + N)) - tp[i]));
    const keep = keepPoints(tp, fp, P, N, policy);
    c.top_share = keep.map((i) => rows[i]);
  }
}

/** Reliability-curve bins merged with their neighbours until each holds min_cell positives and min_cell negatives. */
function discloseCalibration(r: RiskResults, policy: Policy): void {
  const cal = r.metrics.calibration;
  type Bin = { n: number; pos: number; pred: number };
  const bins: Bin[] = cal.curve.map((b) => ({ n: b.n, pos: Math.round(b.observed * b.n), pred: b.mean_predicted * b.n }));
  const merged: Bin[] = [];
  let acc: Bin | null = null;
  const ok = (b: Bin) => rateAllowed(b.pos, b.n, policy);
  for (const b of bins) {
    acc = acc ? { n: acc.n + b.n, pos: acc.pos + b.pos, pred: acc.pred + b.pred } : { ...b };
    if (ok(acc)) {
      merged.push(acc);
      acc = null;
    }
  }
  if (acc) {
    const last = merged.pop();
    merged.push(last ? { n: last.n + acc.n, pos: last.pos + acc.pos, pred: last.pred + acc.pred } : acc);
  }
  // One bin that still fails holds every row: its rate is the published base rate.
  cal.curve = merged
    .filter((b) => ok(b) || merged.length === 1)
    .map((b, i) => ({ bin: i + 1, n: b.n, mean_predicted: round6(b.pred / b.n), observed: round6(b.pos / b.n) }));
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Label checks, censoring counts and the label-drift periods. */
function discloseLabel(r: RiskResults, policy: Policy): void {
  const l = r.label;
  const small: string[] = [];
  for (const k of ["censored_before", "censored_after", "undated"] as const) {
    const n = l[k];
    if (known(n) && isSmall(n, policy)) small.push(k);
  }
  if (small.length) hide(l, small);
  for (const c of l.checks) {
    if (!known(c.rows) || isSmall(c.rows, policy)) hide(c, ["rows", "positives", "negatives"]);
    else if (!known(c.positives) || !known(c.negatives) || isSmall(c.positives, policy) || isSmall(c.negatives, policy))
      hide(c, ["positives", "negatives"]);
  }
  const d = l.drift;
  if (!d) return;
  const rows = d.periods.map((p) => p.rows ?? 0);
  const pos = d.periods.map((p) => p.positives ?? 0);
  const hRows = complement(
    rows,
    rows.reduce((a, b) => a + b, 0),
    d.periods.map((p, i) => !known(p.rows) || isSmall(rows[i], policy)),
    policy,
  );
  const hPos = complement(
    pos,
    pos.reduce((a, b) => a + b, 0),
    d.periods.map((p, i) => hRows[i] || !known(p.positives) || !rateAllowed(pos[i], rows[i], policy)),
    policy,
  );
  const hiddenPeriods = new Map<string, "rows" | "rate">();
  d.periods.forEach((p, i) => {
    if (hRows[i]) {
      hide(p, ["rows", "positives", "rate"]);
      hiddenPeriods.set(p.period, "rows");
    } else if (hPos[i]) {
      hide(p, ["positives", "rate"]);
      hiddenPeriods.set(p.period, "rate");
    }
  });
  for (const key of ["first", "last", "highest", "lowest"] as const) {
    const p = d[key];
    const h = p ? hiddenPeriods.get(p.period) : undefined;
    if (p && h === "rows") hide(p, ["rows", "positives", "rate"]);
    else if (p && h === "rate") hide(p, ["positives", "rate"]);
  }
}

// ---- segments ----

function discloseSegments(r: SegmentsResults, policy: Policy): void {
  discloseClusters(r.clusters, r.data.rows, policy);
  if (r.lca?.classes) discloseClusters(r.lca.classes, r.data.rows, policy);
  if (r.pca_sample) {
    r.pca_density = pcaDensity(r.pca_sample, policy);
    delete r.pca_sample;
  }
  if (r.areas) {
    const rows = r.areas.unmatched.map((u) => u.rows ?? 0);
    const hidden = complement(
      rows,
      rows.reduce((a, b) => a + b, 0),
      r.areas.unmatched.map((u, i) => !known(u.rows) || isSmall(rows[i], policy)),
      policy,
    );
    r.areas.unmatched.forEach((u, i) => {
      if (hidden[i]) hide(u, ["rows"]);
    });
  }
}

/** Splits a profile feature `COLUMN=value` into its column and value; null for a numeric column. */
function levelOf(feature: string): { column: string; value: string } | null {
  const at = feature.indexOf("=");
  return at < 0 ? null : { column: feature.slice(0, at), value: feature.slice(at + 1) };
}

/**
 * Cluster sizes (summing to the rows), profile shares (cluster × level tables per column, with the cluster sizes and
 * the levels' overall counts as margins), top values (with the cluster size as total) and histograms.
 */
function discloseClusters(clusters: Cluster[], rows: number, policy: Policy): void {
  const sizes = clusters.map((c) => c.size ?? 0);
  const sizeHidden = complement(
    sizes,
    rows,
    clusters.map((c, i) => !known(c.size) || isSmall(sizes[i], policy)),
    policy,
  );
  // Profile levels, by column: X[cluster][level].
  const columns = new Map<string, string[]>();
  for (const c of clusters)
    for (const p of c.profile) {
      const lv = levelOf(p.feature);
      if (!lv || p.quartiles) continue;
      const list = columns.get(lv.column) ?? [];
      if (!list.includes(p.feature)) list.push(p.feature);
      columns.set(lv.column, list);
    }
  const hiddenLevel = new Set<string>();
  const key = (id: number, feature: string) => `${String(id)}\u0000${feature}`;
  for (const features of columns.values()) {
    const row = (c: Cluster, f: string) => c.profile.find((p) => p.feature === f);
    const X = clusters.map((c) => features.map((f) => row(c, f)?.count ?? 0));
    const overall = features.map((f) => {
      const p = clusters.map((c) => row(c, f)).find((x) => x !== undefined && known(x.overall_mean));
      const j = features.indexOf(f);
      return p && known(p.overall_mean) ? Math.round(p.overall_mean * rows) : X.reduce((a, x) => a + x[j], 0);
    });
    const primary = clusters.map((c, i) =>
      features.map((f, j) => sizeHidden[i] || !known(row(c, f)?.count) || !shareAllowed(X[i][j], sizes[i], policy)),
    );
    // Zero cells describe nobody, but a share of 0% with a published size says "none of them": allowed.
    const prim = primary.map((r0, i) => r0.map((h, j) => h && (X[i][j] > 0 || sizeHidden[i])));
    const hidden = complementTwoWay(X, sizes, overall, prim, policy);
    clusters.forEach((c, i) => {
      features.forEach((f, j) => {
        if (hidden[i][j]) hiddenLevel.add(key(c.id, f));
      });
    });
    features.forEach((f, j) => {
      if (!shareAllowed(overall[j], rows, policy) && overall[j] > 0)
        for (const c of clusters) {
          const p = row(c, f);
          if (p) hide(p, ["overall_mean", "lift"]);
        }
    });
  }
  clusters.forEach((c, i) => {
    if (sizeHidden[i]) hide(c, ["size", "share"]);
    for (const p of c.profile) {
      const numeric = p.quartiles !== undefined || levelOf(p.feature) === null;
      const hidden = numeric
        ? sizeHidden[i] || (p.count !== undefined && (!known(p.count) || isSmall(p.count, policy)))
        : hiddenLevel.has(key(c.id, p.feature));
      if (!hidden) continue;
      hide(p, ["cluster_mean", "lift", "evidence", ...(p.count !== undefined ? ["count"] : [])]);
      if (p.quartiles) {
        delete p.quartiles;
        hide(p, ["quartiles"]);
      }
      const lv = levelOf(p.feature);
      // A label names a level with its share: the share goes when the level's count is hidden.
      if (lv) c.label = c.label.replace(new RegExp(`${escapeRegExp(lv.value)} \\([0-9.]+%\\)`), lv.value);
    }
    for (const [column, values] of Object.entries(c.top_values)) {
      const counts = values.map((v) => v.count ?? 0);
      const prim = values.map(
        (v, j) =>
          sizeHidden[i] ||
          !known(v.count) ||
          (counts[j] > 0 && !shareAllowed(counts[j], sizes[i], policy)) ||
          hiddenLevel.has(key(c.id, `${column}=${v.value}`)),
      );
      const hidden = complement(counts, sizes[i], prim, policy);
      values.forEach((v, j) => {
        if (hidden[j]) hide(v, ["count", "share"]);
      });
    }
    const dist = c.distribution;
    if (dist) {
      const counts = dist.histogram.map((b) => b.count ?? 0);
      const total = counts.reduce((a, b) => a + b, 0);
      if (sizeHidden[i] || isSmall(total, policy)) delete c.distribution;
      else {
        const hidden = complement(
          counts,
          total,
          dist.histogram.map((b, j) => !known(b.count) || isSmall(counts[j], policy)),
          policy,
        );
        dist.histogram.forEach((b, j) => {
          if (hidden[j]) hide(b, ["count"]);
        });
      }
    }
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Cells per axis of the public PCA density grid. */
export const PCA_GRID = 12;

/**
 * The public form of the row-level PCA sample: counts of sample rows per cluster on a {@link PCA_GRID}-square grid
 * over the sample's range, empty cells left out and small cells null.
 * @param points the row-level sample
 */
export function pcaDensity(points: readonly PcaPoint[], policy: Policy): PcaDensity {
  const range = (xs: number[]): [number, number] => (xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 0]);
  const x = range(points.map((p) => p.pc1));
  const y = range(points.map((p) => p.pc2));
  const cell = (v: number, [lo, hi]: [number, number]) =>
    hi > lo ? Math.min(PCA_GRID - 1, Math.floor(((v - lo) / (hi - lo)) * PCA_GRID)) : 0;
  const counts = new Map<string, { cluster: number; i: number; j: number; count: number }>();
  for (const p of points) {
    const i = cell(p.pc1, x);
    const j = cell(p.pc2, y);
    const k = `${String(p.cluster)}/${String(i)}/${String(j)}`;
    const c = counts.get(k) ?? { cluster: p.cluster, i, j, count: 0 };
    c.count++;
    counts.set(k, c);
  }
  const cells = [...counts.values()]
    .sort((a, b) => a.cluster - b.cluster || a.i - b.i || a.j - b.j)
    .map((c) => (isSmall(c.count, policy) ? { cluster: c.cluster, i: c.i, j: c.j, count: null, suppressed: ["count"] } : c));
  return { bins: PCA_GRID, pc1: x, pc2: y, cells };
}

// ---- warnings ----

/** Replaces the first stand-alone occurrence of the number `n` in a message by the suppressed label. */
function maskNumber(message: string, n: number, policy: Policy): string {
  return message.replace(new RegExp(`(^|[^0-9.,])${String(n)}(?![0-9.,%]*[0-9%])`), `$1${suppressedLabel(policy)}`);
}

/** Codes of warnings about how a source file is written, whose counts are of lines, not of records in a group. */
export const FORMAT_WARNING = /^(csv|shapefile|portal|geojson)\./;

/**
 * A warning with its small counts hidden: `rows`, `count`, `positives` and `negatives` facts below min_cell become
 * null (listed in `suppressed`) and the message shows them as "<min_cell"; a rows-dropped warning follows
 * data.dropped (which has complementary suppression); unmatched area names follow results.areas.
 */
function discloseWarning(w: Warning, r: Results, policy: Policy): Warning {
  const out: Warning & Suppressible = { ...w };
  const facts = out as Record<string, unknown>;
  if (w.code === "data.rows_dropped" && typeof facts.reason === "string") {
    if (r.data.dropped[facts.reason] === null && known(facts.rows as number)) {
      out.message = maskNumber(out.message, facts.rows as number, policy);
      hide(out, ["rows"]);
    }
    return out;
  }
  if (w.code === "segments.unmatched_areas" && Array.isArray(facts.names)) {
    const names = facts.names as { name: string; rows: number | null; suppressed?: string[] }[];
    const published = r.study === "segments" ? r.areas?.unmatched : undefined;
    const total = names.reduce((a, u) => a + (u.rows ?? 0), 0);
    let message = out.message;
    facts.names = names.map((u) => {
      const p = published?.find((x) => x.name === u.name);
      const hiddenRows = p ? p.rows === null : known(u.rows) && isSmall(u.rows, policy);
      if (!hiddenRows || !known(u.rows)) return u;
      message = message.replace(`${u.name} (${String(u.rows)})`, `${u.name} (${suppressedLabel(policy)})`);
      return { name: u.name, rows: null, suppressed: ["rows"] };
    });
    if (isSmall(total, policy)) message = message.replace(`(${String(total)} rows)`, `(${suppressedLabel(policy)} rows)`);
    out.message = message;
    return out;
  }
  // Warnings about a source file's format (malformed lines, repeated headers) count lines of the file, not people.
  if (FORMAT_WARNING.test(w.code)) return out;
  // Spelling variants of a category: each spelling's count is a group of records.
  if ((w.code === "data.case_variants" || w.code === "data.whitespace_variants") && Array.isArray(facts.groups)) {
    let message = out.message;
    facts.groups = (facts.groups as { value: string; count: number | null; suppressed?: string[] }[][]).map((g) =>
      g.map((v) => {
        if (!known(v.count) || !isSmall(v.count, policy)) return v;
        message = message.replace(
          `${JSON.stringify(v.value)} (${v.count.toLocaleString("en-US")})`,
          `${JSON.stringify(v.value)} (${suppressedLabel(policy)})`,
        );
        return { value: v.value, count: null, suppressed: ["count"] };
      }),
    );
    out.message = message;
    return out;
  }
  for (const k of ["rows", "count", "positives", "negatives"]) {
    const n = facts[k];
    if (typeof n === "number" && isSmall(n, policy)) {
      out.message = maskNumber(out.message, n, policy);
      hide(out, [k]);
    }
  }
  return out;
}
