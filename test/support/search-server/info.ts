// INFO text: the core sections a benchmark reads plus the valkey-search sections of 1.0.3
// (anchors (h)). Values are plausible, not measured, except counts the stand-in really knows.

import type { ServerState } from "./state.ts";

export const REDIS_VERSION = "7.2.4"; // what Valkey 8.x reports as redis_version
export const VALKEY_VERSION = "8.1.1";
export const SEARCH_MODULE_VERSION = 10003;

type Section = { name: string; lines: string[] };

// Plain INFO lists the loaded modules ("module_list"); the module's own search_* sections appear
// with INFO MODULES, INFO SEARCH or INFO EVERYTHING, as on a real server.
const DEFAULT_SECTIONS = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "module_list", "cluster", "keyspace"];
const ALL_SECTIONS = [...DEFAULT_SECTIONS, "commandstats", "latencystats", "modules", "search"];

export function infoText(state: ServerState, requested: string[]): string {
  const wanted = new Set<string>();
  const names = requested.length === 0 ? ["default"] : requested.map((r) => r.toLowerCase());
  for (const name of names) {
    if (name === "default") DEFAULT_SECTIONS.forEach((s) => wanted.add(s));
    else if (name === "all" || name === "everything") ALL_SECTIONS.forEach((s) => wanted.add(s));
    else wanted.add(name);
  }
  const sections: Section[] = [];
  for (const name of ALL_SECTIONS) {
    if (!wanted.has(name)) continue;
    if (name === "search") sections.push(...searchSections(state));
    else if (name === "module_list") sections.push(modulesSection());
    else if (name === "modules") {
      if (!wanted.has("module_list")) sections.push(modulesSection());
      if (!wanted.has("search")) sections.push(...searchSections(state));
    }
    else sections.push(coreSection(state, name));
  }
  // Individual search_* sections may be asked for by name too.
  for (const section of searchSections(state)) {
    if (wanted.has(section.name) && !sections.some((s) => s.name === section.name)) sections.push(section);
  }
  return sections.map((s) => `# ${title(s.name)}\r\n${s.lines.map((l) => `${l}\r\n`).join("")}`).join("\r\n");
}

