import embed, { type Result, type VisualizationSpec } from "vega-embed";
import type {
  DimensionView,
  DistributionBin,
  RecordsResponse,
  TableRow,
  FilterValue,
  Filters,
  QueryRow,
  RangeFilter,
  RangeView,
  RunSummary,
  TimeUnit,
} from "../../src/server/api-types";
import {
  fetchAreas,
  fetchCalibration,
  fetchDistribution,
  fetchFlagging,
  fetchGeojson,
  fetchHistogram,
  fetchPoints,
  fetchQuery,
  fetchRecords,
  fetchRuns,
  fetchTable,
  reportUrl,
  type GeoFeature,
} from "./api";
import {
  areaMapSpec,
  BRUSH,
  calibrationSpec,
  clusterSpec,
  flaggingSpec,
  CLUSTER_COLORS,
  gridMapSpec,
  histogramSpec,
  RATE_MIN_COUNT,
  rangeSpec,
  riskCategorySpec,
  riskTimeSpec,
  stackedSpec,
  type AreaMetric,
  type BarDatum,
  type CalibrationDatum,
  type FlaggingDatum,
  type RangeDatum,
  type StackDatum,
} from "./charts";
import { escapeHtml, formatInt, formatPct, valueLabel } from "./format";
import { rewindGeometry } from "./rewind";
import { decodeUrlState, encodeUrlState, type UrlRange } from "./url-state";
import { snapRange } from "./snap-range";
import { toCsv, type CsvCell } from "./csv";
import { wilsonInterval } from "./wilson";
import "./style.css";

interface State {
  runs: RunSummary[];
  run?: RunSummary;
  /** Selected values per dimension key. */
  filters: Map<string, FilterValue[]>;
  /** Brushed ranges [min, max) per column (numeric histograms, the timeline). */
  ranges: Map<string, UrlRange>;
  /** The timeline's buckets as chosen; undefined is the run's default ({@link unitOf}). */
  unit?: TimeUnit;
  /** Bumped on every refresh so late answers of an older one are dropped. */
  generation: number;
  /** The map menu's choice ("rate", "count", "dominant", "share:2"); undefined is the run's default. */
  mapChoice?: string;
  geojson?: Promise<GeoFeature[]>;
  /** A one-line message shown in the filter bar (a filter that the policy does not allow). */
  notice?: string;
}

const state: State = { runs: [], filters: new Map(), ranges: new Map(), generation: 0 };
const views = new Map<string, Result>();

