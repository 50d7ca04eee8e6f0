import type { Factor, Finding, MeanSd } from "../results/types.js";
import { COLORS, topLevel } from "./chart-config.js";
import { formatInt, formatNumber, formatPct, isSuppressed } from "./format.js";
import { distinctLabels } from "./labels.js";
import type { ChartOptions, ReportRiskResults, VegaLiteSpec } from "./types.js";

/** Headline metrics in display order with their labels. */
export const RISK_METRICS: [key: keyof ReportRiskResults["metrics"], label: string][] = [
  ["roc_auc", "ROC AUC"],
  ["pr_auc", "PR AUC (average precision)"],
  ["balanced_accuracy", "Balanced accuracy"],
  ["precision", "Precision"],
  ["recall", "Recall"],
  ["f1", "F1"],
];

/** How many ranked factors the factor chart shows. */
export const FACTORS_SHOWN = 30;

const LABEL_MAX = 50;

/** The validation method in words: "stratified_kfold" reads "stratified k-fold". */
export function validationLabel(method: string): string {
  return method.replace(/kfold/g, "k-fold").replace(/_/g, " ");
}

/** "COLUMN = value" for a factor, or its feature name for numeric features. */
export function factorLabel(f: Factor): string {
  return f.value == null ? f.feature : `${f.column} = ${f.value}`;
}

/** Plural noun for the rows of a study, e.g. "incidents" (default "records"). */
export function rowLabel(results: { row_label?: string }): string {
  return results.row_label || "records";
}

/** The `top_share` row the report quotes: the one closest to 20% flagged. */
export function quotedTopShare(results: ReportRiskResults): ReportRiskResults["curves"]["top_share"][number] | undefined {
  const rows = results.curves.top_share.filter((r) => r.share > 0 && r.share < 1);
  let best: (typeof rows)[number] | undefined;
  for (const r of rows) if (!best || Math.abs(r.share - 0.2) < Math.abs(best.share - 0.2)) best = r;
  return best;
}

/** "Flag the top 20% of incidents and you catch 63% of positives." or "" when there is no curve. */
export function topShareSentence(results: ReportRiskResults): string {
  const r = quotedTopShare(results);
  if (!r) return "";
  return `Flag the top ${formatPct(r.share, 0)} of ${rowLabel(results)} and you catch ${formatPct(r.recall, 0)} of positives (precision ${formatPct(r.precision)}).`;
}

/**
 * Factors the chart may show: ranked (not aliased, at least `minCell` rows) with a finite odds ratio, the strongest
 * levels of each predictor in predictor order (an equal share of `FACTORS_SHOWN` each, at least 5), so that one
 * predictor with many strong levels does not hide the others.
 */
export function chartedFactors(factors: Factor[], minCell: number): Factor[] {
  const ranked = factors
    .filter((f) => f.status === "ranked" && f.rank !== null && !isSuppressed(f.count, minCell) && f.odds_ratio !== null && f.odds_ratio > 0)
    .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  const columns = [...new Set(ranked.map((f) => f.column))];
  const each = Math.max(5, Math.floor(FACTORS_SHOWN / Math.max(1, columns.length)));
  return columns.flatMap((c) => ranked.filter((f) => f.column === c).slice(0, each)).slice(0, Math.max(FACTORS_SHOWN, 5 * columns.length));
}

/** Findings that may be charted: neither the group nor its positives are below `minCell`. */
export function chartedFindings(findings: Finding[], minCell: number): Finding[] {
  return findings.filter((f) => !isSuppressed(f.count, minCell) && !isSuppressed(f.positives, minCell));
}

/** "0.945 ± 0.004" over folds, or "0.945 (0.921–0.962)" with a bootstrap interval. */
export function metricText(m: MeanSd): string {
  return m.ci95
    ? `${formatNumber(m.mean)} (${formatNumber(m.ci95[0])}–${formatNumber(m.ci95[1])})`
    : `${formatNumber(m.mean)} ± ${formatNumber(m.sd)}`;
}

