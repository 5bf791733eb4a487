/**
 * Before/after check for refactors: runs two builds of the benchmark alternately against one
 * fresh valkey-server and prints, per case, the median client CPU seconds per million requests
 * (user + sys of the benchmark process, from its rusage) and the request counts, which must be
 * identical. Wall-clock numbers are left out on purpose: on a shared machine they are noise.
 *
 *   bun scripts/compare-binaries.ts BEFORE_BINARY AFTER_BINARY [--rounds 3] [--port 40010]
 */
import { rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv.splice(i, 2)[1]! : dflt;
};
const rounds = Number(opt("--rounds", "3"));
const port = Number(opt("--port", "40010"));
const [before, after] = argv;
if (!before || !after) {
  console.error("usage: bun scripts/compare-binaries.ts BEFORE_BINARY AFTER_BINARY [--rounds 3] [--port 40010]");
  process.exit(2);
}

const CASES: { name: string; args: string[] }[] = [
  { name: "ping_mbulk -P 1 -c 50 -n 200k", args: ["-t", "ping_mbulk", "-c", "50", "-n", "200000"] },
  { name: "set -P 1 -c 50 -n 100k -r 100k", args: ["-t", "set", "-c", "50", "-n", "100000", "-r", "100000"] },
  { name: "get -P 16 -c 50 -n 500k -r 100k", args: ["-t", "get", "-c", "50", "-n", "500000", "-r", "100000", "-P", "16"] },
  { name: "set -P 16 --threads 2 -n 500k", args: ["-t", "set", "-c", "50", "-n", "500000", "-r", "100000", "-P", "16", "--threads", "2"] },
  { name: "get --rps 20000 -c 20 -n 40k", args: ["-t", "get", "-c", "20", "-n", "40000", "-r", "100000", "--rps", "20000"] },
];

interface Sample {
  cpuSec: number;
  counts: string;
}

async function runOnce(bin: string, args: string[]): Promise<Sample> {
  const p = Bun.spawn([bin, "-p", String(port), "--output-format", "json", ...args], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  const code = await p.exited;
  if (code !== 0) throw new Error(`${bin} ${args.join(" ")} exited ${code}: ${await new Response(p.stderr).text()}`);
  const usage = p.resourceUsage();
  const cpuSec = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : NaN;
  const doc = JSON.parse(out) as { tests: { requests: { issued: number; completed: number; errors: number } }[] };
  const counts = doc.tests.map(({ requests: r }) => `${r.issued}/${r.completed}/${r.errors}`).join(" ");
  return { cpuSec, counts };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), "compare-binaries-"));
const server = Bun.spawn(["valkey-server", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir], { stdout: "ignore", stderr: "ignore" });
try {
  await Bun.sleep(300);
  console.log("| case | before CPU-s/Mreq | after CPU-s/Mreq | after/before | issued/completed/errors before | after |");
  console.log("|---|---|---|---|---|---|");
  for (const c of CASES) {
    const requests = Number(c.args[c.args.indexOf("-n") + 1]);
    const b: Sample[] = [];
    const a: Sample[] = [];
    for (let r = 0; r < rounds; r++) {
      b.push(await runOnce(before, c.args));
      a.push(await runOnce(after, c.args));
    }
    const perM = (s: Sample[]) => median(s.map((x) => x.cpuSec)) / (requests / 1e6);
    const bc = perM(b);
    const ac = perM(a);
    const countsB = [...new Set(b.map((x) => x.counts))].join(", ");
    const countsA = [...new Set(a.map((x) => x.counts))].join(", ");
    console.log(`| ${c.name} | ${bc.toFixed(2)} | ${ac.toFixed(2)} | ${(ac / bc).toFixed(2)} | ${countsB} | ${countsA} |`);
  }
} finally {
  server.kill();
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}