function title(name: string): string {
  if (name.startsWith("search_")) return name;
  if (name === "module_list") return "Modules";
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function modulesSection(): Section {
  return {
    name: "module_list",
    lines: [`module:name=search,ver=${SEARCH_MODULE_VERSION},api=1,filters=0,usedby=[],using=[],options=[handle-io-errors]`],
  };
}

function coreSection(state: ServerState, name: string): Section {
  const uptime = Math.floor((Date.now() - state.startedMs) / 1000);
  const used = usedMemoryBytes(state);
  switch (name) {
    case "server":
      return {
        name,
        lines: [
          `redis_version:${REDIS_VERSION}`,
          "server_name:valkey",
          `valkey_version:${VALKEY_VERSION}`,
          `redis_mode:${state.cluster === undefined ? "standalone" : "cluster"}`,
          `server_mode:${state.cluster === undefined ? "standalone" : "cluster"}`,
          "os:Linux (search stand-in)",
          "arch_bits:64",
          `process_id:${process.pid}`,
          `tcp_port:${state.port}`,
          `uptime_in_seconds:${uptime}`,
          `uptime_in_days:${Math.floor(uptime / 86400)}`,
          "hz:10",
          "executable:search-stand-in",
        ],
      };
    case "clients":
      return { name, lines: [`connected_clients:${state.openConnections}`, "blocked_clients:0", "maxclients:10000"] };
    case "memory":
      return {
        name,
        lines: [`used_memory:${used}`, `used_memory_human:${human(used)}`, `used_memory_rss:${used}`, "maxmemory:0", "mem_fragmentation_ratio:1.00"],
      };
    case "persistence":
      return { name, lines: ["loading:0", "rdb_changes_since_last_save:0", "aof_enabled:0"] };
    case "stats": {
      const total = Object.values(state.commandCounts).reduce((a, b) => a + b, 0);
      return {
        name,
        lines: [
          `total_connections_received:${state.connectionsAccepted}`,
          `total_commands_processed:${total}`,
          "instantaneous_ops_per_sec:0",
          `keyspace_hits:${state.keyspaceHits}`,
          `keyspace_misses:${state.keyspaceMisses}`,
          "expired_keys:0",
          "evicted_keys:0",
        ],
      };
    }
    case "replication":
      return { name, lines: ["role:master", "connected_slaves:0", "master_repl_offset:0"] };
    case "cpu":
      return { name, lines: ["used_cpu_sys:0.000000", "used_cpu_user:0.000000"] };
    case "cluster":
      return { name, lines: [`cluster_enabled:${state.cluster === undefined ? 0 : 1}`] };
    case "keyspace":
      return { name, lines: state.keyspace.size > 0 ? [`db0:keys=${state.keyspace.size},expires=0,avg_ttl=0`] : [] };
    case "commandstats":
      return {
        name,
        lines: Object.entries(state.commandCounts).map(([cmd, calls]) => {
          const usec = Math.round(state.commandUsec[cmd] ?? 0);
          const failed = cmd === "FT.SEARCH" ? state.counters.failed : 0;
          return `cmdstat_${displayName(cmd)}:calls=${calls},usec=${usec},usec_per_call=${(usec / calls).toFixed(2)},rejected_calls=0,failed_calls=${failed}`;
        }),
      };
    case "latencystats":
      return {
        name,
        lines: Object.keys(state.commandCounts).map((cmd) => `latency_percentiles_usec_${displayName(cmd)}:p50=10.015,p99=50.175,p99.9=100.351`),
      };
    default:
      return { name, lines: [] };
  }
}

function searchSections(state: ServerState): Section[] {
  const indexes = [...state.indexes.byName.values()];
  const attributes = indexes.reduce((n, i) => n + i.schema.attributes.length, 0);
  const documents = indexes.reduce((n, i) => n + i.reportedDocs(), 0);
  const backfilling = indexes.filter((i) => i.backfillProgress() < 1);
  const vectorBytes = vectorMemoryBytes(state);
  const { successful, failed, hybrid } = state.counters;
  return [
    { name: "search_memory", lines: [`search_used_memory_bytes:${vectorBytes}`, `search_used_memory_human:${human(vectorBytes)}`] },
    {
      name: "search_index_stats",
      lines: [
        `search_number_of_indexes:${indexes.length}`,
        `search_number_of_attributes:${attributes}`,
        `search_total_indexed_documents:${documents}`,
      ],
    },
    {
      name: "search_ingestion",
      lines: [
        `search_background_indexing_status:${backfilling.length > 0 ? "IN_PROGRESS" : "NO_ACTIVITY"}`,
        `search_num_active_backfills:${backfilling.length}`,
        `search_current_backfill_progress_percentage:${backfilling.length > 0 ? Math.floor(backfilling[0].backfillProgress() * 100) : 100}`,
      ],
    },
    {
      name: "search_thread-pool",
      lines: [
        "search_query_queue_size:0",
        "search_writer_queue_size:0",
        "search_worker_pool_suspend_cnt:0",
        "search_writer_resumed_cnt:0",
        "search_reader_resumed_cnt:0",
        "search_writer_suspension_expired_cnt:0",
      ],
    },
    {
      name: "search_rdb",
      lines: ["search_rdb_load_success_cnt:0", "search_rdb_load_failure_cnt:0", "search_rdb_save_success_cnt:0", "search_rdb_save_failure_cnt:0"],
    },
    {
      name: "search_query",
      lines: [
        `search_successful_requests_count:${successful}`,
        `search_failure_requests_count:${failed}`,
        `search_hybrid_requests_count:${hybrid}`,
        `search_inline_filtering_requests_count:${hybrid}`,
      ],
    },
    {
      name: "search_hnswlib",
      lines: ["add", "remove", "modify", "search", "create"].map((op) => `search_hnsw_${op}_exceptions_count:0`),
    },
    { name: "search_latency", lines: ["search_hnsw_vector_index_search_latency_usec:p50=120.000,p99=450.000,p99.9=900.000"] },
    ...(state.cluster === undefined
      ? []
      : [{ name: "search_coordinator", lines: [`search_coordinator_server_search_index_partition_success_count:${state.counters.partitionsServed}`, "search_coordinator_server_search_index_partition_failure_count:0"] }]),
    { name: "search_string_interning", lines: ["search_string_interning_store_size:0"] },
    {
      name: "search_vector_externing",
      lines: ["entry_count", "hash_extern_errors", "generated_value_cnt", "num_lru_entries", "lru_promote_cnt", "deferred_entry_cnt"].map(
        (f) => `search_vector_externing_${f}:0`,
      ),
    },
  ];
}

/** Core commands appear lower-case in Valkey's stats, module commands as registered (FT.SEARCH). */
function displayName(command: string): string {
  return command.startsWith("FT.") ? command : command.toLowerCase();
}

function vectorMemoryBytes(state: ServerState): number {
  let bytes = 0;
  for (const index of state.indexes.byName.values()) {
    for (const store of index.vectors.values()) for (const v of store.values()) bytes += v.byteLength + 64;
  }
  return bytes;
}

function usedMemoryBytes(state: ServerState): number {
  return 1_000_000 + state.keyspace.size * 200 + vectorMemoryBytes(state);
}

function human(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)}M`;
  return `${(bytes / 1024).toFixed(2)}K`;
}