function metricsChart(results: ReportRiskResults): VegaLiteSpec {
  const single = results.validation.folds === 1;
  // A metric at the threshold that disclosure control hid (null) is left out of the chart.
  const values = RISK_METRICS.flatMap(([key, label]) => {
    const m = results.metrics[key] as MeanSd | null;
    if (!m) return [];
    return {
      metric: label,
      mean: m.mean,
      lo: m.ci95 ? m.ci95[0] : Math.max(0, m.mean - m.sd),
      hi: m.ci95 ? m.ci95[1] : Math.min(1, m.mean + m.sd),
      text: metricText(m),
    };
  });
  const order = values.map((v) => v.metric);
  const y = { field: "metric", type: "nominal", sort: order, title: null, axis: { labelLimit: 260 } };
  return topLevel(
    {
      text: "Headline metrics",
      subtitle: single
        ? `Test set of one ${validationLabel(results.validation.method)} split; bars: 95% bootstrap interval`
        : `Mean ± sd over ${results.validation.folds} ${validationLabel(results.validation.method)} folds`,
    },
    {
      data: { values },
      width: 360,
      height: { step: 26 },
      layer: [
        {
          mark: { type: "rule", strokeWidth: 2, color: COLORS.neutral },
          encoding: {
            y,
            x: { field: "lo", type: "quantitative", scale: { domain: [0, 1] }, title: "score (0 to 1)" },
            x2: { field: "hi" },
          },
        },
        {
          mark: { type: "point", filled: true, size: 70, color: COLORS.bar },
          encoding: {
            y,
            x: { field: "mean", type: "quantitative" },
            tooltip: [{ field: "metric" }, { field: "text", title: single ? "estimate (95% interval)" : "mean ± sd" }],
          },
        },
        { mark: { type: "text", align: "left", dx: 8, fontSize: 11 }, encoding: { y, x: { datum: 1 }, text: { field: "text" } } },
      ],
    },
  );
}

function confusionChart(results: ReportRiskResults, minCell: number): VegaLiteSpec {
  const [[tn, fp], [fn, tp]] = results.metrics.confusion_matrix;
  const cells = [
    // A hidden cell (null) leaves its row's share unknown: its shares are not drawn.
    { actual: "0 (negative)", predicted: "0 (negative)", count: tn, rowTotal: tn === null || fp === null ? null : tn + fp },
    { actual: "0 (negative)", predicted: "1 (flagged)", count: fp, rowTotal: tn === null || fp === null ? null : tn + fp },
    { actual: "1 (positive)", predicted: "0 (negative)", count: fn, rowTotal: fn === null || tp === null ? null : fn + tp },
    { actual: "1 (positive)", predicted: "1 (flagged)", count: tp, rowTotal: fn === null || tp === null ? null : fn + tp },
  ];
  const values = cells.map((c) => {
    const suppressed = isSuppressed(c.count, minCell);
    const share = c.rowTotal && c.count !== null ? c.count / c.rowTotal : null;
    return {
      actual: c.actual,
      predicted: c.predicted,
      suppressed,
      count: suppressed ? null : c.count,
      share: suppressed ? null : share,
      label: suppressed ? `<${minCell}` : formatInt(c.count),
      sublabel: suppressed ? "suppressed" : `${formatPct(share)} of row`,
      dark: !suppressed && share !== null && share > 0.55,
    };
  });
  const x = { field: "predicted", type: "nominal", title: "predicted", axis: { labelAngle: 0, orient: "top" } };
  const y = { field: "actual", type: "nominal", title: `actual ${results.target}` };
  return topLevel(
    {
      text: "Confusion matrix",
      subtitle: [
        `Out-of-fold predictions flagged at a calibrated risk of ${formatPct(results.threshold)} or more`,
        results.validation.folds === 1 ? "test set" : "summed over folds",
      ],
    },
    {
      data: { values },
      width: 260,
      height: 170,
      layer: [
        {
          transform: [{ filter: "!datum.suppressed" }],
          mark: { type: "rect", stroke: "white", strokeWidth: 2 },
          encoding: {
            x,
            y,
            color: { field: "share", type: "quantitative", scale: { scheme: "blues", domain: [0, 1] }, legend: null },
            tooltip: [
              { field: "actual" },
              { field: "predicted" },
              { field: "label", title: "count" },
              { field: "sublabel", title: "share" },
            ],
          },
        },
        {
          mark: { type: "text", fontSize: 15, fontWeight: "bold", dy: -8 },
          encoding: { x, y, text: { field: "label" }, color: { condition: { test: "datum.dark", value: "white" }, value: "#222" } },
        },
        {
          mark: { type: "text", fontSize: 11, dy: 10 },
          encoding: { x, y, text: { field: "sublabel" }, color: { condition: { test: "datum.dark", value: "white" }, value: "#444" } },
        },
      ],
    },
  );
}

