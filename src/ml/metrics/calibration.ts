import { compressDenseRows } from "../compress-dense-rows.js";
import { fitLogisticMle, type LogisticInferenceFit } from "../logistic-inference.js";
import { quantileAt } from "../quantile.js";
import { distinctScores, type DistinctScores } from "./distinct-scores.js";

/**
 * Calibration of predicted probabilities against binary outcomes: the Brier score, the logistic calibration
 * line (calibration-in-the-large and slope), the reliability curve over equal-frequency bins and the expected
 * calibration error. `y` holds n labels in {0, 1}, `p` n probabilities in [0, 1].
 * Sources: Van Calster et al., "A calibration hierarchy for risk models was defined: from utopia to empirical
 * data", J Clin Epidemiol 74 (2016) 167–176; Van Calster et al., "Calibration: the Achilles heel of predictive
 * analytics", BMC Medicine 17 (2019) 230; scikit-learn 1.2 `brier_score_loss` and `calibration_curve`.
 */

/** Probabilities are clipped to [EPS, 1 − EPS] before taking logits, as scikit-learn's `log_loss`. */
const EPS = 1e-15;

function checkInputs(y: Float64Array, p: Float64Array, w?: Float64Array): void {
  const n = y.length;
  if (p.length !== n) throw new Error(`invalid p: length ${p.length} (expected ${n})`);
  if (w && w.length !== n) throw new Error(`invalid w: length ${w.length} (expected ${n})`);
  for (let i = 0; i < n; ++i) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`invalid y[${i}]: ${y[i]} (expected 0 or 1)`);
    if (!(p[i] >= 0 && p[i] <= 1)) throw new Error(`invalid p[${i}]: ${p[i]} (expected a probability in [0, 1])`);
    if (w && !(w[i] >= 0 && w[i] < Infinity)) throw new Error(`invalid w[${i}]: ${w[i]} (expected a finite weight ≥ 0)`);
  }
}

/**
 * Brier score Σ wᵢ(yᵢ − pᵢ)² / Σ wᵢ, as `brier_score_loss(y, p, sample_weight=w)`; NaN for empty input or zero
 * total weight.
 * @param y labels in {0, 1}
 * @param p predicted probabilities
 * @param w optional weights (default 1)
 */
export function brierScore(y: Float64Array, p: Float64Array, w?: Float64Array): number {
  checkInputs(y, p, w);
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; ++i) {
    const wi = w ? w[i] : 1;
    const d = y[i] - p[i];
    s += wi * d * d;
    sw += wi;
  }
  return sw > 0 ? s / sw : NaN;
}

/** The logistic calibration line of {@link calibrationLine}. */
export interface CalibrationLine {
  /** Calibration-in-the-large: a in logit P(y = 1) = a + logit(p); 0 when the mean risk is right. */
  intercept: number;
  /** Calibration slope: b in logit P(y = 1) = c + b·logit(p); below 1 when predictions are too extreme. */
  slope: number;
}

/**
 * Logistic recalibration (Van Calster et al. 2016, 2019; Cox 1958): the slope is the coefficient of logit(p) in
 * an unpenalized logistic regression of y on logit(p) with an intercept, and the intercept is
 * calibration-in-the-large, the intercept of the logistic model with logit(p) as offset (slope fixed at 1).
 * Both equal statsmodels `GLM(y, …, Binomial(), offset=…, freq_weights=w)`. Probabilities are clipped to
 * [1e−15, 1 − 1e−15] before the logit. Either value is NaN when its maximum-likelihood estimate does not exist
 * (a single class, or logit(p) separating the classes).
 * @param y labels in {0, 1}
 * @param p predicted probabilities
 * @param w optional frequency weights (default 1)
 */
export function calibrationLine(y: Float64Array, p: Float64Array, w?: Float64Array): CalibrationLine {
  checkInputs(y, p, w);
  const n = y.length;
  const lp = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const pi = Math.min(Math.max(p[i], EPS), 1 - EPS);
    lp[i] = Math.log(pi) - Math.log1p(-pi);
  }
  const { large, line } = calibrationFits(y, lp, w);
  return {
    intercept: large.converged ? large.intercept : NaN,
    slope: line.converged && line.aliased.length === 0 ? line.coef[0] : NaN,
  };
}