/** The aggregated answer each chart was drawn from, as the table its CSV export writes. */
interface ViewTable {
  columns: string[];
  rows: CsvCell[][];
}
const tables = new Map<string, ViewTable>();
/** The page element with this id; the dashboard's HTML and its own layout always create it. */
function element(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

const app = element("app");
const tabs = element("run-tabs");
const reportLink = document.getElementById("report-link") as HTMLAnchorElement;

const sameValue = (a: FilterValue, b: FilterValue): boolean => a === b || (a !== null && b !== null && String(a) === String(b));

function filtersObject(except?: string): Filters {
  const out: Filters = {};
  for (const [k, v] of state.filters) if (k !== except && v.length) out[k] = v;
  return out;
}

/** The brushed ranges as the API takes them. */
function rangesList(): RangeFilter[] {
  return [...state.ranges].map(([column, [min, max]]) => ({ column, min, max }));
}

/** Filtered dimensions the server counts against max_filters: value filters and ranges. */
const filterCount = (): number => state.filters.size + state.ranges.size;

function isSelected(dimKey: string, value: FilterValue): boolean {
  return (state.filters.get(dimKey) ?? []).some((v) => sameValue(v, value));
}

function toggle(dimKey: string, value: FilterValue): void {
  const current = state.filters.get(dimKey) ?? [];
  const max = state.run?.disclosure.max_filters ?? Infinity;
  if (!current.length && filterCount() >= max) {
    // The server answers at most max_filters filtered dimensions at once (the disclosure policy).
    state.notice = `At most ${max} filters at once: remove one before adding a filter on ${state.run ? dimLabel(state.run, dimKey) : dimKey}.`;
    if (state.run) renderFilters(state.run);
    return;
  }
  state.notice = undefined;
  const next = current.some((v) => sameValue(v, value)) ? current.filter((v) => !sameValue(v, value)) : [...current, value];
  if (next.length) state.filters.set(dimKey, next);
  else state.filters.delete(dimKey);
  void refresh("push");
}

/** A count as text: the number, or the run's hidden label (e.g. "≤10") when the answer hides it. */
function countText(run: RunSummary, n: number | null | undefined): string {
  return n === null || n === undefined ? run.disclosure.hidden_label : formatInt(n);
}

function clusterNames(run: RunSummary): { ids: number[]; label: (id: number) => string; labels: string[] } {
  const clusters = run.results.study === "segments" ? run.results.clusters : [];
  const byId = new Map(clusters.map((c) => [c.id, c.label]));
  const label = (id: number): string => {
    const l = byId.get(id);
    return l ? `${id} · ${l}` : `Cluster ${id}`;
  };
  // Position in results.clusters picks the colour, as in the report (categoryColor of src/report/palette.ts).
  const ids = clusters.map((c) => c.id);
  return { ids, label, labels: ids.map(label) };
}

function targetLabel(run: RunSummary): string {
  const t = run.results.dashboard.target ?? "positive";
  return t
    .replace(/_/g, " ")
    .toLowerCase()
    .replace(/^\w/, (c) => c.toUpperCase());
}

/** Name of the map's areas: the study's own column when the dashboard maps a derived one such as `_area`. */
function areaLabel(run: RunSummary): string {
  const column = run.results.dashboard.areas?.column ?? "";
  const source = run.results.study === "segments" ? run.results.areas?.column : undefined;
  return column.startsWith("_") && source ? source : column;
}

function dimLabel(run: RunSummary, key: string): string {
  const d = run.dimensions.find((x) => x.key === key);
  if (d) return d.label;
  return run.results.dashboard.areas?.column === key ? areaLabel(run) : key;
}

function dimKind(run: RunSummary, key: string): DimensionView["kind"] {
  return run.dimensions.find((x) => x.key === key)?.kind ?? "category";
}

/** Width the charts of `el`'s card may take: the card's content box (its width less its padding). */
function cardContentWidth(el: HTMLElement): number {
  const card = el.closest<HTMLElement>(".card") ?? el;
  const style = getComputedStyle(card);
  return card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

/**
 * Renders a chart into `container`. A spec given as a function of the width is built for {@link chartWidth}; when
 * the drawn SVG is still wider than its card (axis labels, legends and concatenated panels take room the spec's
 * width does not count), it is built again, narrower by the excess (at most twice), so that no chart is clipped.
 */
async function show(
  container: HTMLElement,
  spec: VisualizationSpec | ((width: number) => VisualizationSpec),
  onClick?: (datum: Record<string, unknown>) => void,
): Promise<void> {
  const id = container.id;
  const width = chartWidth(container);
  const build = typeof spec === "function" ? spec : () => spec;
  views.get(id)?.finalize();
  let result = await embed(container, build(width), { actions: false, renderer: "svg", tooltip: { theme: "light" } });
  // At most two more passes: specs with floors on their parts (label room, panel widths) shrink by less than asked.
  for (let pass = 0, w = width; typeof spec === "function" && pass < 2; ++pass) {
    const drawn = container.querySelector("svg")?.getBoundingClientRect().width ?? 0;
    const excess = Math.ceil(drawn - cardContentWidth(container));
    if (excess <= 0 || w <= 120) break;
    w = Math.max(120, w - excess);
    result.finalize();
    result = await embed(container, build(w), { actions: false, renderer: "svg", tooltip: { theme: "light" } });
  }
  views.set(id, result);
  if (onClick) {
    result.view.addEventListener("click", (_event, item) => {
      const datum = (item as { datum?: Record<string, unknown> } | null | undefined)?.datum;
      if (datum && "key" in datum) onClick(datum);
    });
  }
}

/** The PNG, SVG and CSV buttons of the chart with element id `id`. */
function exportButtons(id: string, title: string): string {
  const b = (format: string, what: string) =>
    `<button type="button" data-export="${format}" title="Download ${what}" aria-label="Download ${escapeHtml(title)} as ${format.toUpperCase()}">${format.toUpperCase()}</button>`;
  return `<div class="export" data-for="${id}">${b("png", "the chart as an image")}${b("svg", "the chart as SVG")}${b("csv", "the counts shown, as CSV")}</div>`;
}

function card(id: string, title: string, subtitle: string, span: string): string {
  return `<section class="card ${span}" id="card-${id}">
    <header><h2>${escapeHtml(title)}</h2><p class="sub">${escapeHtml(subtitle)}</p>${exportButtons(id, title)}</header>
    <div class="chart" id="${id}"></div></section>`;
}

/** A count for a CSV cell: the number, or the hidden label where the policy hides it (never a derived value). */
function countCell(run: RunSummary, n: number | null | undefined): CsvCell {
  return n === null || n === undefined ? run.disclosure.hidden_label : n;
}

/** A file name part: letters, digits, dots and dashes only. */
const fileSafe = (s: string): string => s.replace(/[^\w.-]+/g, "_").replace(/^_+|_+$/g, "");

function download(name: string, href: string): void {
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

/** Writes the chart with element id `id` as PNG (twice the screen's pixels), SVG, or its table as CSV. */
async function exportView(id: string, format: string): Promise<void> {
  const run = state.run;
  const view = views.get(id)?.view;
  if (!run) return;
  const el = document.getElementById(id);
  const name = `${fileSafe(run.id)}-${fileSafe(el?.dataset.dim ?? id)}`;
  if (format === "csv") {
    const table = tables.get(id);
    if (!table) return;
    const url = URL.createObjectURL(new Blob([toCsv(table.columns, table.rows)], { type: "text/csv;charset=utf-8" }));
    download(`${name}.csv`, url);
    setTimeout(() => {
      URL.revokeObjectURL(url);
    }, 10_000);
  } else if (view && format === "svg") {
    const url = URL.createObjectURL(new Blob([await view.toSVG()], { type: "image/svg+xml" }));
    download(`${name}.svg`, url);
    setTimeout(() => {
      URL.revokeObjectURL(url);
    }, 10_000);
  } else if (view && format === "png") download(`${name}.png`, await view.toImageURL("png", 2));
}

function chartWidth(el: HTMLElement): number {
  // Measure the card: vega-embed makes the chart element inline-block, so it would shrink to its last chart.
  const card = el.closest<HTMLElement>(".card");
  return Math.max(220, (card ?? el).clientWidth - 34);
}

/** Bars a category chart shows before it scrolls (its card is 440px high at 20px a row). */
const LIST_ROWS = 20;

function renderTabs(): void {
  tabs.innerHTML = state.runs
    .map(
      (r) =>
        `<button type="button" data-run="${escapeHtml(r.id)}" class="${r.id === state.run?.id ? "active" : ""}">${escapeHtml(r.name)}<span class="kind ${r.study}">${r.study}</span></button>`,
    )
    .join("");
  tabs.querySelectorAll<HTMLButtonElement>("button").forEach((b) => {
    b.addEventListener("click", () => {
      const run = state.runs.find((r) => r.id === b.dataset.run);
      if (run && run !== state.run) selectRun(run, { filters: new Map(), ranges: new Map() }, undefined, "push");
    });
  });
}

/**
 * Shows a run with the given filters and map choice (from a link, or none after a tab click).
 * @param history "push" adds a history entry, "replace" rewrites the current one, "none" leaves the address
 */
function selectRun(
  run: RunSummary,
  wanted: { filters: Map<string, FilterValue[]>; ranges: Map<string, UrlRange>; unit?: TimeUnit },
  mapChoice: string | undefined,
  history: UrlMode,
): void {
  for (const v of views.values()) v.finalize();
  views.clear();
  state.run = run;
  state.filters = usableFilters(run, wanted.filters);
  state.ranges = usableRanges(run, wanted.ranges, run.disclosure.max_filters - state.filters.size);
  state.unit = wanted.unit;
  state.notice = undefined;
  state.mapChoice = mapChoice;
  state.geojson = run.results.dashboard.areas
    ? fetchGeojson(run.id).then((g) => g.features.map((f) => ({ ...f, geometry: rewindGeometry(f.geometry) })))
    : undefined;
  renderTabs();
  buildLayout(run);
  void refresh(history);
}

type UrlMode = "push" | "replace" | "none";

/** Filters of a link that this run can answer: known dimensions, at most the policy's number of filters. */
function usableFilters(run: RunSummary, filters: Map<string, FilterValue[]>): Map<string, FilterValue[]> {
  const known = new Set([
    ...run.dimensions.map((d) => d.key),
    ...(run.results.dashboard.areas ? [run.results.dashboard.areas.column] : []),
  ]);
  const max = run.disclosure.max_filters;
  return new Map([...filters].filter(([k]) => known.has(k)).slice(0, max));
}

/** The edge index of x in a numeric column's bins (a whole number in 0..bins), or undefined. */
function edgeIndex(r: Extract<RangeView, { kind: "numeric" }>, x: number): number | undefined {
  const i = (x - r.start) / r.width;
  const k = Math.round(i);
  return Math.abs(i - k) < 1e-9 && k >= 0 && k <= r.bins ? k : undefined;
}

/** Ranges of a link that this run can answer: known columns, on bin edges (numbers) or days (the timeline). */
function usableRanges(run: RunSummary, ranges: Map<string, UrlRange>, room: number): Map<string, UrlRange> {
  const ok = [...ranges].filter(([column, [a, b]]) => {
    const r = run.ranges.find((x) => x.column === column);
    if (!r) return false;
    if (r.kind === "numeric")
      return typeof a === "number" && typeof b === "number" && edgeIndex(r, a) !== undefined && edgeIndex(r, b) !== undefined;
    return typeof a === "string" && typeof b === "string";
  });
  return new Map(ok.slice(0, Math.max(0, room)));
}

/** Puts the run, its filters and the map choice in the address, so a reload or a shared link shows the same view. */
function writeUrl(mode: UrlMode): void {
  if (mode === "none" || !state.run) return;
  const query = encodeUrlState(
    { run: state.run.id, filters: state.filters, ranges: state.ranges, unit: state.unit, map: state.mapChoice },
    location.search,
  );
  if (`?${query}` === location.search) return;
  const url = `${location.pathname}?${query}`;
  if (mode === "push") history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

/** Back and forward: show the state the address now holds, without adding a history entry. */
function applyUrl(): void {
  const wanted = decodeUrlState(location.search);
  const run = state.runs.find((r) => r.id === wanted.run) ?? state.runs[0];
  if (run !== state.run) {
    selectRun(run, wanted, wanted.map, "none");
    return;
  }
  state.filters = usableFilters(run, wanted.filters);
  state.ranges = usableRanges(run, wanted.ranges, run.disclosure.max_filters - state.filters.size);
  state.unit = wanted.unit;
  syncUnitSelect();
  state.notice = undefined;
  if (state.mapChoice !== wanted.map) {
    state.mapChoice = wanted.map;
    syncMapSelect();
  }
  void refresh("none");
}

function syncMapSelect(): void {
  const select = document.getElementById("map-metric") as HTMLSelectElement | null;
  if (!select) return;
  const values = [...select.options].map((o) => o.value);
  select.value = state.mapChoice !== undefined && values.includes(state.mapChoice) ? state.mapChoice : (values[0] ?? "");
}

/** The map's colouring for the current choice; the first menu entry when there is none or it is unknown. */
function mapMetric(run: RunSummary): AreaMetric {
  const names = clusterNames(run);
  const v = state.mapChoice;
  if (v?.startsWith("share:")) {
    const index = Number(v.slice(6));
    if (Number.isInteger(index) && index >= 0 && index < names.labels.length) return { kind: "share", index, cluster: names.labels[index] };
  }
  if (v === "count") return { kind: "count" };
  if (v === "rate" && run.study === "risk") return { kind: "rate" };
  if (v === "dominant" && run.study !== "risk") return { kind: "dominant" };
  return run.study === "risk" ? { kind: "rate" } : { kind: "dominant" };
}

function mapKind(run: RunSummary): "areas" | "points" | undefined {
  const d = run.results.dashboard;
  if (d.areas && !run.warnings.some((w) => w.startsWith("area file"))) return "areas";
  if (d.points && run.disclosure.points) return "points";
  return undefined;
}

function buildLayout(run: RunSummary): void {
  const r = run.results;
  reportLink.hidden = !run.has_report;
  reportLink.href = reportUrl(run.id);
  const isRisk = r.study === "risk";
  const dims = run.dimensions.filter((d) => d.kind !== "cluster");
  const categories = dims.filter((d) => d.kind === "category");
  const times = dims.filter((d) => d.kind !== "category");
  const numeric = run.ranges.filter((r) => r.kind === "numeric");
  const timeline = run.ranges.find((r) => r.kind === "date");
  const map = mapKind(run);
  const badges = [
    `<span class="badge ${r.study}">${isRisk ? "Risk study" : "Segments study"}</span>`,
    r.synthetic ? `<span class="badge synthetic">synthetic data</span>` : "",
    isRisk ? `<span class="badge">ROC AUC ${r.metrics.roc_auc.mean.toFixed(2)}</span>` : "",
    !isRisk && "k" in r ? `<span class="badge">k = ${r.k}</span>` : "",
  ].join("");
  const warnings = run.warnings.length ? `<div class="notice">${run.warnings.map(escapeHtml).join("<br>")}</div>` : "";
  const mapTitle = map === "areas" ? `Map by ${areaLabel(run)}` : "Map of incidents";
  const hidden = run.disclosure.hidden_label;
  const gridM = run.disclosure.points ? run.disclosure.points.grid_m : 0;
  const mapSub =
    map === "areas"
      ? `Click an area to filter; grey areas have ${hidden} matching records.`
      : `Records counted on a ${formatInt(gridM)} m grid; squares with ${hidden} records are not drawn; no background tiles.`;
  const side = (
    isRisk
      ? card(
          "histogram",
          `${scoreWords(run).title} of the filtered records`,
          `${scoreWords(run).what}, split by the observed outcome; parts with ${run.disclosure.hidden_label} records are not drawn.`,
          "span-5",
        )
      : card("clusters", "Cluster sizes", "Click a cluster to filter the other views.", "span-5")
  ).replace("</section>", `${sideExtra(run)}</section>`);
  app.innerHTML = `
    <section class="title">
      <div><h1>${escapeHtml(r.name)}</h1>${r.description ? `<p class="description">${escapeHtml(r.description)}</p>` : ""}</div>
      <div class="badges">${badges}</div>
    </section>
    ${warnings}
    ${privacyNotice(run)}
    <section class="kpis" id="kpis"></section>
    <section class="filters" id="filters"></section>
    <div class="grid">
      ${map ? `<section class="card span-7" id="card-map"><header><h2>${escapeHtml(mapTitle)}</h2><p class="sub">${escapeHtml(mapSub)}</p><select id="map-metric" aria-label="Map colour"></select>${exportButtons("map", mapTitle)}</header><div class="chart" id="map"></div><p class="foot" id="map-foot"></p></section>` : ""}
      ${side.replace("span-5", map ? "span-5" : "span-12")}
      ${isRisk && run.has_score ? riskCards(run) : ""}
      ${categories.map((d, i) => card(`dim-${i}`, d.label, isRisk ? `Records and rate of ${targetLabel(run).toLowerCase()} (outlined: under ${RATE_MIN_COUNT} records); click a bar to filter.` : "Records by cluster; click a bar to filter.", categories.length === 1 ? "span-12" : "span-6")).join("")}
      ${timeline ? rangeCard("timeline", timeline, run, "span-12") : ""}
      ${numeric.map((r, i) => rangeCard(`num-${i}`, r, run, numeric.length === 1 ? "span-12" : "span-6")).join("")}
      ${times.map((d, i) => card(`time-${i}`, d.label, isRisk ? `Bars: records. Line: rate (faint points: under ${RATE_MIN_COUNT} records).` : "Records by cluster.", times.length === 1 ? "span-12" : "span-6")).join("")}
      ${drillCard(run)}
    </div>`;
  wireDrill(run);
  categories.forEach((d, i) => ((document.getElementById(`dim-${i}`) as HTMLElement).dataset.dim = d.key));
  times.forEach((d, i) => ((document.getElementById(`time-${i}`) as HTMLElement).dataset.dim = d.key));
  const rangeCharts: [string, RangeView][] = [
    ...(timeline ? [["timeline", timeline] as [string, RangeView]] : []),
    ...numeric.map((r, i): [string, RangeView] => [`num-${i}`, r]),
  ];
  for (const [id, r] of rangeCharts) {
    const el = document.getElementById(id) as HTMLElement;
    el.dataset.dim = r.column;
    el.dataset.range = r.kind;
    watchBrush(el, r);
  }
  document.querySelectorAll<HTMLButtonElement>(".range-clear").forEach((b) => {
    b.addEventListener("click", () => {
      const column = b.dataset.column ?? "";
      if (!state.ranges.has(column)) return;
      state.ranges.delete(column);
      state.notice = undefined;
      void refresh("push");
    });
  });
  const unit = document.getElementById("timeline-unit") as HTMLSelectElement | null;
  if (unit) {
    syncUnitSelect();
    unit.addEventListener("change", () => {
      state.unit = unit.value === "month" ? "month" : "week";
      void refresh("push");
    });
  }
  const select = document.getElementById("map-metric") as HTMLSelectElement | null;
  if (select && map === "areas") {
    const names = clusterNames(run);
    const options: [string, string][] = isRisk
      ? [
          ["rate", `${targetLabel(run)} rate`],
          ["count", "Records"],
        ]
      : [
          ["dominant", "Largest cluster"],
          ["count", "Records"],
          ...names.ids.map((id, i): [string, string] => [`share:${i}`, `Share: ${names.label(id)}`]),
        ];
    select.innerHTML = options.map(([v, l]) => `<option value="${escapeHtml(v)}">${escapeHtml(l)}</option>`).join("");
    syncMapSelect();
    select.addEventListener("change", () => {
      state.mapChoice = select.value;
      void refresh("push");
    });
  } else if (select) select.remove();
}

function sideExtra(run: RunSummary): string {
  const r = run.results;
  if (r.study === "risk") {
    const m = r.metrics;
    // null: hidden by disclosure control (it would give back a small confusion-matrix cell).
    const cell = (name: string, v: { mean: number; sd: number } | null | undefined) =>
      v === null
        ? `<tr><th>${name}</th><td>suppressed</td><td class="sd"></td></tr>`
        : v
          ? `<tr><th>${name}</th><td>${v.mean.toFixed(3)}</td><td class="sd">± ${v.sd.toFixed(3)}</td></tr>`
          : "";
    return `<div class="extra"><h3>Model quality <span>(${escapeHtml(r.validation.method)}, ${r.validation.folds} folds; all records)</span></h3>
      <table class="metrics"><tbody>${cell("ROC AUC", m.roc_auc)}${cell("PR AUC", m.pr_auc)}${cell("Balanced accuracy", m.balanced_accuracy)}${cell("Recall", m.recall)}${cell("Precision", m.precision)}</tbody></table></div>`;
  }
  const names = clusterNames(run);
  const rows = r.clusters
    .map((c, i) => {
      const tops = Object.entries(c.top_values)
        .map(([col, vals]) => (vals[0] ? `${escapeHtml(col)}: <b>${escapeHtml(vals[0].value)}</b> ${formatPct(vals[0].share, 0)}` : ""))
        .filter(Boolean)
        .slice(0, 4);
      if (!tops.length) return "";
      return `<li><span class="swatch" style="background:${CLUSTER_COLORS[i % CLUSTER_COLORS.length]}"></span><span class="name">${escapeHtml(names.label(c.id))}</span><span class="tops">${tops.join(" · ")}</span></li>`;
    })
    .join("");
  return rows
    ? `<div class="extra"><h3>Most common values per cluster <span>(all records)</span></h3><ul class="profiles">${rows}</ul></div>`
    : "";
}

/** The one plain statement of how the run's numbers are protected, shown under the title. */
function privacyNotice(run: RunSummary): string {
  const d = run.disclosure;
  const text =
    d.min_cell <= 0
      ? "Small-group protection is off for this run (disclosure.min_cell is 0): every count is exact, however small."
      : d.perturbed
        ? `To protect the people in these records, every count is moved a little (by 2 or less for all but about 1 in 64 answers, never by more than ${d.bound}; shown counts are even) so that small groups cannot be worked out by subtracting one count from another, and groups of ${d.min_cell} or fewer records are hidden (${d.hidden_label}). Rates and shares appear only when more than ${d.min_cell} records have and do not have the value.`
        : `Groups of fewer than ${d.min_cell} records are hidden (${d.hidden_label}); counts are exact, so differences of two counts can reveal small groups (disclosure.dashboard.perturb is off).`;
  return `<div class="notice privacy${d.min_cell <= 0 || !d.perturbed ? " error" : ""}" id="privacy-notice">${escapeHtml(text)}</div>`;
}

function kpi(label: string, value: string, note: string, id: string, raw?: number, color?: string): string {
  const swatch = color ? `<span class="swatch" style="background:${color}"></span>` : "";
  return `<div class="kpi" id="${id}" ${raw === undefined ? "" : `data-value="${raw}"`}><div class="label">${swatch}${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div><div class="note">${escapeHtml(note)}</div></div>`;
}

async function renderKpis(run: RunSummary, gen: number): Promise<void> {
  const el = element("kpis");
  const total = run.rows;
  if (run.study === "risk") {
    const { rows } = await fetchQuery(run.id, { filters: filtersObject(), ranges: rangesList() });
    if (gen !== state.generation) return;
    const t = rows[0];
    const base = run.results.study === "risk" ? run.results.base_rate : undefined;
    el.innerHTML = [
      kpi("Records", countText(run, t.count), share(t.count, total), "kpi-count", t.count ?? undefined),
      kpi(targetLabel(run), countText(run, t.positives), "records with the outcome", "kpi-positives", t.positives ?? undefined),
      kpi(
        "Rate",
        formatPct(t.rate),
        t.rate == null && t.count != null
          ? "hidden: too few with or without the outcome"
          : base === undefined
            ? ""
            : `overall ${formatPct(base)}`,
        "kpi-rate",
        t.rate ?? undefined,
      ),
      kpi(
        `Mean ${scoreWords(run).noun}`,
        formatPct(t.mean_score),
        scoreWords(run).what.toLowerCase(),
        "kpi-score",
        t.mean_score ?? undefined,
      ),
    ].join("");
    return;
  }
  const names = clusterNames(run);
  const key = run.cluster_key;
  const { rows } = await fetchQuery(run.id, { filters: filtersObject(), ranges: rangesList(), by_cluster: !!key });
  if (gen !== state.generation) return;
  const t = rows[0];
  el.innerHTML = [
    kpi("Records", countText(run, t.count), share(t.count, total), "kpi-count", t.count ?? undefined),
    ...(key
      ? names.ids.map((id, i) => {
          const n = t.clusters?.[String(id)] ?? null;
          const s = t.cluster_shares?.[String(id)] ?? null;
          return kpi(
            names.label(id),
            countText(run, n),
            s === null ? "share hidden" : `${formatPct(s)} of filtered`,
            `kpi-cluster-${id}`,
            n ?? undefined,
            CLUSTER_COLORS[i % CLUSTER_COLORS.length],
          );
        })
      : []),
  ].join("");
}

/**
 * "12.3% of 32,757": a shown count as a share of the run's rows. A perturbed count can pass the exact total by a few
 * records; the share then reads "all of", not "100.1% of".
 */
function share(n: number | null | undefined, total: number): string {
  if (n == null) return `of ${formatInt(total)}`;
  if (total && n >= total) return `all of ${formatInt(total)} (counts are perturbed)`;
  return `${formatPct(total ? n / total : null)} of ${formatInt(total)}`;
}

function renderFilters(run: RunSummary): void {
  const el = element("filters");
  const names = clusterNames(run);
  const chips = [...state.filters].map(([key, values]) => {
    const kind = dimKind(run, key);
    const text = values.map((v) => valueLabel(kind, v, names.label)).join(", ");
    return `<span class="chip" data-dim="${escapeHtml(key)}"><b>${escapeHtml(dimLabel(run, key))}:</b> ${escapeHtml(text)}<button type="button" aria-label="Remove filter on ${escapeHtml(dimLabel(run, key))}">×</button></span>`;
  });
  for (const [column, range] of state.ranges) {
    const r = run.ranges.find((x) => x.column === column);
    if (!r) continue;
    const label = r.kind === "date" ? `${r.label} (dates)` : r.label;
    chips.push(
      `<span class="chip" data-dim="${escapeHtml(column)}" data-range="${r.kind}"><b>${escapeHtml(label)}:</b> ${escapeHtml(rangeText(r, range))}<button type="button" aria-label="Remove range on ${escapeHtml(label)}">×</button></span>`,
    );
  }
  const limit = state.notice ? `<span class="limit" role="status">${escapeHtml(state.notice)}</span>` : "";
  el.innerHTML = `<span class="filters-label">Active filters</span>${chips.length ? chips.join("") : `<span class="none">None. Click a bar or an area, or drag across a histogram or the timeline, to filter every view.</span>`}${limit}<button type="button" id="clear-filters" ${chips.length ? "" : "disabled"}>Clear all</button>`;
  el.querySelectorAll<HTMLElement>(".chip").forEach((c) => {
    const dim = c.dataset.dim;
    const button = c.querySelector("button");
    if (dim === undefined || !button) throw new Error("malformed filter chip");
    button.addEventListener("click", () => {
      if (c.dataset.range) state.ranges.delete(dim);
      else state.filters.delete(dim);
      state.notice = undefined;
      void refresh("push");
    });
  });
  element("clear-filters").addEventListener("click", () => {
    state.filters.clear();
    state.ranges.clear();
    state.notice = undefined;
    void refresh("push");
  });
}

/** The 95% Wilson interval of a shown rate, from the shown positives and records (no hidden count is used). */
function wilsonBounds(r: QueryRow): { rate_lo?: number; rate_hi?: number } {
  if (r.rate == null || r.count == null || r.positives == null || r.count <= 0) return {};
  const [lo, hi] = wilsonInterval(r.positives, r.count);
  return { rate_lo: lo, rate_hi: hi };
}

function barData(rows: QueryRow[], d: DimensionView, run: RunSummary): BarDatum[] {
  const active = (state.filters.get(d.key) ?? []).length > 0;
  const names = clusterNames(run);
  return rows.map((r) => {
    const selected = isSelected(d.key, r.key);
    return {
      key: r.key,
      label: valueLabel(d.kind, r.key, names.label),
      count: r.count,
      count_text: countText(run, r.count),
      rate: r.rate,
      ...wilsonBounds(r),
      positives: r.positives,
      positives_text: r.positives === undefined ? undefined : countText(run, r.positives),
      mean_score: r.mean_score,
      selected,
      faded: active && !selected,
    };
  });
}

function stackData(rows: QueryRow[], d: DimensionView, run: RunSummary): StackDatum[] {
  const active = (state.filters.get(d.key) ?? []).length > 0;
  const names = clusterNames(run);
  return rows.flatMap((r) => {
    const label = valueLabel(d.kind, r.key, names.label);
    const faded = active && !isSelected(d.key, r.key);
    return names.ids.map((id, i) => {
      const n = r.clusters?.[String(id)] ?? null;
      return {
        key: r.key,
        label,
        cluster: names.labels[i],
        cluster_index: i,
        n,
        n_text: countText(run, n),
        share: r.cluster_shares?.[String(id)] ?? null,
        faded,
        total: r.count,
        total_text: countText(run, r.count),
      };
    });
  });
}

/** The last answer of each dimension chart, kept so that search and sort redraw without asking again. */
const answers = new Map<string, { rows: QueryRow[]; overall: number | null }>();

/** Search text and order of each category list, by dimension key; kept across filter changes. */
const lists = new Map<string, { query: string; sort: ListSort }>();

/** Orders of a category list: most records first (the server's order), highest rate first, or by name. */
type ListSort = "count" | "rate" | "name";

/** The rows a category list shows: those whose label contains the search text, in the chosen order. */
function listRows(run: RunSummary, d: DimensionView, rows: QueryRow[]): QueryRow[] {
  const view = lists.get(d.key);
  if (!view || d.kind !== "category") return rows;
  const names = clusterNames(run);
  const label = (r: QueryRow) => valueLabel(d.kind, r.key, names.label);
  const q = view.query.trim().toLowerCase();
  const kept = q ? rows.filter((r) => label(r).toLowerCase().includes(q)) : [...rows];
  if (view.sort === "name") kept.sort((a, b) => label(a).localeCompare(label(b), "en"));
  // Hidden rates (null) go last; ties keep the server's order (most records first).
  if (view.sort === "rate") kept.sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1));
  return kept;
}

/** Search box and order menu of a category card, added once when the card is built. */
function listControls(run: RunSummary, d: DimensionView, el: HTMLElement): void {
  const header = el.closest(".card")?.querySelector("header");
  if (!header || header.querySelector(".list-controls")) return;
  const box = document.createElement("div");
  box.className = "list-controls";
  const sorts: [ListSort, string][] = [
    ["count", "Most records"],
    ...(run.study === "risk" ? [["rate", "Highest rate"] as [ListSort, string]] : []),
    ["name", "Name"],
  ];
  box.innerHTML = `<input type="search" class="list-search" placeholder="Search ${escapeHtml(d.label)}" aria-label="Search ${escapeHtml(d.label)}">
    <select class="list-sort" aria-label="Order of ${escapeHtml(d.label)}">${sorts.map(([v, l]) => `<option value="${v}">${l}</option>`).join("")}</select>`;
  header.append(box);
  const input = box.querySelector("input") as HTMLInputElement;
  const select = box.querySelector("select") as HTMLSelectElement;
  const view = lists.get(d.key) ?? { query: "", sort: "count" };
  input.value = view.query;
  select.value = view.sort;
  let timer: number | undefined;
  const redraw = () => {
    lists.set(d.key, { query: input.value, sort: select.value as ListSort });
    const gen = state.generation;
    app.dataset.ready = "false";
    drawDimension(run, el, d).then(
      () => {
        if (gen === state.generation) app.dataset.ready = "true";
      },
      (e: unknown) => {
        console.error(`openbeat: ${e instanceof Error ? e.message : String(e)}`);
        app.dataset.ready = "error";
      },
    );
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(redraw, 150);
  });
  select.addEventListener("change", redraw);
}

async function renderDimension(run: RunSummary, el: HTMLElement, gen: number): Promise<void> {
  const d = run.dimensions.find((x) => x.key === el.dataset.dim);
  if (!d) throw new Error(`unknown dimension ${el.dataset.dim ?? "(none)"}`);
  const isRisk = run.study === "risk";
  const answer = await fetchQuery(run.id, { filters: filtersObject(d.key), ranges: rangesList(), group_by: d.key, by_cluster: !isRisk });
  if (gen !== state.generation) return;
  // The reference rate is the rate under the other filters, asked for as such (never summed from hidden groups).
  const overall =
    isRisk && d.kind === "category"
      ? ((await fetchQuery(run.id, { filters: filtersObject(d.key), ranges: rangesList() })).rows[0].rate ?? null)
      : null;
  if (gen !== state.generation) return;
  answers.set(el.id, { rows: answer.rows, overall });
  if (d.kind === "category" && answer.rows.length > LIST_ROWS / 2) listControls(run, d, el);
  await drawDimension(run, el, d);
}

/** Draws a dimension chart from its last answer, searched and ordered as its card says. */
async function drawDimension(run: RunSummary, el: HTMLElement, d: DimensionView): Promise<void> {
  const answer = answers.get(el.id);
  if (!answer) return;
  const isRisk = run.study === "risk";
  const all = answer.rows;
  const rows = listRows(run, d, all);
  el.dataset.shown = String(rows.length);
  if (d.kind === "category") {
    // Long labels (offence descriptions) get the full row so they stay readable.
    const longest = Math.max(0, ...all.map((r) => String(r.key ?? "(missing)").length));
    el.closest(".card")?.classList.toggle("wide", longest > 30);
    const note = el.closest(".card")?.querySelector<HTMLElement>(".sub");
    if (note) {
      note.dataset.base ??= note.textContent;
      const searched = rows.length < all.length ? ` ${formatInt(rows.length)} of ${formatInt(all.length)} values match the search.` : "";
      note.textContent =
        rows.length > LIST_ROWS
          ? `${note.dataset.base}${searched || ` ${formatInt(rows.length)} values.`} Scroll for more.`
          : `${note.dataset.base}${searched}`;
    }
  }
  const onClick = (datum: Record<string, unknown>) => {
    toggle(d.key, datum.key as FilterValue);
  };
  if (isRisk) {
    const data = barData(rows, d, run);
    tables.set(el.id, {
      columns: [d.label, "records", targetLabel(run), "rate", "rate_ci95_low", "rate_ci95_high", "mean_predicted_risk"],
      rows: rows.map((r, i) => [
        data[i].label,
        countCell(run, r.count),
        countCell(run, r.positives),
        r.rate ?? null,
        data[i].rate_lo ?? null,
        data[i].rate_hi ?? null,
        r.mean_score ?? null,
      ]),
    });
    const spec = (w: number) =>
      d.kind === "category"
        ? riskCategorySpec(data, w, d.label, targetLabel(run), answer.overall)
        : riskTimeSpec(data, w, d.label, targetLabel(run));
    await show(el, spec, onClick);
  } else {
    const names = clusterNames(run);
    const stack = stackData(rows, d, run);
    tables.set(el.id, {
      columns: [d.label, "cluster", "records", "share_of_value"],
      rows: stack.map((x) => [x.label, x.cluster, countCell(run, x.n), x.share]),
    });
    await show(el, (w) => stackedSpec(stack, w, d.label, names.labels, d.kind !== "category", rows.length), onClick);
  }
}

async function renderClusters(run: RunSummary, gen: number): Promise<void> {
  const el = document.getElementById("clusters");
  const key = run.cluster_key;
  if (!el || !key) return;
  const { rows } = await fetchQuery(run.id, { filters: filtersObject(key), ranges: rangesList(), group_by: key });
  if (gen !== state.generation) return;
  const names = clusterNames(run);
  const byId = new Map(rows.map((r) => [Number(r.key), r]));
  const totals = await fetchQuery(run.id, { filters: filtersObject(key), ranges: rangesList(), by_cluster: true });
  if (gen !== state.generation) return;
  const shares = totals.rows[0].cluster_shares ?? {};
  const data = names.ids.map((id) => {
    const count = byId.get(id)?.count ?? null;
    const selected = isSelected(key, id);
    return {
      key: id,
      label: names.label(id),
      count,
      count_text: countText(run, count),
      share: shares[String(id)] ?? null,
      selected,
      faded: (state.filters.get(key) ?? []).length > 0 && !selected,
    };
  });
  tables.set(el.id, { columns: ["cluster", "records", "share"], rows: data.map((x) => [x.label, countCell(run, x.count), x.share]) });
  await show(
    el,
    (w) => clusterSpec(data, w, names.labels),
    (datum) => {
      toggle(key, datum.key as FilterValue);
    },
  );
}

async function renderHistogram(run: RunSummary, gen: number): Promise<void> {
  const el = document.getElementById("histogram");
  if (!el || !run.has_score) return;
  const { bins } = await fetchHistogram(run.id, filtersObject(), rangesList(), 20);
  if (gen !== state.generation) return;
  const threshold = run.results.study === "risk" ? run.results.threshold : undefined;
  tables.set(el.id, {
    columns: ["risk_from", "risk_to", "records", targetLabel(run), "other_records"],
    rows: bins.map((b) => [b.start, b.end, countCell(run, b.count), countCell(run, b.positives), countCell(run, b.negatives)]),
  });
  await show(el, (w) => histogramSpec(bins, w, targetLabel(run), threshold, `${scoreWords(run).title} (out-of-fold)`));
}

function matchKey(name: unknown, rows: Map<string, QueryRow>, lower: Map<string, QueryRow>): QueryRow | undefined {
  // Area names are strings or numbers in GeoJSON properties; objects and arrays name no area.
  if (typeof name !== "string" && typeof name !== "number" && typeof name !== "boolean") return undefined;
  const s = String(name);
  return rows.get(s) ?? lower.get(s.trim().toLowerCase());
}

async function renderMap(run: RunSummary, gen: number): Promise<void> {
  const el = document.getElementById("map");
  if (!el) return;
  const foot = element("map-foot");
  const width = chartWidth(el);
  const height = Math.round(Math.min(520, Math.max(320, width * 0.72)));
  const names = clusterNames(run);
  const areas = run.results.dashboard.areas;
  if (mapKind(run) === "areas" && areas && state.geojson) {
    const [features, { rows }] = await Promise.all([state.geojson, fetchAreas(run.id, filtersObject(areas.column), rangesList())]);
    if (gen !== state.generation) return;
    const byKey = new Map(rows.filter((r) => r.key !== null).map((r) => [String(r.key), r]));
    const byLower = new Map(rows.filter((r) => r.key !== null).map((r) => [String(r.key).trim().toLowerCase(), r]));
    const matched = new Set<QueryRow>();
    const values = features.map((f) => {
      const name = f.properties?.[areas.name_property];
      const r = matchKey(name, byKey, byLower);
      if (r) matched.add(r);
      const out: Record<string, unknown> = {
        type: "Feature",
        geometry: f.geometry,
        properties: {},
        key: r ? r.key : name === undefined ? null : name,
        count: r?.count ?? null,
        count_text: countText(run, r?.count ?? null),
        rate: r?.rate ?? null,
        selected: r ? isSelected(areas.column, r.key) : false,
        known: !!r,
      };
      const clusters = r?.clusters;
      if (r && clusters && r.count !== null) {
        let best = -1;
        let bestN = -1;
        names.ids.forEach((id, i) => {
          const n = clusters[String(id)] ?? null;
          out[`share_${i}`] = r.cluster_shares?.[String(id)] ?? null;
          if (n !== null && n > bestN) [best, bestN] = [i, n];
        });
        out.dominant = best >= 0 ? names.labels[best] : null;
        out.dominant_share = best >= 0 ? (r.cluster_shares?.[String(names.ids[best])] ?? null) : null;
      }
      return out;
    });
    const metric = mapMetric(run);
    tables.set(el.id, {
      columns: [areaLabel(run), "records", ...(run.study === "risk" ? ["rate"] : names.labels.map((l) => `share: ${l}`))],
      rows: rows.map((r) => [
        r.key === null ? "(missing)" : String(r.key),
        countCell(run, r.count),
        ...(run.study === "risk" ? [r.rate ?? null] : names.ids.map((id) => r.cluster_shares?.[String(id)] ?? null)),
      ]),
    });
    await show(
      el,
      (w) => areaMapSpec(values, w, Math.round((height * w) / width), metric, names.labels, areaLabel(run)),
      (datum) => {
        if (datum.known) toggle(areas.column, datum.key as FilterValue);
      },
    );
    const unmatched = rows.filter((r) => !matched.has(r));
    const shownOff = unmatched.filter((r) => r.count !== null);
    const lost = shownOff.reduce((s, r) => s + (r.count ?? 0), 0);
    const named = shownOff
      .slice(0, 3)
      .map((r) => `${r.key === null ? `no ${areaLabel(run)}` : String(r.key)} (${formatInt(r.count ?? 0)})`);
    const hiddenOff = unmatched.length - shownOff.length;
    foot.textContent = [
      shownOff.length
        ? `${formatInt(lost)} filtered records are not on the map: ${named.join(", ")}${shownOff.length > 3 ? `, and ${shownOff.length - 3} more` : ""}.`
        : "",
      hiddenOff
        ? `${formatInt(hiddenOff)} ${areaLabel(run)} value${hiddenOff === 1 ? "" : "s"} not on the map ${hiddenOff === 1 ? "has" : "have"} ${run.disclosure.hidden_label} records.`
        : "",
    ]
      .filter(Boolean)
      .join(" ");
    return;
  }
  const { total, cells, grid_m } = await fetchPoints(run.id, filtersObject(), rangesList());
  if (gen !== state.generation) return;
  tables.set(el.id, {
    columns: ["latitude", "longitude", `records_in_${grid_m}m_square`],
    rows: cells.map((c) => [c.lat, c.lon, c.count]),
  });
  await show(el, (w) => gridMapSpec(cells, w, Math.round((height * w) / width), grid_m));
  const drawn = cells.reduce((s, c) => s + c.count, 0);
  foot.textContent = `${formatInt(cells.length)} squares of ${formatInt(grid_m)} m drawn (${formatInt(drawn)} records); located records under the filters: ${countText(run, total)}. Counts are perturbed; squares with ${run.disclosure.hidden_label} records are not drawn.`;
}

const DAY_MS = 86_400_000;
const dayOf = (t: number): string => new Date(t).toISOString().slice(0, 10);
const dayMs = (s: string): number => Date.parse(`${s}T00:00:00Z`);
const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** "6 Jan 2020" of a `YYYY-MM-DD` day. */
function dayText(s: string): string {
  const d = new Date(dayMs(s));
  return `${d.getUTCDate()} ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
/** A bin edge as text, without float noise (0.15000000000000002 reads 0.15). */
const edgeText = (x: number): string => String(Number(x.toPrecision(10)));

/** A brushed range as a chip reads it: "20 to under 35", or the first and last day of a date range. */
function rangeText(r: RangeView, [a, b]: UrlRange): string {
  if (r.kind === "date") return `${dayText(String(a))} – ${dayText(dayOf(dayMs(String(b)) - DAY_MS))}`;
  return `${edgeText(Number(a))} to under ${edgeText(Number(b))}`;
}

/** The card of a histogram or the timeline: a Clear button, and the week/month switch on the timeline. */
function rangeCard(id: string, r: RangeView, run: RunSummary, span: string): string {
  const isRisk = run.study === "risk";
  const title = r.kind === "date" ? `Timeline of ${r.label}` : r.label;
  const what = isRisk
    ? `Bars: records; line: rate of ${targetLabel(run).toLowerCase()} (faint: under ${RATE_MIN_COUNT} records)`
    : "Records by cluster";
  const sub =
    r.kind === "date"
      ? `${what}. Drag across the chart to filter to a date range.`
      : `${what}, in bins of ${edgeText(r.width)}. Drag across the bars to filter to a range; grey ticks are bins with ${run.disclosure.hidden_label} records.`;
  const unit =
    r.kind === "date"
      ? `<select id="timeline-unit" aria-label="Timeline buckets"><option value="week">By week</option><option value="month">By month</option></select>`
      : "";
  const clear = `<button type="button" class="range-clear" data-column="${escapeHtml(r.column)}" disabled>Clear range</button>`;
  return card(id, title, sub, span).replace("</p>", `</p>${unit}${clear}`);
}

/** The timeline's buckets: the choice, else weeks on a timeline of up to two years and months on a longer one. */
function unitOf(r: RangeView): TimeUnit {
  if (state.unit) return state.unit;
  return r.kind === "date" && dayMs(r.end) - dayMs(r.first) > 2 * 366 * DAY_MS ? "month" : "week";
}

function syncUnitSelect(): void {
  const select = document.getElementById("timeline-unit") as HTMLSelectElement | null;
  const r = state.run?.ranges.find((x) => x.kind === "date");
  if (select && r) select.value = unitOf(r);
}

/** The last answer of each range chart, kept for the brush's snapping. */
const rangeBins = new Map<string, DistributionBin[]>();

/** The chart whose brush is being dragged, and how to apply it when the pointer is released. */
let dragging: (() => void) | undefined;

/** Applies a chart's brush as its range filter when a drag that started on it ends. */
function watchBrush(el: HTMLElement, r: RangeView): void {
  el.addEventListener("pointerdown", () => {
    dragging = () => {
      const view = views.get(el.id)?.view;
      const value = view?.signal(BRUSH) as Record<string, unknown[]> | undefined;
      const extent = value ? Object.values(value)[0] : undefined;
      if (!extent || extent.length !== 2) return;
      const [lo, hi] = extent.map((v) => Number(v)).sort((a, b) => a - b);
      const range = snapRange(r, lo, hi, rangeBins.get(el.id) ?? []);
      if (!range) return;
      const max = state.run?.disclosure.max_filters ?? Infinity;
      if (!state.ranges.has(r.column) && filterCount() >= max) {
        state.notice = `At most ${max} filters at once: remove one before brushing ${r.label}.`;
        if (state.run) renderFilters(state.run);
        return;
      }
      const old = state.ranges.get(r.column);
      if (old && old[0] === range[0] && old[1] === range[1]) return;
      state.notice = undefined;
      state.ranges.set(r.column, range);
      void refresh("push");
    };
  });
}

/** Draws a histogram of a numeric column or the timeline: bins under every filter but its own range. */
async function renderRange(run: RunSummary, el: HTMLElement, gen: number): Promise<void> {
  const r = run.ranges.find((x) => x.column === el.dataset.dim);
  if (!r) throw new Error(`unknown range column ${el.dataset.dim ?? "(none)"}`);
  const isRisk = run.study === "risk";
  const answer = await fetchDistribution(run.id, {
    filters: filtersObject(),
    ranges: rangesList(),
    column: r.column,
    ...(r.kind === "date" ? { unit: unitOf(r) } : {}),
    by_cluster: !isRisk && !!run.cluster_key,
  });
  if (gen !== state.generation) return;
  rangeBins.set(el.id, answer.bins);
  const brushed = state.ranges.get(r.column);
  const key = (v: number | string) => (r.kind === "date" ? dayMs(String(v)) : Number(v));
  const faded = (b: DistributionBin) => !!brushed && (key(b.end) <= key(brushed[0]) || key(b.start) >= key(brushed[1]));
  const label = (b: DistributionBin) =>
    r.kind === "date"
      ? unitOf(r) === "month"
        ? `${MONTH_NAMES[new Date(dayMs(String(b.start))).getUTCMonth()]} ${new Date(dayMs(String(b.start))).getUTCFullYear()}`
        : `Week of ${dayText(String(b.start))}`
      : `${edgeText(Number(b.start))} to under ${edgeText(Number(b.end))}`;
  const names = clusterNames(run);
  let data: RangeDatum[];
  if (isRisk) {
    data = answer.bins.map((b) => ({
      start: b.start,
      end: b.end,
      label: label(b),
      count: b.count,
      count_text: countText(run, b.count),
      rate: b.rate ?? null,
      ...wilsonBounds(b),
      positives_text: countText(run, b.positives),
      faded: faded(b),
    }));
    tables.set(el.id, {
      columns: [
        r.kind === "date" ? `${unitOf(r)}_from` : `${r.label}_from`,
        r.kind === "date" ? `${unitOf(r)}_to` : `${r.label}_to`,
        "records",
        targetLabel(run),
        "rate",
      ],
      rows: answer.bins.map((b) => [b.start, b.end, countCell(run, b.count), countCell(run, b.positives), b.rate ?? null]),
    });
  } else {
    data = answer.bins.flatMap((b) =>
      names.ids.map((id, i) => {
        const n = b.clusters?.[String(id)] ?? null;
        return {
          start: b.start,
          end: b.end,
          label: label(b),
          count: n,
          count_text: countText(run, n),
          cluster: names.labels[i],
          cluster_index: i,
          faded: faded(b),
        };
      }),
    );
    tables.set(el.id, {
      columns: [`${r.label}_from`, `${r.label}_to`, "records", ...names.labels.map((l) => `records: ${l}`)],
      rows: answer.bins.map((b) => [
        b.start,
        b.end,
        countCell(run, b.count),
        ...names.ids.map((id) => countCell(run, b.clusters?.[String(id)])),
      ]),
    });
  }
  const missing = answer.missing.count;
  const outside = answer.outside?.count;
  const foot = el.closest(".card")?.querySelector<HTMLElement>(".range-foot");
  const note = [
    missing === 0 ? "" : `Records without ${r.label}: ${countText(run, missing)} (not drawn).`,
    r.kind === "date" && outside !== 0 && outside !== undefined
      ? `Dated before ${dayText(r.first)} or from ${dayText(r.end)} on: ${countText(run, outside)} (not drawn; the timeline spans the months with more than ${run.disclosure.min_cell} records).`
      : "",
  ]
    .filter(Boolean)
    .join(" ");
  if (foot) foot.textContent = note;
  else if (note) el.insertAdjacentHTML("afterend", `<p class="foot range-foot">${escapeHtml(note)}</p>`);
  el.dataset.bins = String(answer.bins.length);
  await show(el, (w) =>
    rangeSpec(data, w, r.label, {
      temporal: r.kind === "date",
      ...(isRisk ? { targetLabel: targetLabel(run) } : { clusters: names.labels }),
    }),
  );
}

/** Re-queries and re-renders every view; `url` says how the address follows the new state. */
async function refresh(url: UrlMode = "none"): Promise<void> {
  const run = state.run;
  if (!run) return;
  writeUrl(url);
  const gen = ++state.generation;
  app.dataset.ready = "false";
  renderFilters(run);
  const tasks: Promise<void>[] = [
    renderKpis(run, gen),
    renderMap(run, gen),
    renderHistogram(run, gen),
    renderClusters(run, gen),
    renderCalibration(run, gen),
    renderFlagging(run, gen),
    renderDrill(run, gen),
  ];
  document
    .querySelectorAll<HTMLElement>(".chart[data-dim]")
    .forEach((el) => tasks.push(el.dataset.range ? renderRange(run, el, gen) : renderDimension(run, el, gen)));
  document.querySelectorAll<HTMLButtonElement>(".range-clear").forEach((b) => {
    b.disabled = !state.ranges.has(b.dataset.column ?? "");
  });
  const results = await Promise.allSettled(tasks);
  if (gen !== state.generation) return;
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  for (const f of failed) console.error(`openbeat: ${f.reason instanceof Error ? f.reason.message : String(f.reason)}`);
  app.dataset.ready = failed.length ? "error" : "true";
  app.dataset.generation = String(gen);
}

async function main(): Promise<void> {
  try {
    state.runs = (await fetchRuns()).runs;
  } catch (e) {
    app.innerHTML = `<div class="notice error">Cannot load runs: ${escapeHtml((e as Error).message)}</div>`;
    return;
  }
  if (!state.runs.length) {
    app.innerHTML = `<div class="notice">No runs to show.</div>`;
    return;
  }
  const wanted = decodeUrlState(location.search);
  selectRun(state.runs.find((r) => r.id === wanted.run) ?? state.runs[0], wanted, wanted.map, "replace");
  window.addEventListener("popstate", applyUrl);
  window.addEventListener("pointerup", () => {
    const apply = dragging;
    dragging = undefined;
    // Vega updates the brush signal in its own pointer handlers; read it once they have run.
    if (apply) setTimeout(apply, 30);
  });
  app.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>(".export button");
    const id = button?.closest<HTMLElement>(".export")?.dataset.for;
    if (!button || !id) return;
    exportView(id, button.dataset.export ?? "").catch((e: unknown) => {
      console.error(`openbeat: export failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  let timer: number | undefined;
  let lastWidth = window.innerWidth;
  window.addEventListener("resize", () => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(timer);
    timer = window.setTimeout(() => void refresh(), 200);
  });
}

