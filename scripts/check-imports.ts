/**
 * The import-direction check (scripts/test.sh runs it before the tests): reads every relative
 * import of src/ and scripts/ (static, `export ... from`, dynamic `import()`; type-only imports
 * too) and fails, naming each offender, when
 * - a file imports a file of a higher layer (LAYERS below, docs/architecture.md), or
 * - files import each other in a cycle, or
 * - a script imports from test/ (beyond the known exceptions listed below).
 *
 *   bun scripts/check-imports.ts        # exit 0 and a one-line summary, or exit 1 and the list
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/**
 * Lowest first. A file may import files of its own layer or of lower ones. Paths are matched by
 * their longest listed prefix; a file no prefix matches is an error (add it here).
 */
const LAYERS: string[][] = [
  ["src/errors.ts", "src/log.ts", "src/stdio.ts", "src/stop-signals.ts", "src/worker-url.ts"],
  ["src/resp/"],
  ["src/metrics/"],
  ["src/config/"],
  ["src/net/", "src/dataset/"],
  ["src/cluster/"],
  ["src/report/", "src/results/"],
  ["src/engine/"],
  ["src/workload/", "src/search/"],
  ["src/workloads/"],
  ["src/server-metrics-session.ts", "src/run-benchmark.ts"],
  ["src/cli/", "src/optimize/", "src/subcommands.ts"],
  ["src/main.ts", "src/worker.ts"],
  ["scripts/"],
];

/**
 * Scripts that start test servers by hand reuse the test harness (test/support/) on purpose;
 * no other import from test/ is allowed.
 */
const SCRIPT_TEST_IMPORTS = new Set(["scripts/fault-injection.ts", "scripts/lib/servers.ts", "scripts/search-server.ts", "scripts/soak.ts"]);

const root = join(import.meta.dir, "..");
const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

function layerOf(path: string): number {
  let best = -1;
  let bestLength = 0;
  LAYERS.forEach((prefixes, layer) => {
    for (const p of prefixes) if (path.startsWith(p) && p.length > bestLength) [best, bestLength] = [layer, p.length];
  });
  return best;
}

/** Strips comments so commented-out or documented imports are not read as imports. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

const files = [...sourceFiles("src"), ...sourceFiles("scripts")];
const graph = new Map<string, string[]>();
const problems: string[] = [];
for (const file of files) {
  const targets: string[] = [];
  for (const m of code(readFileSync(join(root, file), "utf8")).matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    const target = relative(root, normalize(join(root, dirname(file), spec)));
    if (!target.endsWith(".ts")) continue; // package.json, assets
    if (target.startsWith("test/")) {
      if (!SCRIPT_TEST_IMPORTS.has(file)) problems.push(`${file} imports ${target}: code outside test/ must not depend on the tests`);
      continue;
    }
    targets.push(target);
    const from = layerOf(file);
    const to = layerOf(target);
    if (from < 0) problems.push(`${file} is in no layer: add its folder to LAYERS in scripts/check-imports.ts and to docs/architecture.md`);
    else if (to > from) problems.push(`${file} imports ${target}, a higher layer (${LAYERS[to]!.join(" ")} is above ${LAYERS[from]!.join(" ")})`);
  }
  graph.set(file, targets);
}

// Cycles: strongly connected components of more than one file (Tarjan).
let counter = 0;
const index = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
function visit(v: string): void {
  index.set(v, counter);
  low.set(v, counter++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
  }
  if (low.get(v) === index.get(v)) {
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) problems.push(`import cycle: ${component.sort().join(" <-> ")}`);
  }
}
for (const f of graph.keys()) if (!index.has(f)) visit(f);

if (problems.length > 0) {
  console.error(`import check: ${problems.length} problem(s) (layers and rules: docs/architecture.md)`);
  for (const p of [...new Set(problems)]) console.error(`  ${p}`);
  process.exit(1);
}
const edges = [...graph.values()].reduce((n, t) => n + t.length, 0);
console.log(`import check: ${files.length} files, ${edges} imports, no cycle, no upward import`);
