// A real valkey-search server for the tests, when the machine has one.
//
// VSB_SEARCH_SERVER_DIR names a directory laid out like ../shared/valkey-search (its README):
// `start-search-server.sh`, `bin/valkey-server` (Valkey with the module's libraries beside it)
// and `lib/libsearch.so`. `.ci/run` sets it when that directory exists. Servers are started
// through startValkey (so stop(), the exit handler and the watchdog cover them) with the
// directory's valkey-server and the module loaded as start-search-server.sh loads it; the
// cluster variant loads it with its coordinator, which listens on PORT + 20294.
//
// Without the variable every function here reports "no real server" and the suites run on the
// in-process stand-in (test/support/search-server.ts).

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { StartOptions, ValkeyServer } from "./server.ts";
import { startValkey } from "./server.ts";
import { startCluster, type ValkeyCluster } from "./topology.ts";

/** The search coordinator's port is the server's port plus this (valkey-search 1.0.x). */
export const COORDINATOR_PORT_OFFSET = 20294;

export interface SearchModuleDir {
  dir: string;
  server: string;
  module: string;
}

let cached: SearchModuleDir | null | undefined;

/** The real server's directory from VSB_SEARCH_SERVER_DIR, or null when unset; throws when it is incomplete. */
export function searchModuleDir(): SearchModuleDir | null {
  if (cached !== undefined) return cached;
  const raw = process.env.VSB_SEARCH_SERVER_DIR;
  if (raw === undefined || raw === "") return (cached = null);
  const dir = resolve(raw);
  const found: SearchModuleDir = { dir, server: join(dir, "bin/valkey-server"), module: join(dir, "lib/libsearch.so") };
  for (const f of [join(dir, "start-search-server.sh"), found.server, found.module]) {
    if (!existsSync(f)) throw new Error(`VSB_SEARCH_SERVER_DIR=${raw}: ${f} is missing; point it at a directory like ../shared/valkey-search or unset it`);
  }
  return (cached = found);
}

/** True when the suites run against the real module (VSB_SEARCH_SERVER_DIR is set). */
export const REAL_SEARCH_SERVER = searchModuleDir() !== null;

/** startValkey options that load the module (with its coordinator for cluster nodes). */
export function moduleStartOptions(cluster: boolean): StartOptions {
  const m = searchModuleDir();
  if (m === null) throw new Error("VSB_SEARCH_SERVER_DIR is not set: no real search server to start");
  return {
    binary: m.server,
    configLines: [`loadmodule "${m.module}"${cluster ? " --use-coordinator" : ""}`],
    extraPortOffsets: cluster ? [COORDINATOR_PORT_OFFSET] : [],
  };
}

/** A standalone Valkey with the search module. */
export function startRealSearchServer(): Promise<ValkeyServer> {
  return startValkey(moduleStartOptions(false));
}

/** `shards` primaries (no replicas) with the module and its coordinator, joined into a cluster. */
export async function startRealSearchCluster(shards: number): Promise<ValkeyCluster> {
  return startCluster({ primaries: shards, replicasPerPrimary: 0, server: moduleStartOptions(true) });
}

/** A one-line description for test headers. */
export function describeSearchServer(): string {
  const m = searchModuleDir();
  return m === null ? "search stand-in (set VSB_SEARCH_SERVER_DIR for the real module)" : `real valkey-search from ${m.dir}`;
}

export type { ValkeyServer, ValkeyCluster };