void main();

/**
 * How the run's `_score` is named: a calibrated out-of-fold score (results.json's validation.calibration is a
 * method other than "none") is a predicted risk; anything else is only a score.
 */
function scoreWords(run: RunSummary): { calibrated: boolean; title: string; noun: string; what: string } {
  const r = run.results;
  const method = r.study === "risk" ? r.validation.calibration : undefined;
  const calibrated = method !== undefined && method !== "none";
  return calibrated
    ? { calibrated, title: "Predicted risk", noun: "predicted risk", what: `Out-of-fold calibrated risk (${method.replace(/_/g, " ")})` }
    : { calibrated, title: "Score", noun: "score", what: "Out-of-fold model scores (not calibrated: not probabilities)" };
}

/** The calibration and flagging cards of a risk run. */
function riskCards(run: RunSummary): string {
  const w = scoreWords(run);
  const hidden = run.disclosure.hidden_label;
  const cal = card(
    "calibration",
    w.calibrated ? "Calibration: predicted risk against what happened" : "Calibration: score against what happened",
    `Scored records in ten ${w.noun} bins (each a tenth of the run's predicted events); dots: observed rate with its 95% Wilson interval; dashed: perfect calibration; grey ticks: rate hidden (${hidden} records with or without the outcome).`,
    "span-6",
  ).replace("</section>", `<p class="foot" id="calibration-foot"></p></section>`);
  const flag = card(
    "flagging",
    `Flagging the top N% by ${w.noun}`,
    `Of the filtered records, the top N% by ${w.noun} are flagged: the share of the filtered ${targetLabel(run).toLowerCase()} events they capture, and the precision (events among the flagged); dashed: flagging at random. Gaps: hidden (${hidden} records on one side).`,
    "span-6",
  ).replace("</section>", `<p class="foot" id="flagging-foot"></p></section>`);
  return cal + flag;
}