/** The two maximum-likelihood fits behind the calibration line, see {@link calibrationFits}. */
export interface CalibrationFits {
  /** logit P(y = 1) = a + lp (lp as offset): calibration-in-the-large is its intercept. */
  large: LogisticInferenceFit;
  /** logit P(y = 1) = c + b·lp: the calibration slope is its coefficient. */
  line: LogisticInferenceFit;
  /** Distinct (lp, y) pairs the fits ran over. */
  distinct: number;
}

/**
 * The calibration-in-the-large and calibration-slope fits of {@link calibrationLine} for logit scores `lp`, run
 * over the distinct (lpᵢ, yᵢ) pairs with their summed weights as frequency weights. The log-likelihood, score and
 * information of a weighted distinct pair are those of the rows it stands for summed, so the estimates are the
 * maximum-likelihood ones of all n rows (up to the order of floating-point sums); a model fitted on a one-hot design
 * gives one score per pattern and fold, so out-of-fold scores of a million rows shrink to a few thousand pairs.
 * Pairs merge when their values are equal (−0 = 0), in the order they first occur.
 * @param y labels in {0, 1}
 * @param lp logit scores (finite)
 * @param w optional frequency weights (default 1)
 */
export function calibrationFits(y: Float64Array, lp: Float64Array, w?: Float64Array): CalibrationFits {
  const n = y.length;
  const pairs = new Float64Array(2 * n);
  for (let i = 0; i < n; ++i) {
    pairs[2 * i] = lp[i];
    pairs[2 * i + 1] = y[i];
  }
  const c = compressDenseRows({ rows: n, cols: 2, data: pairs });
  const m = c.X.rows;
  let weight = c.weight;
  if (w) {
    weight = new Float64Array(m);
    for (let i = 0; i < n; ++i) weight[c.index[i]] += w[i];
  }
  const lpd = new Float64Array(m);
  const yd = new Float64Array(m);
  for (let g = 0; g < m; ++g) {
    lpd[g] = c.X.data[2 * g];
    yd[g] = c.X.data[2 * g + 1];
  }
  const large = fitLogisticMle({ rows: m, cols: 0, data: new Float64Array(0) }, yd, { sampleWeight: weight, offset: lpd });
  const line = fitLogisticMle({ rows: m, cols: 1, data: lpd }, yd, { sampleWeight: weight });
  return { large, line, distinct: m };
}

/**
 * {@link calibrationFits} of probabilities `p` (logits of p clipped to [1e−15, 1 − 1e−15]), with the logit taken
 * once per distinct probability: the same distinct (logit, y) pairs in the same order, so the same fits.
 * @param y labels in {0, 1}
 * @param p predicted probabilities
 * @param distinct `distinctScores(p)`, when the caller has it
 */
export function calibrationFitsOfProbabilities(y: Float64Array, p: Float64Array, distinct?: DistinctScores): CalibrationFits {
  checkInputs(y, p);
  const n = y.length;
  const { values, index: id } = distinct ?? distinctScores(p);
  // Distinct probabilities can share a logit (clipping, rounding): pairs merge on the logit's value, as before.
  const lpIds = new Map<number, number>();
  const lpOf = new Int32Array(values.length);
  const lps: number[] = [];
  for (let d = 0; d < values.length; ++d) {
    const c = Math.min(Math.max(values[d], EPS), 1 - EPS);
    const lp = Math.log(c) - Math.log1p(-c);
    let k = lpIds.get(lp);
    if (k === undefined) {
      k = lps.length;
      lpIds.set(lp, k);
      lps.push(lp);
    }
    lpOf[d] = k;
  }
  const group = new Int32Array(2 * lps.length).fill(-1);
  const lpd: number[] = [];
  const yd: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < n; ++i) {
    const key = 2 * lpOf[id[i]] + y[i];
    let g = group[key];
    if (g < 0) {
      g = group[key] = lpd.length;
      lpd.push(lps[lpOf[id[i]]]);
      yd.push(y[i]);
      weight.push(0);
    }
    weight[g] += 1;
  }
  const m = lpd.length;
  const offset = Float64Array.from(lpd);
  const labels = Float64Array.from(yd);
  const sampleWeight = Float64Array.from(weight);
  const large = fitLogisticMle({ rows: m, cols: 0, data: new Float64Array(0) }, labels, { sampleWeight, offset });
  const line = fitLogisticMle({ rows: m, cols: 1, data: Float64Array.from(lpd) }, labels, { sampleWeight });
  return { large, line, distinct: m };
}