function rocChart(results: ReportRiskResults): VegaLiteSpec {
  const { fpr, tpr } = results.curves.roc;
  const values = fpr.map((x, i) => ({ fpr: x, tpr: tpr[i] }));
  const auc = results.metrics.roc_auc;
  return topLevel(
    { text: "ROC curve", subtitle: [`AUC ${metricText(auc)}`, "dashed line: chance"] },
    {
      width: 220,
      height: 220,
      layer: [
        {
          data: {
            values: [
              { fpr: 0, tpr: 0 },
              { fpr: 1, tpr: 1 },
            ],
          },
          mark: { type: "line", strokeDash: [4, 4], color: COLORS.rule },
          encoding: { x: { field: "fpr", type: "quantitative" }, y: { field: "tpr", type: "quantitative" } },
        },
        {
          data: { values },
          mark: { type: "line", color: COLORS.bar, strokeWidth: 2.5 },
          encoding: {
            x: { field: "fpr", type: "quantitative", title: "false positive rate", scale: { domain: [0, 1] }, axis: { tickCount: 5 } },
            y: { field: "tpr", type: "quantitative", title: "true positive rate (recall)", scale: { domain: [0, 1] } },
            order: { field: "fpr" },
          },
        },
      ],
    },
  );
}

function prChart(results: ReportRiskResults): VegaLiteSpec {
  const { recall, precision } = results.curves.pr;
  const values = recall.map((r, i) => ({ recall: r, precision: precision[i] }));
  const ap = results.metrics.pr_auc;
  return topLevel(
    {
      text: "Precision–recall curve",
      subtitle: [`Average precision ${metricText(ap)}`, `dashed line: base rate ${formatPct(results.base_rate)}`],
    },
    {
      width: 220,
      height: 220,
      layer: [
        {
          data: { values },
          mark: { type: "line", color: COLORS.bar, strokeWidth: 2.5 },
          encoding: {
            x: { field: "recall", type: "quantitative", title: "recall", scale: { domain: [0, 1] }, axis: { tickCount: 5 } },
            y: { field: "precision", type: "quantitative", title: "precision", scale: { domain: [0, 1] } },
            order: { field: "recall" },
          },
        },
        {
          data: { values: [{ base: results.base_rate }] },
          mark: { type: "rule", strokeDash: [4, 4], color: COLORS.rule },
          encoding: { y: { field: "base", type: "quantitative" } },
        },
      ],
    },
  );
}

function topShareChart(results: ReportRiskResults): VegaLiteSpec {
  const rows = results.curves.top_share;
  const values = rows.flatMap((r) => [
    { share: r.share, measure: "recall (share of positives caught)", value: r.recall },
    { share: r.share, measure: "precision (share of flagged that are positive)", value: r.precision },
  ]);
  const quoted = quotedTopShare(results);
  const x = {
    field: "share",
    type: "quantitative",
    title: `share of ${rowLabel(results)} flagged (highest scores first)`,
    axis: { format: ".0%" },
    scale: { domain: [0, 1] },
  };
  const color = {
    field: "measure",
    type: "nominal",
    title: null,
    scale: {
      domain: ["recall (share of positives caught)", "precision (share of flagged that are positive)"],
      range: [COLORS.bar, COLORS.up],
    },
    legend: null,
  };
  const last = rows.length ? rows.reduce((a, b) => (b.share > a.share ? b : a)) : undefined;
  const layer: VegaLiteSpec[] = [
    {
      data: { values },
      mark: { type: "line", point: true, strokeWidth: 2 },
      encoding: {
        x,
        y: { field: "value", type: "quantitative", title: "share", axis: { format: ".0%" }, scale: { domain: [0, 1] } },
        color,
        tooltip: [{ field: "share", format: ".0%", title: "flagged" }, { field: "measure" }, { field: "value", format: ".1%" }],
      },
    },
  ];
  if (last) {
    // Direct labels at the right end instead of a legend: shorter eye path, nothing truncated.
    layer.push({
      data: { values: values.filter((v) => v.share === last.share) },
      mark: { type: "text", align: "right", dy: -12, fontSize: 12, fontWeight: "bold" },
      encoding: {
        x: { field: "share", type: "quantitative" },
        y: { field: "value", type: "quantitative" },
        text: { field: "measure" },
        color,
      },
    });
  }
  if (quoted) {
    layer.push(
      {
        data: { values: [quoted] },
        mark: { type: "rule", strokeDash: [3, 3], color: COLORS.neutral },
        encoding: { x: { field: "share", type: "quantitative" } },
      },
      {
        data: { values: [{ ...quoted, text: `top ${formatPct(quoted.share, 0)}: ${formatPct(quoted.recall, 0)} caught` }] },
        mark: { type: "text", align: "left", dx: 6, dy: -10, fontWeight: "bold", fontSize: 12 },
        encoding: { x: { field: "share", type: "quantitative" }, y: { field: "recall", type: "quantitative" }, text: { field: "text" } },
      },
    );
  }
  return topLevel(
    { text: "What flagging the highest scores buys", subtitle: topShareSentence(results) },
    { width: 460, height: 260, layer },
  );
}