/** A rate with its Wilson interval as text, or "hidden". */
function rateText(rate: number | null | undefined, lo?: number, hi?: number): string {
  if (rate == null) return "hidden";
  return lo === undefined || hi === undefined ? formatPct(rate) : `${formatPct(rate)} (${formatPct(lo)}–${formatPct(hi)})`;
}

async function renderCalibration(run: RunSummary, gen: number): Promise<void> {
  const el = document.getElementById("calibration");
  if (!el) return;
  const answer = await fetchCalibration(run.id, filtersObject(), rangesList());
  if (gen !== state.generation) return;
  const w = scoreWords(run);
  const data: CalibrationDatum[] = answer.bins.map((b) => {
    const ci = wilsonBounds(b);
    return {
      label: `${formatPct(b.start)} – ${formatPct(b.end)}`,
      mean: b.mean_score ?? null,
      rate: b.rate ?? null,
      ...ci,
      count: b.count,
      count_text: countText(run, b.count),
      positives_text: countText(run, b.positives),
      rate_text: rateText(b.rate, ci.rate_lo, ci.rate_hi),
      mean_text: b.mean_score == null ? "hidden" : formatPct(b.mean_score),
    };
  });
  el.dataset.bins = String(answer.bins.length);
  tables.set(el.id, {
    columns: [
      `${w.noun}_from`,
      `${w.noun}_to`,
      "records",
      targetLabel(run),
      `mean_${w.noun.replace(/ /g, "_")}`,
      "observed_rate",
      "rate_ci95_low",
      "rate_ci95_high",
    ],
    rows: answer.bins.map((b, i) => [
      b.start,
      b.end,
      countCell(run, b.count),
      countCell(run, b.positives),
      b.mean_score ?? null,
      b.rate ?? null,
      data[i].rate_lo ?? null,
      data[i].rate_hi ?? null,
    ]),
  });
  const shown = answer.bins.filter((b) => b.rate != null).length;
  element("calibration-foot").textContent =
    `${formatInt(shown)} of ${formatInt(answer.bins.length)} bins have a shown rate; scored records under the filters: ${countText(run, answer.total.count)}, with ${countText(run, answer.total.positives)} ${targetLabel(run).toLowerCase()}.`;
  await show(el, (width) => calibrationSpec(data, width, w.title, targetLabel(run)));
}

