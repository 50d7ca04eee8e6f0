import type { Factor, Finding, MeanSd } from "../results/types.js";
import { COLORS, topLevel } from "./chart-config.js";
import { formatInt, formatNumber, formatPct, isSuppressed, truncate } from "./format.js";
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

/** How many factors each side (raising, lowering the odds) the factor chart shows. */
export const FACTORS_EACH_SIDE = 15;

const LABEL_MAX = 38;

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

/** Factors whose count may be shown (not suppressed), the top `FACTORS_EACH_SIDE` each side. */
export function chartedFactors(factors: Factor[], minCell: number): Factor[] {
  const shown = factors.filter((f) => !isSuppressed(f.count, minCell) && Number.isFinite(f.odds_ratio) && f.odds_ratio > 0);
  const up = shown
    .filter((f) => f.coefficient > 0)
    .sort((a, b) => b.coefficient - a.coefficient)
    .slice(0, FACTORS_EACH_SIDE);
  const down = shown
    .filter((f) => f.coefficient < 0)
    .sort((a, b) => a.coefficient - b.coefficient)
    .slice(0, FACTORS_EACH_SIDE);
  return [...up, ...down.reverse()];
}

/** Findings that may be charted: neither the group nor its positives are below `minCell`. */
export function chartedFindings(findings: Finding[], minCell: number): Finding[] {
  return findings.filter((f) => !isSuppressed(f.count, minCell) && !isSuppressed(f.positives, minCell));
}

function uniqueLabels(labels: string[], max: number): string[] {
  const seen = new Map<string, number>();
  return labels.map((l) => {
    let t = truncate(l, max);
    const n = (seen.get(t) ?? 0) + 1;
    seen.set(t, n);
    if (n > 1) t = `${truncate(l, max - 4)} (${n})`;
    return t;
  });
}