/** How far past the outermost odds ratio (as a factor) the factor chart's axis reaches before it cuts intervals. */
const OR_SPAN = 20;

/** An odds ratio as printed at a cut interval's end: "5,400", "27.4", "0.013". */
function formatOr(v: number): string {
  return v >= 100 ? formatInt(Math.round(v)) : v >= 1 ? formatNumber(v, 1) : String(Number(v.toPrecision(2)));
}

/**
 * Ticks of a log axis from `lo` to `hi`: 1-2-5 steps per decade over up to four decades, powers of ten beyond
 * (every other one past eight decades), so the axis is labelled to its ends.
 */
export function logTicks(lo: number, hi: number): number[] {
  const from = Math.floor(Math.log10(lo));
  const to = Math.ceil(Math.log10(hi));
  const decades = to - from;
  const steps = decades <= 4 ? [1, 2, 5] : [1];
  const every = decades > 8 ? 2 : 1;
  const out: number[] = [];
  for (let d = from; d <= to; ++d) {
    if ((d - from) % every !== 0 && d !== 0) continue;
    for (const s of steps) {
      const t = Number((s * 10 ** d).toPrecision(12));
      if (t >= lo && t <= hi) out.push(t);
    }
  }
  return out;
}

const HIGHER = "higher odds than the reference level";
const LOWER = "lower odds than the reference level";