async function renderFlagging(run: RunSummary, gen: number): Promise<void> {
  const el = document.getElementById("flagging");
  if (!el) return;
  const answer = await fetchFlagging(run.id, filtersObject(), rangesList());
  if (gen !== state.generation) return;
  const series: [string, string] = ["Events captured", "Precision"];
  const data: FlaggingDatum[] = answer.points.flatMap((p) => {
    const common = {
      percent: p.percent,
      flagged_text: countText(run, p.flagged),
      positives_text: countText(run, p.positives),
      captured_text: p.captured === null ? "hidden" : formatPct(p.captured),
      precision_text: p.precision === null ? "hidden" : formatPct(p.precision),
    };
    return [
      { ...common, series: series[0], value: p.captured },
      { ...common, series: series[1], value: p.precision },
    ];
  });
  el.dataset.points = String(answer.points.length);
  tables.set(el.id, {
    columns: ["top_percent_flagged", "flagged_records", `${targetLabel(run)}_among_flagged`, "share_of_events_captured", "precision"],
    rows: answer.points.map((p) => [p.percent, countCell(run, p.flagged), countCell(run, p.positives), p.captured, p.precision]),
  });
  element("flagging-foot").textContent =
    `Ranked among the ${countText(run, answer.total.count)} scored records under the filters (${countText(run, answer.total.positives)} ${targetLabel(run).toLowerCase()}); ties in record order.`;
  await show(el, (w) => flaggingSpec(data, w, series, scoreWords(run).noun));
}

