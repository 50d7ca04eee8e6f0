import { writeFileSync } from "node:fs";

/** A polygon ring as [x, y] pairs (closed: first point repeated last). */
export type Ring = [number, number][];

/**
 * Writes a tiny polygon shapefile (.shp, .dbf, optional .prj) for tests: one ring per record and DBF fields
 * `Name` C(20) and `Pop` N(16,6), right-padded text as real exports have it.
 */
export function writePolygonShapefile(stem: string, records: { name: string; pop: number | null; ring: Ring }[], prj?: string): void {
  const contents = records.map(({ ring }) => {
    const b = Buffer.alloc(44 + 4 + 16 * ring.length);
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    b.writeInt32LE(5, 0);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => b.writeDoubleLE(v, 4 + 8 * i));
    b.writeInt32LE(1, 36);
    b.writeInt32LE(ring.length, 40);
    b.writeInt32LE(0, 44);
    ring.forEach(([x, y], i) => {
      b.writeDoubleLE(x, 48 + 16 * i);
      b.writeDoubleLE(y, 56 + 16 * i);
    });
    return b;
  });
  const all = records.flatMap((r) => r.ring);
  const header = Buffer.alloc(100);
  header.writeInt32BE(9994, 0);
  header.writeInt32BE((100 + contents.reduce((s, c) => s + 8 + c.length, 0)) / 2, 24);
  header.writeInt32LE(1000, 28);
  header.writeInt32LE(5, 32);
  [
    Math.min(...all.map((p) => p[0])),
    Math.min(...all.map((p) => p[1])),
    Math.max(...all.map((p) => p[0])),
    Math.max(...all.map((p) => p[1])),
  ].forEach((v, i) => header.writeDoubleLE(v, 36 + 8 * i));
  const parts = [header];
  contents.forEach((c, i) => {
    const rh = Buffer.alloc(8);
    rh.writeInt32BE(i + 1, 0);
    rh.writeInt32BE(c.length / 2, 4);
    parts.push(rh, c);
  });
  writeFileSync(`${stem}.shp`, Buffer.concat(parts));

  const fields = [
    { name: "Name", type: "C", length: 20, decimals: 0 },
    { name: "Pop", type: "N", length: 16, decimals: 6 },
  ];
  const recordLength = 1 + fields.reduce((s, f) => s + f.length, 0);
  const head = Buffer.alloc(32 + 32 * fields.length + 1);
  head.writeUInt8(3, 0);
  head.writeUInt8(124, 1);
  head.writeUInt8(1, 2);
  head.writeUInt8(1, 3);
  head.writeUInt32LE(records.length, 4);
  head.writeUInt16LE(head.length, 8);
  head.writeUInt16LE(recordLength, 10);
  fields.forEach((f, i) => {
    const o = 32 + 32 * i;
    head.write(f.name, o, "latin1");
    head.write(f.type, o + 11, "latin1");
    head.writeUInt8(f.length, o + 16);
    head.writeUInt8(f.decimals, o + 17);
  });
  head.writeUInt8(0x0d, head.length - 1);
  const body = records.map((r) => {
    const pop = r.pop === null ? "" : r.pop.toFixed(6);
    return Buffer.from(" " + r.name.padEnd(20).slice(0, 20) + pop.padStart(16), "latin1");
  });
  writeFileSync(`${stem}.dbf`, Buffer.concat([head, ...body, Buffer.from([0x1a])]));
  if (prj !== undefined) writeFileSync(`${stem}.prj`, prj);
}