function factorsChart(results: ReportRiskResults, minCell: number): VegaLiteSpec {
  const shown = chartedFactors(results.factors, minCell);
  const labels = distinctLabels(shown.map(factorLabel), LABEL_MAX);
  // The axis covers every point estimate; an interval reaching more than OR_SPAN times beyond the outermost
  // estimate (or to 0 or infinity) is cut at the axis end with an arrow and its end printed.
  const ors = shown.map((f) => f.odds_ratio).filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  const hiCap = Math.max(2, ...ors) * OR_SPAN;
  const loCap = Math.min(0.5, ...ors) / OR_SPAN;
  const within = (x: number | null, fallback: number) => Math.min(hiCap, Math.max(loCap, x === null || !Number.isFinite(x) ? fallback : x));
  const values = shown.map((f, i) => {
    const [l, h] = f.ci95;
    return {
      label: labels[i],
      name: factorLabel(f),
      reference: f.reference ?? "(numeric: per sd)",
      rank: f.rank,
      odds_ratio: f.odds_ratio,
      lo: within(l, 0),
      hi: within(h, Infinity),
      lo_cut:
        l === null || !Number.isFinite(l) || l < loCap ? `◂ ${l === null || !Number.isFinite(l) || l <= 0 ? "0" : formatOr(l)}` : null,
      hi_cut: h === null || !Number.isFinite(h) || h > hiCap ? `${h === null || !Number.isFinite(h) ? "∞" : formatOr(h)} ▸` : null,
      direction: (f.odds_ratio ?? 1) >= 1 ? HIGHER : LOWER,
      ci: `${formatNumber(l ?? NaN, 2)} to ${formatNumber(h ?? NaN, 2)}`,
      count: formatInt(f.count),
    };
  });
  let lo = 1;
  let hi = 1;
  for (const v of values) {
    lo = Math.min(lo, v.lo);
    hi = Math.max(hi, v.hi);
  }
  const y = { field: "label", type: "nominal", sort: labels, title: null, axis: { labelLimit: 0, labelFontSize: 11 } };
  const domain = [lo / 1.1, hi * 1.1];
  const ticks = logTicks(domain[0], domain[1]);
  const x = {
    field: "odds_ratio",
    type: "quantitative",
    scale: { type: "log", domain, nice: false },
    axis: { values: ticks, format: "~g" },
    title: "odds ratio against the column's reference level (log scale)",
  };
  const color = {
    field: "direction",
    type: "nominal",
    title: null,
    scale: { domain: [HIGHER, LOWER], range: [COLORS.up, COLORS.down] },
    legend: { orient: "top" },
  };
  const inference = results.inference;
  const tooltip = [
    { field: "name", title: "level" },
    { field: "reference", title: "against" },
    { field: "odds_ratio", title: "odds ratio", format: ".2f" },
    { field: "ci", title: "95% interval" },
    { field: "count", title: "rows" },
    { field: "rank", title: "rank" },
  ];
  return topLevel(
    {
      text: `Levels most clearly associated with ${results.target}`,
      subtitle: [
        `Odds ratios with ${inference.intervals === "profile" ? "profile-likelihood" : "Wald"} 95% intervals from the ${inference.method === "firth" ? "Firth-penalized" : "maximum-likelihood"} inference model, strongest evidence first per predictor`,
        "each level against its column's reference level; associations, not effects",
      ],
    },
    {
      data: { values },
      width: 420,
      height: { step: 18 },
      layer: [
        {
          data: { values: [{ one: 1 }] },
          mark: { type: "rule", color: COLORS.rule },
          encoding: { x: { field: "one", type: "quantitative" } },
        },
        { mark: { type: "rule", strokeWidth: 1.5 }, encoding: { y, x: { ...x, field: "lo" }, x2: { field: "hi" }, color, tooltip } },
        { mark: { type: "point", filled: true, size: 50, opacity: 1 }, encoding: { y, x, color, tooltip } },
        {
          transform: [{ filter: "datum.hi_cut !== null" }],
          mark: { type: "text", align: "right", baseline: "middle", dx: -2, dy: -7, fontSize: 9.5, color: COLORS.neutral },
          encoding: { y, x: { ...x, field: "hi" }, text: { field: "hi_cut" } },
        },
        {
          transform: [{ filter: "datum.lo_cut !== null" }],
          mark: { type: "text", align: "left", baseline: "middle", dx: 2, dy: -7, fontSize: 9.5, color: COLORS.neutral },
          encoding: { y, x: { ...x, field: "lo" }, text: { field: "lo_cut" } },
        },
      ],
    },
  );
}

function calibrationChart(results: ReportRiskResults, minCell: number): VegaLiteSpec {
  const cal = results.metrics.calibration;
  const values = cal.curve.map((b) => ({
    bin: b.bin,
    predicted: b.mean_predicted,
    observed: b.observed,
    n: b.n,
    rows: isSuppressed(b.n, minCell) ? `<${minCell}` : formatInt(b.n),
    text: `${formatPct(b.mean_predicted, 2)} predicted, ${formatPct(b.observed, 2)} observed`,
  }));
  const top = Math.min(1, Math.max(0.01, ...values.map((v) => Math.max(v.predicted, v.observed))) * 1.1);
  const scale = { type: "sqrt", domain: [0, top], nice: false };
  const axis = { format: ".1%" };
  const slope = cal.slope === null ? "n/a" : formatNumber(cal.slope, 2);
  const intercept = cal.intercept === null ? "n/a" : formatNumber(cal.intercept, 2);
  return topLevel(
    {
      text: "Calibration: predicted against observed risk",
      subtitle: [
        `${cal.curve.length} equal-size groups of out-of-fold calibrated risk (${cal.method.replace("_", "-")}); dashed: perfect calibration`,
        `mean risk ${formatPct(cal.mean_predicted, 2)} vs observed ${formatPct(cal.observed_rate, 2)}; intercept ${intercept} (0 ideal), slope ${slope} (1 ideal); square-root axes`,
      ],
    },
    {
      width: 340,
      height: 340,
      layer: [
        {
          data: { values: [{ a: 0 }, { a: top }] },
          mark: { type: "line", strokeDash: [4, 4], color: COLORS.rule },
          encoding: { x: { field: "a", type: "quantitative", scale }, y: { field: "a", type: "quantitative", scale } },
        },
        {
          data: { values },
          mark: { type: "line", color: COLORS.bar, strokeWidth: 1.5 },
          encoding: {
            x: { field: "predicted", type: "quantitative", scale, axis, title: "mean predicted risk" },
            y: { field: "observed", type: "quantitative", scale, axis, title: "observed rate" },
            order: { field: "bin" },
          },
        },
        {
          data: { values },
          mark: { type: "point", filled: true, size: 60, color: COLORS.bar },
          encoding: {
            x: { field: "predicted", type: "quantitative", scale },
            y: { field: "observed", type: "quantitative", scale },
            tooltip: [{ field: "bin", title: "group" }, { field: "text", title: "risk" }, { field: "rows" }],
          },
        },
      ],
    },
  );
}