/** What the drill-down shows: the groups of the filtered dimensions, of one chosen dimension, or the records. */
interface DrillState {
  /** "filtered", a dimension key, or "records" (only where the policy allows row-level output). */
  mode: string;
  /** Column index (groups) or column name (records), and direction. */
  sort?: { column: string; desc: boolean };
  page: number;
}
const drill: DrillState = { mode: "filtered", page: 0 };
/** Rows per drill-down page. */
const DRILL_PAGE = 25;

/** The drill-down card: a mode menu, the table and its pager; the table exports as CSV. */
function drillCard(run: RunSummary): string {
  const dims = run.dimensions.filter((d) => d.kind !== "cluster" || run.study === "segments");
  const options: [string, string][] = [
    ...(run.disclosure.row_level ? [["records", "The filtered records"] as [string, string]] : []),
    ["filtered", "Groups of the filtered dimensions"],
    ...dims.map((d): [string, string] => [d.key, `Groups by ${d.label}`]),
  ];
  const note = run.disclosure.row_level
    ? "Record-level output is allowed for this run (disclosure.row_level)."
    : `Records themselves are not shown (disclosure.row_level is off): the table lists the filtered groups, counted as the charts are (${run.disclosure.hidden_label}: hidden).`;
  return `<section class="card span-12" id="card-drill">
    <header><h2>Drill-down</h2><p class="sub" id="drill-sub">${escapeHtml(note)} Click a column to sort.</p>
      <select id="drill-mode" aria-label="What the table lists">${options.map(([v, l]) => `<option value="${escapeHtml(v)}">${escapeHtml(l)}</option>`).join("")}</select>
      <div class="export" data-for="drill"><button type="button" data-export="csv" title="Download the whole table as CSV" aria-label="Download the drill-down table as CSV">CSV</button></div>
    </header>
    <div class="drill" id="drill"></div>
    <div class="pager" id="drill-pager"></div></section>`;
}