/** One bin of {@link reliabilityCurve}. */
export interface ReliabilityBin {
  /** Bin number, 1 (lowest predictions) to `bins`. */
  bin: number;
  /** Rows in the bin. */
  n: number;
  /** Mean predicted probability in the bin. */
  mean_predicted: number;
  /** Observed positive rate in the bin. */
  observed: number;
}

/**
 * Reliability curve over equal-frequency bins of p (deciles by default), as scikit-learn's
 * `calibration_curve(y, p, n_bins=bins, strategy="quantile")`: bin edges are numpy percentiles of p, a row goes
 * to the bin given by the number of inner edges strictly below its p, and empty bins (ties at an edge) are left
 * out; each bin also carries its count.
 * @param y labels in {0, 1}
 * @param p predicted probabilities
 * @param bins number of bins (default 10)
 * @param distinct `distinctScores(p)`, when the caller has it
 */
export function reliabilityCurve(y: Float64Array, p: Float64Array, bins = 10, distinct?: DistinctScores): ReliabilityBin[] {
  checkInputs(y, p);
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`invalid bins: ${bins} (expected an integer ≥ 1)`);
  const n = y.length;
  if (n === 0) return [];
  // The edges are quantiles of p: read from its distinct values with their counts rather than a sort of all n.
  const { values: sortedValues, counts, index } = distinct ?? distinctScores(p);
  const ends = new Float64Array(counts.length);
  let seen = 0;
  counts.forEach((c, k) => (ends[k] = seen += c));
  /** The value at position `i` of p sorted ascending: the first distinct value whose rows end after i. */
  const at = (i: number): number => {
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] > i) hi = mid;
      else lo = mid + 1;
    }
    return sortedValues[lo];
  };
  // numpy builds the edges as percentile(p, linspace(0, 1, bins + 1) * 100), and percentile divides by 100 again.
  const step = 1 / bins;
  const inner = new Float64Array(bins - 1);
  for (let k = 1; k < bins; ++k) inner[k - 1] = quantileAt(n, at, (k * step * 100) / 100);
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  // A row's bin is its score's (the number of inner edges below it), found once per distinct score; the sums
  // still run over the rows in order.
  const binOf = new Int32Array(sortedValues.length);
  for (let d = 0; d < sortedValues.length; ++d) {
    const v = sortedValues[d];
    let lo = 0;
    let hi = inner.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (inner[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    binOf[d] = lo;
  }
  for (let i = 0; i < n; ++i) {
    const b = binOf[index[i]];
    count[b] += 1;
    sumP[b] += p[i];
    sumY[b] += y[i];
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; ++b) {
    if (count[b] === 0) continue;
    out.push({ bin: b + 1, n: count[b], mean_predicted: sumP[b] / count[b], observed: sumY[b] / count[b] });
  }
  return out;
}

/**
 * Expected calibration error: the count-weighted mean of |observed − mean_predicted| over the bins of
 * {@link reliabilityCurve} (Naeini, Cooper & Hauskrecht 2015, with equal-frequency bins). NaN for empty input.
 * @param y labels in {0, 1}
 * @param p predicted probabilities
 * @param bins number of bins (default 10)
 */
export function expectedCalibrationError(y: Float64Array, p: Float64Array, bins = 10): number {
  return curveCalibrationError(reliabilityCurve(y, p, bins));
}

/** {@link expectedCalibrationError} of a reliability curve already computed. */
export function curveCalibrationError(curve: readonly ReliabilityBin[]): number {
  let s = 0;
  let total = 0;
  for (const b of curve) {
    s += b.n * Math.abs(b.observed - b.mean_predicted);
    total += b.n;
  }
  return total > 0 ? s / total : NaN;
}
