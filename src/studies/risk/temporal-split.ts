import { temporalSplit, type Split, type TemporalSplitOptions } from "../../ml/model-selection.js";
import { mapFloat64, mapInt32 } from "../../util/typed-arrays.js";

/**
 * A temporal split of the rows that have a time; rows without one (NaN) are in neither set and counted, since
 * they cannot be placed before or after the cut.
 * @param times timestamps per row (NaN = missing)
 * @param options testFrom, or testSize, as {@link temporalSplit}
 */
export function temporalSplitDated(times: Float64Array, options: TemporalSplitOptions): { split: Split; undated: number } {
  const dated: number[] = [];
  for (let i = 0; i < times.length; ++i) if (!Number.isNaN(times[i])) dated.push(i);
  const inner = temporalSplit(
    mapFloat64(dated, (i) => times[i]),
    options,
  );
  return {
    split: { train: mapInt32(inner.train, (k) => dated[k]), test: mapInt32(inner.test, (k) => dated[k]) },
    undated: times.length - dated.length,
  };
}