function wireDrill(run: RunSummary): void {
  const select = document.getElementById("drill-mode") as HTMLSelectElement | null;
  if (!select) return;
  drill.mode = run.disclosure.row_level ? "records" : "filtered";
  drill.sort = undefined;
  drill.page = 0;
  select.value = drill.mode;
  select.addEventListener("change", () => {
    drill.mode = select.value;
    drill.sort = undefined;
    drill.page = 0;
    void redrawDrill(run);
  });
}

/** Redraws the drill-down alone (a sort, a page or a mode change), keeping the page's ready flag honest. */
async function redrawDrill(run: RunSummary): Promise<void> {
  const gen = state.generation;
  app.dataset.ready = "false";
  try {
    await renderDrill(run, gen, true);
    if (gen === state.generation) app.dataset.ready = "true";
  } catch (e) {
    console.error(`openbeat: ${e instanceof Error ? e.message : String(e)}`);
    app.dataset.ready = "error";
  }
}

/** The last groups answer of the drill-down, sorted and paged on the page (its sort uses shown values only). */
let drillRows: { groups: DimensionView[]; rows: TableRow[] } | undefined;

/** The dimensions the drill-down groups by: the filtered ones (value filters), else the first dimension. */
function drillGroups(run: RunSummary): string[] {
  if (drill.mode !== "filtered") return [drill.mode];
  const filtered = [...state.filters.keys()].filter(
    (k) => run.dimensions.some((d) => d.key === k) || k === run.results.dashboard.areas?.column,
  );
  return filtered.length ? filtered : [run.dimensions.find((d) => d.kind === "category")?.key ?? run.dimensions[0].key];
}

