/**
 * The metrics every test reports, written in the same grammar as --track-metric (one mechanism:
 * metric-def.ts parses them, metric-eval.ts evaluates them; server-diff.ts only arranges the
 * values into the report's shape), and the search module's metrics per platform.
 */
import { parseMetricDef, type MetricDef } from "./metric-def.ts";

/** The default set: what server-diff.ts arranges into `extra.serverMetrics`. */
export const DEFAULT_METRIC_SPECS = {
  commandCalls: "commandstats:cmdstat_*:calls:sum:delta",
  commandUsec: "commandstats:cmdstat_*:usec:sum:delta",
  commandFailedCalls: "commandstats:cmdstat_*:failed_calls:sum:delta",
  commandRejectedCalls: "commandstats:cmdstat_*:rejected_calls:sum:delta",
  keyspaceHits: "stats:keyspace_hits:sum:delta",
  keyspaceMisses: "stats:keyspace_misses:sum:delta",
  usedMemory: "memory:used_memory:sum:delta",
  commandsProcessed: "stats:total_commands_processed:sum:delta",
  instantaneousOpsPerSec: "stats:instantaneous_ops_per_sec:sum:none",
  connectedClients: "clients:connected_clients:sum:none",
  keys: "keyspace:/^db\\d+$/:keys:sum:delta",
  search: "search:search_*:sum:delta",
} as const;

export type DefaultMetric = keyof typeof DEFAULT_METRIC_SPECS;

export const DEFAULT_METRICS: Record<DefaultMetric, MetricDef> = Object.fromEntries(
  Object.entries(DEFAULT_METRIC_SPECS).map(([k, spec]) => [k, parseMetricDef(spec)]),
) as Record<DefaultMetric, MetricDef>;

/** What the --metrics-interval timeline samples on every node, besides the tracked metrics. */
export const TIMELINE_METRIC_SPECS = {
  opsPerSec: "stats:total_commands_processed:sum:rate",
  usedMemory: "memory:used_memory:sum:none",
  searchUsedMemory: "search:search_used_memory_bytes:sum:none",
} as const;

export const TIMELINE_METRICS: Record<keyof typeof TIMELINE_METRIC_SPECS, MetricDef> = Object.fromEntries(
  Object.entries(TIMELINE_METRIC_SPECS).map(([k, spec]) => [k, parseMetricDef(spec)]),
) as Record<keyof typeof TIMELINE_METRIC_SPECS, MetricDef>;

export interface SearchMetricSource {
  /** Our name for it (the key in `serverMetrics.searchMetrics`). */
  name: string;
  /** What it measures. */
  meaning: string;
  /** The definition evaluated (open-source field names; see the platform columns). */
  spec: string;
  /** The INFO field on open-source valkey-search (`INFO SEARCH`). */
  valkeySearch: string;
  /** The INFO field on ElastiCache (Valkey 8.2+ with vector search). */
  elastiCache: string;
  /** The INFO field on MemoryDB with vector search. */
  memoryDb: string;
  /** Where each name comes from. */
  source: string;
}

const OSS = "valkey.io/topics/search-monitoring (valkey-search INFO SEARCH); checked on valkey-search 1.0.3";
const AWS_NOTE = "AWS documents no INFO SEARCH field list; the open-source name is used (same module family)";

/**
 * The search module's metrics, one row per metric with its field on each platform and the
 * source of each name. Definitions are evaluated on primaries only: replicas hold the same
 * indexes and would double the sums.
 */
export const SEARCH_METRICS: readonly SearchMetricSource[] = [
  {
    name: "search_used_memory",
    meaning: "memory of every index on the node, bytes (after the test)",
    spec: "search:search_used_memory_bytes:sum:none@primaries",
    valkeySearch: "search_used_memory_bytes",
    elastiCache: "search_used_memory_bytes",
    memoryDb: "search_used_memory_bytes",
    source: `${OSS}; ${AWS_NOTE}`,
  },
  {
    name: "search_memory_growth",
    meaning: "index memory growth during the test, bytes",
    spec: "search:search_used_memory_bytes:sum:delta@primaries",
    valkeySearch: "search_used_memory_bytes",
    elastiCache: "search_used_memory_bytes",
    memoryDb: "search_used_memory_bytes",
    source: `${OSS}; ${AWS_NOTE}`,
  },
  {
    name: "search_indexed_documents",
    meaning: "documents indexed on the node (after the test)",
    spec: "search:search_total_indexed_documents,search_total_indexed_hash_keys:sum:none@primaries",
    valkeySearch: "search_total_indexed_documents",
    elastiCache: "search_total_indexed_documents",
    memoryDb: "search_total_indexed_documents",
    source: `${OSS}; Memorystore's older module names it search_total_indexed_hash_keys (cloud.google.com/memorystore/docs/valkey/info-vector-metrics), read when the first is absent; ${AWS_NOTE}`,
  },
  {
    name: "search_indexes",
    meaning: "indexes on the node",
    spec: "search:search_number_of_indexes:sum:none@primaries",
    valkeySearch: "search_number_of_indexes",
    elastiCache: "search_number_of_indexes",
    memoryDb: "search_number_of_indexes",
    source: `${OSS}; ${AWS_NOTE}`,
  },
  {
    name: "search_successful_queries",
    meaning: "queries answered during the test",
    spec: "search:search_successful_requests_count:sum:delta@primaries",
    valkeySearch: "search_successful_requests_count",
    elastiCache: "search_successful_requests_count",
    memoryDb: "search_successful_requests_count",
    source: `${OSS}; ${AWS_NOTE}`,
  },
  {
    name: "search_failed_queries",
    meaning: "queries that failed during the test",
    spec: "search:search_failure_requests_count:sum:delta@primaries",
    valkeySearch: "search_failure_requests_count",
    elastiCache: "search_failure_requests_count",
    memoryDb: "search_failure_requests_count",
    source: `${OSS}; ${AWS_NOTE}`,
  },
  {
    name: "search_query_queue",
    meaning: "queries waiting for a reader thread (after the test)",
    spec: "search:search_query_queue_size:max:none@primaries",
    valkeySearch: "search_query_queue_size",
    elastiCache: "search_query_queue_size",
    memoryDb: "search_query_queue_size",
    source: `${OSS}; ${AWS_NOTE}`,
  },
  {
    name: "search_writer_queue",
    meaning: "index mutations waiting for a writer thread (after the test)",
    spec: "search:search_writer_queue_size:max:none@primaries",
    valkeySearch: "search_writer_queue_size",
    elastiCache: "search_writer_queue_size",
    memoryDb: "search_writer_queue_size",
    source: `${OSS}; ${AWS_NOTE}`,
  },
];

export const SEARCH_METRIC_DEFS: readonly { name: string; def: MetricDef }[] = SEARCH_METRICS.map((m) => ({ name: m.name, def: parseMetricDef(m.spec) }));

/** INFO sections every reading asks for; commandstats last (see node-reading.ts). */
export const DEFAULT_SECTIONS = ["stats", "memory", "clients", "keyspace", "search", "commandstats"] as const;

/** The sections to ask for: the defaults plus those tracked definitions name, commandstats last. */
export function sectionsFor(tracked: readonly MetricDef[]): string[] {
  const out: string[] = DEFAULT_SECTIONS.filter((s) => s !== "commandstats");
  for (const d of tracked) if (!out.includes(d.section) && d.section !== "commandstats") out.push(d.section);
  out.push("commandstats");
  return out;
}
