/**
 * The one categorical palette of openbeat: the report and the dashboard both colour cluster `i` (its position in
 * `results.clusters`) with `CATEGORY_PALETTE[i % length]`. The first eight are Okabe & Ito's colour-blind safe set
 * (Okabe M., Ito K. "Color Universal Design", 2002, https://jfly.uni-koeln.de/color/), reordered so that the first
 * ones stay apart for every common form of colour blindness; the last two extend it for k = 9 and 10.
 */
export const CATEGORY_PALETTE: readonly string[] = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000",
  "#999999",
  "#7f3c8d",
];

/**
 * Colour of the category (cluster) at position `index`, repeating after ten.
 * @param index 0-based position in the run's cluster list
 */
export function categoryColor(index: number): string {
  const n = CATEGORY_PALETTE.length;
  return CATEGORY_PALETTE[((index % n) + n) % n];
}