function driftChart(results: ReportRiskResults): VegaLiteSpec | undefined {
  const drift = results.label.drift;
  if (!drift || drift.periods.length < 2) return undefined;
  const values = drift.periods.map((p) => ({
    period: p.period,
    rate: p.rate,
    compared: p.compared ? "compared" : "too few rows to compare",
    text: `${formatPct(p.rate)} of ${formatInt(p.rows)}`,
  }));
  const x = { field: "period", type: "ordinal", title: drift.period, axis: { labelAngle: -45 } };
  return topLevel(
    {
      text: `Rate of ${results.target} over time`,
      subtitle: [
        `By ${drift.period} of ${results.data.date_range?.column ?? "the date"}; dashed: overall ${formatPct(results.base_rate)}`,
        drift.p_value === null
          ? ""
          : `chi-squared test of equal rates p ${drift.p_value < 0.001 ? "< 0.001" : `= ${formatNumber(drift.p_value, 3)}`}`,
      ],
    },
    {
      data: { values },
      width: Math.min(640, Math.max(260, 44 * values.length)),
      height: 200,
      layer: [
        {
          mark: { type: "line", color: COLORS.bar },
          encoding: { x, y: { field: "rate", type: "quantitative", axis: { format: ".1%" }, title: "rate" } },
        },
        {
          mark: { type: "point", filled: true, size: 50 },
          encoding: {
            x,
            y: { field: "rate", type: "quantitative" },
            color: {
              field: "compared",
              type: "nominal",
              title: null,
              scale: { domain: ["compared", "too few rows to compare"], range: [COLORS.bar, COLORS.light] },
              legend: { orient: "top" },
            },
            tooltip: [{ field: "period" }, { field: "text", title: "rate" }],
          },
        },
        { mark: { type: "rule", strokeDash: [4, 3], color: "#222" }, encoding: { y: { datum: results.base_rate, type: "quantitative" } } },
      ],
    },
  );
}

const ABOVE = "above the rest";
const BELOW = "below the rest";
const NOT_CLEAR = "not clearly different";

/** "q < 0.001" or "q = 0.012". */
export function qText(q: number): string {
  return q < 0.001 ? "< 0.001" : `= ${formatNumber(q, 3)}`;
}

