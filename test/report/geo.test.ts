import { describe, expect, it } from "vitest";
import { labelPoint } from "../../src/report/geo.js";

describe("labelPoint(geometry)", () => {
  it("is the centroid of the largest exterior ring, whichever way it is wound", () => {
    const square = [
      [0, 0],
      [0, 2],
      [2, 2],
      [2, 0],
      [0, 0],
    ];
    expect(labelPoint({ type: "Polygon", coordinates: [square] })).toEqual([1, 1]);
    expect(labelPoint({ type: "Polygon", coordinates: [[...square].reverse()] })).toEqual([1, 1]);
    // An L shape: its centroid is pulled toward the longer arm, not the bounding box's centre.
    const l = [
      [0, 0],
      [0, 3],
      [1, 3],
      [1, 1],
      [3, 1],
      [3, 0],
      [0, 0],
    ];
    const [x, y] = labelPoint({ type: "Polygon", coordinates: [l] });
    expect(x).toBeCloseTo(1.1, 10);
    expect(y).toBeCloseTo(1.1, 10);
    const small = [
      [10, 10],
      [10, 10.5],
      [10.5, 10.5],
      [10.5, 10],
      [10, 10],
    ];
    expect(labelPoint({ type: "MultiPolygon", coordinates: [[small], [square]] })).toEqual([1, 1]);
  });
});
