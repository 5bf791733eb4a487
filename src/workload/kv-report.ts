/**
 * What the key-value tests add to the reports (after the Summary block): the key pattern and
 * value sizes when they are not uniform keys and a fixed -d, the --verify-writes read-back and
 * the --verify-reads counts, and the exit-code verdict of the verification.
 */
import type { WorkloadReport } from "../engine/workload-api.ts";
import type { TestResult } from "../metrics/types.ts";
import { verifyFailed, type VerifyCounts, type VerifyWritesResult } from "./verify/read-back.ts";

import type { KvExtra, VerifyReadsCounts } from "./kv-workload.ts";

type VerifyReadsResult = VerifyReadsCounts;

/** Main-thread merger for the kv workload's per-worker extras (undefined: nothing to show). */
export function mergeKvExtras(parts: KvExtra[]): KvExtra | undefined {
  const shape = parts.find((p) => p.shape !== undefined)?.shape;
  const reads = parts.map((p) => p.verifyReads).filter((r) => r !== undefined);
  if (reads.length === 0) return shape ? { shape } : undefined;
  return {
    ...(shape ? { shape } : {}),
    verifyReads: reads.reduce((a, b) => ({
      checked: a.checked + b.checked,
      neverWritten: a.neverWritten + b.neverWritten,
      failed: a.failed + b.failed,
      connectionsGaveUp: a.connectionsGaveUp + b.connectionsGaveUp,
    })),
  };
}

function counts(c: VerifyCounts): string {
  let text = `${c.present} present, ${c.stale} stale, ${c.missing} missing`;
  if (c.corrupt > 0) text += `, ${c.corrupt} corrupt`;
  if (c.unreadable > 0) text += `, ${c.unreadable} unreadable`;
  return text;
}

function verifyWritesOf(r: TestResult): VerifyWritesResult | undefined {
  return r.extra?.verifyWrites as VerifyWritesResult | undefined;
}

function verifyReadsOf(r: TestResult): VerifyReadsResult | undefined {
  return (r.extra?.kv as { verifyReads?: VerifyReadsResult } | undefined)?.verifyReads;
}

export function kvReportLines(r: TestResult): string[] {
  const lines: string[] = [];
  const shape = (r.extra?.kv as KvExtra | undefined)?.shape;
  if (shape) lines.push(shape);
  const w = verifyWritesOf(r);
  if (w) {
    if (w.withheld) lines.push(`verify-writes: withheld: ${w.withheld}`);
    else {
      lines.push(`verify-writes: ${w.keysWritten} keys with acknowledged writes, read back from the primaries: ${counts(w)}`);
      const nodes = Object.entries(w.perNode);
      if (nodes.length > 1) for (const [address, c] of nodes) lines.push(`  ${address}: ${counts(c)}`);
      for (const p of w.problems) lines.push(`  ${p}`);
    }
  }
  const rd = verifyReadsOf(r);
  if (rd) {
    lines.push(`verify-reads: ${rd.checked} values checked, ${rd.failed} did not match what this run wrote (VERIFY errors)`);
    if (rd.neverWritten > 0) lines.push(`  ${rd.neverWritten} replies for keys this run never wrote (empty, or not a value of this run): not checked`);
    if (rd.connectionsGaveUp > 0) lines.push(`  ${rd.connectionsGaveUp} connections stopped checking: a reply had a shape GET/HGET/HMGET do not return`);
  }
  return lines;
}

/** Why this result must fail the run (exit 1), if it must. */
export function verifyFailures(r: TestResult): string[] {
  const out: string[] = [];
  const w = verifyWritesOf(r);
  if (w && verifyFailed(w)) {
    out.push(w.withheld ? `${r.title}: write verification withheld: ${w.withheld}` : `${r.title}: acknowledged writes did not survive: ${counts(w)} of ${w.keysWritten} keys`);
  }
  const rd = verifyReadsOf(r);
  if (rd && rd.failed > 0) out.push(`${r.title}: ${rd.failed} values read did not match what this run wrote`);
  return out;
}

/** The key-value module's report contribution. */
export const kvReport: WorkloadReport = {
  sections: kvReportLines,
  csvColumns: [],
  csvCells: () => [],
  failures: verifyFailures,
};