function findingsChart(results: ReportRiskResults, minCell: number): VegaLiteSpec {
  const alpha = results.multiple_testing.alpha;
  const adjust = results.multiple_testing.adjust === "bh" ? "Benjamini–Hochberg q" : "Bonferroni-adjusted p";
  const kept = chartedFindings(results.findings, minCell).flatMap((f) =>
    f.rate !== null && f.ci95 !== null && f.q_value !== null ? [{ ...f, rate: f.rate, ci95: f.ci95, q_value: f.q_value }] : [],
  );
  const groups = [...new Set(kept.map((f) => f.by))];
  const shown = kept.sort((a, b) => groups.indexOf(a.by) - groups.indexOf(b.by) || b.rate - a.rate);
  // Distinct within each panel (the y scales are independent per group): middle-truncated, numbered if still equal.
  const labels: string[] = [];
  for (const g of groups) {
    const idx = shown.flatMap((f, i) => (f.by === g ? [i] : []));
    distinctLabels(
      idx.map((i) => shown[i].value),
      40,
    ).forEach((l, j) => (labels[idx[j]] = l));
  }
  const values = shown.map((f, i) => ({
    by: f.by,
    value: labels[i],
    full: f.value,
    rank: i,
    rate: f.rate,
    lo: f.ci95[0],
    hi: f.ci95[1],
    text: `${formatPct(f.rate)}  (${formatInt(f.positives)} of ${formatInt(f.count)})`,
    q: qText(f.q_value),
    above: f.q_value >= alpha ? NOT_CLEAR : f.rate > results.base_rate ? ABOVE : BELOW,
  }));
  const maxHi = Math.max(results.base_rate, ...values.map((v) => v.hi));
  const y = {
    field: "value",
    type: "nominal",
    title: null,
    sort: { field: "rank", op: "min", order: "ascending" },
    axis: { labelLimit: 0 },
  };
  const x = {
    field: "rate",
    type: "quantitative",
    title: `rate of ${results.target}`,
    axis: { format: ".0%" },
    scale: { domain: [0, Math.min(1, maxHi * 1.6)], nice: false, clamp: true },
  };
  return topLevel(
    {
      text: `Rate of ${results.target} by group`,
      subtitle: [
        `Bars: rate with 95% Wilson interval; labels: positives of ${rowLabel(results)}; dashed line: overall rate ${formatPct(results.base_rate)}`,
        `Colour: Fisher's exact test of the group against all other rows, ${adjust} < ${alpha} over all ${results.multiple_testing.tested} groups`,
      ],
    },
    {
      data: { values },
      facet: {
        row: {
          field: "by",
          type: "nominal",
          sort: groups,
          title: null,
          header: { labelOrient: "top", labelAnchor: "start", labelAngle: 0, labelFontSize: 12, labelFontWeight: "bold" },
        },
      },
      resolve: { scale: { y: "independent" } },
      spacing: 14,
      spec: {
        width: 460,
        height: { step: 17 },
        layer: [
          {
            mark: { type: "bar", height: { band: 0.7 } },
            encoding: {
              y,
              x,
              color: {
                field: "above",
                type: "nominal",
                title: null,
                scale: {
                  domain: [ABOVE, NOT_CLEAR, BELOW],
                  range: [COLORS.up, "#b8b8b8", COLORS.down],
                },
                legend: { orient: "top" },
              },
              tooltip: [{ field: "by" }, { field: "full", title: "value" }, { field: "text", title: "rate" }, { field: "q", title: "q" }],
            },
          },
          { mark: { type: "rule", color: "#222" }, encoding: { y, x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } } },
          {
            mark: { type: "text", align: "left", dx: 4, fontSize: 10, color: "#333" },
            encoding: { y, x: { field: "hi", type: "quantitative" }, text: { field: "text" } },
          },
          {
            mark: { type: "rule", strokeDash: [4, 3], color: "#222" },
            encoding: { x: { datum: results.base_rate, type: "quantitative" } },
          },
        ],
      },
    },
  );
}

/**
 * Chart specs for a risk study, keyed by name: `metrics`, `confusion`, `roc`, `pr`, `calibration`, `top_share`,
 * `factors`, `findings`, `drift`. Counts below `minCell` are left out (factors and findings) or shown as
 * "<minCell" without a cell.
 * @param results risk results (results.json)
 * @param options.minCell suppression threshold
 */
export function riskCharts(results: ReportRiskResults, options: ChartOptions): Record<string, VegaLiteSpec> {
  const { minCell } = options;
  const charts: Record<string, VegaLiteSpec> = {
    metrics: metricsChart(results),
    confusion: confusionChart(results, minCell),
    roc: rocChart(results),
    pr: prChart(results),
    calibration: calibrationChart(results, minCell),
    top_share: topShareChart(results),
  };
  if (chartedFactors(results.factors, minCell).length) charts.factors = factorsChart(results, minCell);
  if (chartedFindings(results.findings, minCell).length) charts.findings = findingsChart(results, minCell);
  const drift = driftChart(results);
  if (drift) charts.drift = drift;
  return charts;
}