function metricsChart(results: ReportRiskResults): VegaLiteSpec {
  const values = RISK_METRICS.map(([key, label]) => {
    const m = results.metrics[key] as MeanSd;
    return {
      metric: label,
      mean: m.mean,
      lo: Math.max(0, m.mean - m.sd),
      hi: Math.min(1, m.mean + m.sd),
      text: `${formatNumber(m.mean)} ± ${formatNumber(m.sd)}`,
    };
  });
  const order = values.map((v) => v.metric);
  const y = { field: "metric", type: "nominal", sort: order, title: null, axis: { labelLimit: 260 } };
  return topLevel(
    {
      text: "Headline metrics",
      subtitle: `Mean ± sd over ${results.validation.folds} ${validationLabel(results.validation.method)} ${results.validation.folds === 1 ? "split" : "folds"}`,
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
            tooltip: [{ field: "metric" }, { field: "text", title: "mean ± sd" }],
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
    { actual: "0 (negative)", predicted: "0 (negative)", count: tn, rowTotal: tn + fp },
    { actual: "0 (negative)", predicted: "1 (flagged)", count: fp, rowTotal: tn + fp },
    { actual: "1 (positive)", predicted: "0 (negative)", count: fn, rowTotal: fn + tp },
    { actual: "1 (positive)", predicted: "1 (flagged)", count: tp, rowTotal: fn + tp },
  ];
  const values = cells.map((c) => {
    const suppressed = isSuppressed(c.count, minCell);
    const share = c.rowTotal ? c.count / c.rowTotal : 0;
    return {
      actual: c.actual,
      predicted: c.predicted,
      suppressed,
      count: suppressed ? null : c.count,
      share: suppressed ? null : share,
      label: suppressed ? `<${minCell}` : `${formatInt(c.count)}`,
      sublabel: suppressed ? "suppressed" : `${formatPct(share)} of row`,
      dark: !suppressed && share > 0.55,
    };
  });
  const x = { field: "predicted", type: "nominal", title: "predicted", axis: { labelAngle: 0, orient: "top" } };
  const y = { field: "actual", type: "nominal", title: `actual ${results.target}` };
  return topLevel(
    {
      text: "Confusion matrix",
      subtitle: [`Out-of-fold predictions at threshold ${formatNumber(results.threshold, 2)}`, "summed over folds"],
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
    { text: "ROC curve", subtitle: [`AUC ${formatNumber(auc.mean)} ± ${formatNumber(auc.sd)}`, "dashed line: chance"] },
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
      subtitle: [
        `Average precision ${formatNumber(ap.mean)} ± ${formatNumber(ap.sd)}`,
        `dashed line: base rate ${formatPct(results.base_rate)}`,
      ],
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

function factorsChart(results: ReportRiskResults, minCell: number): VegaLiteSpec {
  const shown = chartedFactors(results.factors, minCell);
  const labels = uniqueLabels(shown.map(factorLabel), LABEL_MAX);
  const clamp = (x: number) => Math.min(100, Math.max(0.01, x));
  const values = shown.map((f, i) => ({
    label: labels[i],
    name: factorLabel(f),
    odds_ratio: f.odds_ratio,
    lo: clamp(f.ci95[0]),
    hi: clamp(f.ci95[1]),
    direction: f.coefficient > 0 ? "raises the odds" : "lowers the odds",
    ci: `${formatNumber(f.ci95[0], 2)} to ${formatNumber(f.ci95[1], 2)}`,
    count: formatInt(f.count),
  }));
  let lo = 1;
  let hi = 1;
  for (const v of values) {
    lo = Math.min(lo, v.lo);
    hi = Math.max(hi, v.hi);
  }
  const y = { field: "label", type: "nominal", sort: labels, title: null, axis: { labelLimit: 320, labelFontSize: 11 } };
  const domain = [lo / 1.1, hi * 1.1];
  const ticks = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100].filter((t) => t >= domain[0] && t <= domain[1]);
  const x = {
    field: "odds_ratio",
    type: "quantitative",
    scale: { type: "log", domain, nice: false },
    axis: { values: ticks, format: "~g" },
    title: "odds ratio (log scale; 1 = no effect)",
  };
  const color = {
    field: "direction",
    type: "nominal",
    title: null,
    scale: { domain: ["raises the odds", "lowers the odds"], range: [COLORS.up, COLORS.down] },
    legend: { orient: "top" },
  };
  const tooltip = [
    { field: "name", title: "factor" },
    { field: "odds_ratio", title: "odds ratio", format: ".2f" },
    { field: "ci", title: "95% interval" },
    { field: "count", title: "rows" },
  ];
  return topLevel(
    {
      text: `What raises and lowers the odds of ${results.target}`,
      subtitle: `Odds ratios with 95% intervals from the logistic model, top ${FACTORS_EACH_SIDE} each side; other things equal`,
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
      ],
    },
  );
}

function findingsChart(results: ReportRiskResults, minCell: number): VegaLiteSpec {
  const kept = chartedFindings(results.findings, minCell);
  const groups = [...new Set(kept.map((f) => f.by))];
  const shown = kept.sort((a, b) => groups.indexOf(a.by) - groups.indexOf(b.by) || b.rate - a.rate);
  const labels = uniqueLabels(
    shown.map((f) => `${f.by}\u0000${f.value}`),
    200,
  ).map((l) => truncate(l.split("\u0000")[1], 30));
  const values = shown.map((f, i) => ({
    by: f.by,
    value: labels[i],
    full: f.value,
    rank: i,
    rate: f.rate,
    lo: f.ci95[0],
    hi: f.ci95[1],
    text: `${formatPct(f.rate)}  (${formatInt(f.positives)} of ${formatInt(f.count)})`,
    above: f.ci95[0] > results.base_rate ? "above base rate" : f.ci95[1] < results.base_rate ? "below base rate" : "not clearly different",
  }));
  const maxHi = Math.max(results.base_rate, ...values.map((v) => v.hi));
  const y = {
    field: "value",
    type: "nominal",
    title: null,
    sort: { field: "rank", op: "min", order: "ascending" },
    axis: { labelLimit: 240 },
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
                  domain: ["above base rate", "not clearly different", "below base rate"],
                  range: [COLORS.up, "#b8b8b8", COLORS.down],
                },
                legend: { orient: "top" },
              },
              tooltip: [{ field: "by" }, { field: "full", title: "value" }, { field: "text", title: "rate" }],
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
 * Chart specs for a risk study, keyed by name: `metrics`, `confusion`, `roc`, `pr`, `top_share`, `factors`,
 * `findings`. Counts below `minCell` are left out (factors and findings) or shown as "<minCell" without a cell.
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
    top_share: topShareChart(results),
  };
  if (chartedFactors(results.factors, minCell).length) charts.factors = factorsChart(results, minCell);
  if (chartedFindings(results.findings, minCell).length) charts.findings = findingsChart(results, minCell);
  return charts;
}
