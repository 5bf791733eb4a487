/** Combines the per-worker results of one test into the TestResult the reports print. */
import type { Deployment } from "../cluster/discovery.ts";
import type { BenchConfig } from "../config/types.ts";
import { createLatencyHistogram, encodeHistogram, mergeEncodedInto } from "../metrics/histogram.ts";
import { connectionsPerNode, imbalanceOf, type NodeResult } from "../metrics/node-results.ts";
import type { TestResult } from "../metrics/types.ts";
import type { WorkerResult } from "./messages.ts";
import type { NodeAssignment, WorkloadCatalog } from "./workload-api.ts";

export function mergeResults(
  title: string,
  parts: WorkerResult[],
  config: BenchConfig,
  workers: number,
  wallStartMs: number,
  nodes: NodeAssignment[],
  deployment: Deployment,
  workloadKind: string,
  catalog: WorkloadCatalog,
): TestResult {
  const hist = createLatencyHistogram(config.precision);
  let issued = 0;
  let completed = 0;
  let errors = 0;
  const errorsByType: Record<string, number> = {};
  const redirects: Record<string, number> = {};
  const retried: Record<string, number> = {};
  let start = Infinity;
  let end = 0;
  const perNode = new Map<string, { role?: "primary" | "replica"; completed: number; errors: number; redirects: number; hist: ReturnType<typeof createLatencyHistogram> }>();
  for (const p of parts) {
    issued += p.issued;
    completed += p.completed;
    errors += p.errors;
    for (const [k, v] of Object.entries(p.errorsByType)) errorsByType[k] = (errorsByType[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.redirects)) redirects[k] = (redirects[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.retried ?? {})) retried[k] = (retried[k] ?? 0) + v;
    mergeEncodedInto(hist, p.histogram);
    for (const [address, n] of Object.entries(p.perNode)) {
      let acc = perNode.get(address);
      if (!acc) {
        acc = { completed: 0, errors: 0, redirects: 0, hist: createLatencyHistogram(config.precision) };
        perNode.set(address, acc);
      }
      acc.role = n.role ?? acc.role;
      acc.completed += n.completed;
      acc.errors += n.errors;
      acc.redirects += n.redirects;
      mergeEncodedInto(acc.hist, n.histogram);
    }
    if (p.issued > 0) {
      start = Math.min(start, p.startedAtMs);
      end = Math.max(end, p.finishedAtMs);
    }
  }
  if (start === Infinity) start = end = wallStartMs;
  const durationSec = Math.max(0, (end - start) / 1000);
  const result: TestResult = {
    title,
    issued,
    completed,
    errors,
    errorsByType,
    durationSec,
    // Successful replies only: a failing server must not look fast (errors have their own rate).
    throughput: durationSec > 0 ? completed / durationSec : 0,
    errorRate: durationSec > 0 ? errors / durationSec : 0,
    latencyUs: hist,
    clients: config.clients,
    dataSize: config.dataSize,
    threads: workers,
    keepalive: config.keepalive,
  };
  if (config.rps > 0) result.rate = { targetRps: config.rps, achievedRps: result.throughput };
  // Per-node table: every node that served the test, plus any that redirects led to.
  const known = new Map(deployment.nodes.map((n) => [n.address, n]));
  const addresses = [...new Set([...nodes.map((n) => n.address), ...perNode.keys()])];
  const nodeResults: NodeResult[] = addresses.map((address) => {
    const acc = perNode.get(address);
    const d = known.get(address);
    const role = acc?.role ?? d?.role ?? nodes.find((n) => n.address === address)?.role ?? "primary";
    return {
      address,
      role,
      az: d?.az,
      completed: acc?.completed ?? 0,
      errors: acc?.errors ?? 0,
      redirects: acc?.redirects ?? 0,
      throughput: durationSec > 0 && acc ? acc.completed / durationSec : 0,
      p50Ms: acc && acc.hist.totalCount > 0 ? acc.hist.getValueAtPercentile(50) / 1000 : 0,
      p99Ms: acc && acc.hist.totalCount > 0 ? acc.hist.getValueAtPercentile(99) / 1000 : 0,
      ...(acc ? { histogram: encodeHistogram(acc.hist) } : {}),
    };
  });
  for (const acc of perNode.values()) acc.hist.destroy?.();
  const extra: Record<string, unknown> = {};
  if (deployment.mode === "cluster" || nodeResults.length > 1) {
    extra.nodes = nodeResults;
    // --balance-nodes evens out node totals; otherwise each node is judged per connection, so
    // the split of -c over the nodes (3/3/2 for -c 8 on three) is not mistaken for an imbalance.
    const connections = config.cluster.balanceNodes ? undefined : connectionsPerNode(nodes.map((n) => n.address), config.clients);
    const imbalance = imbalanceOf(nodeResults, config.cluster.imbalanceThresholdPct, connections);
    if (imbalance) extra.imbalance = imbalance;
  }
  if (Object.keys(redirects).length > 0) extra.redirects = redirects;
  if (Object.keys(retried).length > 0) extra.retried = retried;
  const workloadExtras = parts.map((p) => p.extra).filter((x) => x !== undefined);
  if (workloadExtras.length > 0) {
    const merged = catalog.mergeExtras(workloadKind, workloadExtras);
    if (merged !== undefined) extra[workloadKind] = merged;
  }
  if (Object.keys(extra).length > 0) result.extra = extra;
  return result;
}
