import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layering of src/ (see docs/architecture.md): each folder may import only the folders listed for it, and no
 * file imports itself through a cycle. Type-only imports count too: a type from a higher layer is a dependency on it.
 */
const ALLOWED: Record<string, string[]> = {
  util: [],
  results: ["util"],
  ml: ["util"],
  features: ["ml", "util"],
  data: ["results", "util"],
  disclosure: ["results", "util"],
  report: ["disclosure", "results", "util"],
  synthetic: ["util"],
  studies: ["data", "disclosure", "features", "ml", "report", "results", "util"],
  server: ["data", "disclosure", "report", "results", "util"],
  cli: ["data", "disclosure", "report", "results", "server", "studies", "synthetic", "util"],
};

const SRC = resolve("src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Relative imports of a file, resolved to .ts paths. */
function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/g),
    ...text.matchAll(/import\(\s*"([^"]+)"\s*\)/g),
  ].map((m) => m[1]);
  return specs.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s.replace(/\.js$/, ".ts")));
}

const layerOf = (file: string) => {
  const rel = relative(SRC, file).split("/");
  return rel.length === 1 ? "(root)" : rel[0];
};

const all = files(SRC);
const graph = new Map(all.map((f) => [f, imports(f)]));

describe("architecture: src/ layers", () => {
  it("every relative import resolves to a file of src/", () => {
    const missing = [...graph].flatMap(([f, deps]) =>
      deps.filter((d) => !graph.has(d)).map((d) => `${relative(SRC, f)} -> ${relative(SRC, d)}`),
    );
    expect(missing).toEqual([]);
  });

  it("every folder imports only the layers below it", () => {
    const bad: string[] = [];
    for (const [file, deps] of graph) {
      const from = layerOf(file);
      if (from === "(root)") continue;
      const allowed = ALLOWED[from] as string[] | undefined;
      if (!allowed) {
        bad.push(`${relative(SRC, file)}: folder "${from}" has no layer; add it to ALLOWED and docs/architecture.md`);
        continue;
      }
      for (const d of deps) {
        const to = layerOf(d);
        if (to !== from && !allowed.includes(to)) bad.push(`${relative(SRC, file)} imports ${relative(SRC, d)} (${from} -> ${to})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("has no import cycle", () => {
    // Tarjan's strongly connected components over the file graph.
    let index = 0;
    const stack: string[] = [];
    const on = new Set<string>();
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string | undefined;
        do {
          w = stack.pop();
          if (w === undefined) break;
          on.delete(w);
          scc.push(relative(SRC, w));
        } while (w !== v);
        if (scc.length > 1) cycles.push(scc.sort());
      }
    };
    for (const v of graph.keys()) if (!idx.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });

  it("nothing imports cli/ or server/ except the layers above them, and src/ never imports web/", () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      deps
        .filter((d) => {
          const to = layerOf(d);
          const from = layerOf(f);
          return (
            (to === "cli" && from !== "cli") ||
            (to === "server" && !["server", "cli"].includes(from)) ||
            relative(SRC, d).startsWith("../web")
          );
        })
        .map((d) => `${relative(SRC, f)} -> ${relative(SRC, d)}`),
    );
    expect(bad).toEqual([]);
  });

  it("the check sees real imports (the graph is not empty and holds a known edge)", () => {
    const runStudy = join(SRC, "studies", "run-study.ts");
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get(runStudy)).toContain(join(SRC, "studies", "registry.ts"));
  });
});