async function renderDrill(run: RunSummary, gen: number, keepPage = false): Promise<void> {
  const el = document.getElementById("drill");
  if (!el) return;
  if (!keepPage) drill.page = 0;
  if (drill.mode === "records") {
    const answer = await fetchRecords(run.id, {
      filters: filtersObject(),
      ranges: rangesList(),
      ...(drill.sort ? { sort: { column: drill.sort.column, desc: drill.sort.desc } } : {}),
      offset: drill.page * DRILL_PAGE,
      limit: DRILL_PAGE,
    });
    if (gen !== state.generation) return;
    drawRecords(run, el, answer);
    return;
  }
  const answer = await fetchTable(run.id, { filters: filtersObject(), ranges: rangesList(), group_by: drillGroups(run) });
  if (gen !== state.generation) return;
  drillRows = answer;
  drawGroups(run, el);
}

/** A sortable column of the groups table: its header and, per row, the cell's text and sort value (null sorts last). */
interface DrillColumn {
  title: string;
  numeric: boolean;
  cell: (r: TableRow) => { text: string; value: number | string | null; hidden?: boolean };
}

function drillColumns(run: RunSummary, groups: DimensionView[]): DrillColumn[] {
  const names = clusterNames(run);
  const hidden = run.disclosure.hidden_label;
  const count = (n: number | null | undefined) => ({ text: n == null ? hidden : formatInt(n), value: n ?? null, hidden: n == null });
  const cols: DrillColumn[] = groups.map((g, i) => ({
    title: dimLabel(run, g.key),
    numeric: false,
    cell: (r) => {
      const label = valueLabel(g.kind, r.keys[i], names.label);
      // Time parts sort in their own order (hour 0..23), categories by name.
      return { text: label, value: typeof r.keys[i] === "number" ? r.keys[i] : label };
    },
  }));
  cols.push({ title: "Records", numeric: true, cell: (r) => count(r.count) });
  if (run.study === "risk") {
    cols.push({ title: targetLabel(run), numeric: true, cell: (r) => count(r.positives) });
    cols.push({
      title: "Rate (95% CI)",
      numeric: true,
      cell: (r) => {
        const ci = wilsonBounds(r);
        return { text: rateText(r.rate, ci.rate_lo, ci.rate_hi), value: r.rate ?? null, hidden: r.rate == null };
      },
    });
    if (run.has_score)
      cols.push({
        title: `Mean ${scoreWords(run).noun}`,
        numeric: true,
        cell: (r) => ({
          text: r.mean_score == null ? "hidden" : formatPct(r.mean_score),
          value: r.mean_score ?? null,
          hidden: r.mean_score == null,
        }),
      });
  }
  return cols;
}

/** Orders rows by a column's shown values (hidden last, whatever the direction), ties in the server's order. */
function sortRows<T>(rows: T[], value: (r: T) => number | string | null, desc: boolean): T[] {
  const indexed = rows.map((r, i) => ({ r, i, v: value(r) }));
  indexed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
    const c = typeof a.v === "number" && typeof b.v === "number" ? a.v - b.v : String(a.v).localeCompare(String(b.v), "en");
    return (desc ? -c : c) || a.i - b.i;
  });
  return indexed.map((x) => x.r);
}

function drawGroups(run: RunSummary, el: HTMLElement): void {
  const answer = drillRows;
  if (!answer) return;
  const cols = drillColumns(run, answer.groups);
  const sortIndex = drill.sort ? Number(drill.sort.column) : -1;
  const rows =
    sortIndex >= 0 && cols[sortIndex] ? sortRows(answer.rows, (r) => cols[sortIndex].cell(r).value, !!drill.sort?.desc) : answer.rows;
  tables.set(el.id, {
    columns: cols.map((c) => c.title),
    rows: rows.map((r) => cols.map((c) => c.cell(r).text)),
  });
  const pages = Math.max(1, Math.ceil(rows.length / DRILL_PAGE));
  drill.page = Math.min(drill.page, pages - 1);
  const page = rows.slice(drill.page * DRILL_PAGE, (drill.page + 1) * DRILL_PAGE);
  drawTable(
    el,
    cols.map((c, i) => ({ title: c.title, numeric: c.numeric, key: String(i) })),
    page.map((r) => cols.map((c) => c.cell(r))),
  );
  el.dataset.rows = String(rows.length);
  drawPager(rows.length, pages, () => {
    drawGroups(run, el);
  });
}

function drawRecords(run: RunSummary, el: HTMLElement, answer: RecordsResponse): void {
  const numeric = new Set(answer.columns.filter((c) => answer.rows.some((r) => typeof r[c] === "number")));
  const text = (v: string | number | boolean | null) =>
    v === null ? "" : typeof v === "number" ? String(Number(v.toPrecision(6))) : String(v);
  tables.set(el.id, { columns: answer.columns, rows: answer.rows.map((r) => answer.columns.map((c) => r[c] ?? null)) });
  drawTable(
    el,
    answer.columns.map((c) => ({ title: c === "_score" ? scoreWords(run).title : c, numeric: numeric.has(c), key: c })),
    answer.rows.map((r) => answer.columns.map((c) => ({ text: text(r[c] ?? null), value: null }))),
  );
  el.dataset.rows = String(answer.total);
  const pages = Math.max(1, Math.ceil(answer.total / DRILL_PAGE));
  drawPager(answer.total, pages, () => void redrawDrill(run));
}

/** Drawings of the drill-down table so far: `data-drawn` on it, so a test can wait for a sort or a page to land. */
let drillDrawn = 0;

/** The table itself; a header click sorts by its column (again: the other way) and redraws. */
function drawTable(
  el: HTMLElement,
  header: { title: string; numeric: boolean; key: string }[],
  cells: { text: string; hidden?: boolean }[][],
): void {
  const arrow = (key: string) => (drill.sort?.column === key ? (drill.sort.desc ? " ▼" : " ▲") : "");
  const sortState = (key: string) => (drill.sort?.column === key ? (drill.sort.desc ? "descending" : "ascending") : "none");
  el.innerHTML = `<table class="drill-table"><thead><tr>${header
    .map(
      (h) =>
        `<th class="${h.numeric ? "num" : ""}" aria-sort="${sortState(h.key)}"><button type="button" data-sort="${escapeHtml(h.key)}">${escapeHtml(h.title)}${arrow(h.key)}</button></th>`,
    )
    .join("")}</tr></thead><tbody>${cells
    .map(
      (row) =>
        `<tr>${row.map((c, i) => `<td class="${header[i].numeric ? "num" : ""}${c.hidden ? " hidden-cell" : ""}">${escapeHtml(c.text)}</td>`).join("")}</tr>`,
    )
    .join("")}</tbody></table>`;
  el.dataset.drawn = String(++drillDrawn);
  el.querySelectorAll<HTMLButtonElement>("th button").forEach((b) => {
    b.addEventListener("click", () => {
      const column = b.dataset.sort ?? "";
      const numeric = header.find((h) => h.key === column)?.numeric ?? false;
      // Numbers sort largest first on the first click, names A to Z.
      drill.sort = drill.sort?.column === column ? { column, desc: !drill.sort.desc } : { column, desc: numeric };
      drill.page = 0;
      const run = state.run;
      if (!run) return;
      if (drill.mode === "records") void redrawDrill(run);
      else drawGroups(run, el);
    });
  });
}

function drawPager(total: number, pages: number, redraw: () => void): void {
  const pager = element("drill-pager");
  const from = total ? drill.page * DRILL_PAGE + 1 : 0;
  const to = Math.min(total, (drill.page + 1) * DRILL_PAGE);
  const what = drill.mode === "records" ? "records" : "groups";
  pager.innerHTML = `<button type="button" data-page="prev" ${drill.page > 0 ? "" : "disabled"}>Previous</button><span class="pages" id="drill-range">${formatInt(from)}–${formatInt(to)} of ${formatInt(total)} ${what} · page ${formatInt(drill.page + 1)} of ${formatInt(pages)}</span><button type="button" data-page="next" ${drill.page < pages - 1 ? "" : "disabled"}>Next</button>`;
  pager.querySelectorAll<HTMLButtonElement>("button").forEach((b) => {
    b.addEventListener("click", () => {
      drill.page = Math.max(0, Math.min(pages - 1, drill.page + (b.dataset.page === "next" ? 1 : -1)));
      redraw();
    });
  });
}
