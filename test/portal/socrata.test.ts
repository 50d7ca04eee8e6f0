import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Db } from "../../src/data/Db.js";
import { sha256File } from "../../src/data/file-hash.js";
import { fetchSource, parseCsv, readMeta, resolvePortalSources, socrataPageUrl } from "../../src/data/portal/index.js";
import type { SourceSpec } from "../../src/data/sources/source-spec.js";
import { Logger } from "../../src/util/logger.js";
import { type Dataset, type TestPortal, offsetsAsked, readDataset, startPortal } from "./portal-server.js";

const lmpd = "../shared/data/lmpd-assaulted-officers/AssaultedOfficerData.csv";
const present = existsSync(lmpd);
if (process.env.CI && !present) throw new Error(`${lmpd} is missing`);

describe("socrataPageUrl(spec, offset, limit)", () => {
  it("orders by :id by default and encodes SoQL", () => {
    const u = new URL(socrataPageUrl({ domain: "data.example.gov", dataset: "abcd-1234", where: "year > 2019" }, 2000, 1000));
    expect(u.origin + u.pathname).toBe("https://data.example.gov/resource/abcd-1234.json");
    expect(Object.fromEntries(u.searchParams)).toEqual({ $where: "year > 2019", $order: ":id", $limit: "1000", $offset: "2000" });
  });
});

describe.skipIf(!present && !process.env.CI)("fetchSource with a Socrata dataset (LMPD assaulted officers, 5,393 rows)", () => {
  let ds: Dataset;
  let portal: TestPortal;
  let cacheDir: string;
  const sleeps: number[] = [];
  const retry = {
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  };
  const spec = (): SourceSpec => ({ socrata: { domain: portal.origin, dataset: "abcd-1234", page_size: 1000 } });

  beforeAll(async () => {
    ds = readDataset(lmpd);
    portal = await startPortal({ dataset: ds });
    cacheDir = await mkdtemp(join(tmpdir(), "openbeat-socrata-"));
  });
  afterAll(async () => {
    await portal.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("pages through every row, retrying 500, 429, a cut-off page and an early empty page at the failed offset", async () => {
    expect(ds.rows.length).toBe(5393);
    portal.faults.set("socrata:1000", [{ kind: "empty" }]);
    portal.faults.set("socrata:2000", [{ kind: "status", status: 500 }]);
    portal.faults.set("socrata:3000", [{ kind: "status", status: 429, retryAfter: "7" }]);
    portal.faults.set("socrata:4000", [{ kind: "truncate" }]);
    const progress = new PassThrough();
    let progressText = "";
    progress.on("data", (b: Buffer) => {
      progressText += b.toString();
    });
    const logger = new Logger({ silent: true });
    const r = await fetchSource("assaults", spec(), { cacheDir, logger, progress, retry });

    expect(r.fromCache).toBe(false);
    expect(r.meta.rows).toBe(5393);
    expect(r.meta.expected_rows).toBe(5393);
    expect(r.meta.retries).toBe(4);
    expect(offsetsAsked(portal, "$offset")).toEqual([0, 1000, 1000, 2000, 2000, 3000, 3000, 4000, 4000, 5000]);
    expect(sleeps).toContain(7000);
    expect(sleeps.length).toBe(4);

    const out = parseCsv(readFileSync(r.path, "utf8"));
    expect(out[0]).toEqual(ds.header);
    expect(out.length - 1).toBe(5393);
    expect(out.slice(1).map((row) => row[1])).toEqual(ds.rows.map((row) => row[1]));
    expect(out[5393]).toEqual(ds.rows[5392]);

    expect(r.meta.sha256).toBe(await sha256File(r.path));
    expect(r.meta.columns.find((c) => c.name === "ID")?.type).toBe("number");
    expect(r.meta.columns.find((c) => c.name === "INCIDENT_NUMBER")?.type).toBe("text");
    expect(r.meta.urls[0]).toContain("%24offset=0");
    expect(await readMeta(join(cacheDir, "assaults.meta.json"))).toEqual(r.meta);
    expect(progressText.trim().split("\n").at(-1)).toBe("portal: assaults: 5,393 / 5,393 rows");
    expect(logger.warnings).toEqual([]);

    const db = await Db.open();
    const [{ n, blanks }] = await db.query(
      `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE OFFENSE_ZIP IS NULL)::INTEGER AS blanks FROM read_csv('${r.path}')`,
    );
    expect(n).toBe(5393);
    expect(blanks).toBe(86);
    await db.close();
  });

  it("answers from the cache without a request, and --refresh reports a changed column set", async () => {
    const before = portal.requests.length;
    const cached = await fetchSource("assaults", spec(), { cacheDir, progress: false, retry });
    expect(cached.fromCache).toBe(true);
    expect(portal.requests.length).toBe(before);

    const drop = ds.header.indexOf("OFFENSE_ZIP");
    const beat = ds.header.indexOf("ID");
    portal.options = {
      dataset: {
        header: [...ds.header.filter((_, j) => j !== drop), "REPORT_SOURCE"],
        rows: ds.rows.map((r) => [...r.map((v, j) => (j === beat ? `B${v}` : v)).filter((_, j) => j !== drop), "web"]),
      },
    };
    const logger = new Logger({ silent: true });
    const r = await fetchSource("assaults", spec(), { cacheDir, refresh: true, logger, progress: false, retry });
    expect(r.fromCache).toBe(false);
    expect(r.meta.rows).toBe(5393);
    expect(r.schemaChanges).toEqual({
      added: ["REPORT_SOURCE"],
      removed: ["OFFENSE_ZIP"],
      retyped: [{ name: "ID", from: "number", to: "text" }],
    });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatchObject({ code: "portal.schema_change", added: ["REPORT_SOURCE"], removed: ["OFFENSE_ZIP"] });
    expect(logger.warnings[0].message).toContain("OFFENSE_ZIP");
    portal.options = { dataset: ds };
  });

  it("resolvePortalSources turns portal sources into cached file sources and leaves files alone", async () => {
    const studyFile = join(cacheDir, "study.yaml");
    const { sources, fetched } = await resolvePortalSources(
      { sources: { a: { ...spec(), timestamp_format: "%m/%d/%Y %H:%M" }, local: { path: "x.csv" } }, cache_dir: "cache" },
      { studyFile, progress: false, retry },
    );
    expect(sources.local).toEqual({ path: "x.csv" });
    expect(sources.a).toEqual({ path: join(cacheDir, "cache", "a.csv"), format: "csv", timestamp_format: "%m/%d/%Y %H:%M" });
    expect(fetched.a.meta.rows).toBe(5393);
    expect(Object.keys(fetched)).toEqual(["a"]);
  });
});
