/**
 * The configuration of one trial: the run's own configuration with the trial's setting applied,
 * the measured test only (a vec-load in -t ran once before the trials), nothing that would touch
 * the index between trials, a whole number of passes over the query set, and a short warmup.
 */
import type { BenchConfig, Warmup } from "../config/types.ts";
import type { Setting } from "./trial.ts";

/** Default trial warmup: a tenth of the trial, at most this many requests (or 2 s with --duration). */
const MAX_WARMUP_REQUESTS = 2000;
const MAX_WARMUP_SECONDS = 2;

function trialWarmup(config: BenchConfig, requests: number): Warmup {
  if (config.warmup) return config.warmup;
  if (config.durationSec !== undefined) return { kind: "seconds", seconds: Math.min(MAX_WARMUP_SECONDS, config.durationSec / 10) };
  return { kind: "requests", requests: Math.max(1, Math.min(MAX_WARMUP_REQUESTS, Math.ceil(requests / 10))) };
}

/**
 * `numQueries`: the dataset's query count for vec-query (-n is rounded up to whole passes, so
 * recall is over every query equally often); undefined for key-value tests.
 */
export function trialConfig(config: BenchConfig, setting: Setting, numQueries: number | undefined): BenchConfig {
  const clients = setting.clients ?? config.clients;
  const requests = numQueries !== undefined && numQueries > 0 ? Math.ceil(config.requests / numQueries) * numQueries : config.requests;
  const s = config.search;
  const search = { ...s, dropIndex: false, recreateIndex: false, reload: false, cleanup: false };
  if (setting.ef_search !== undefined) search.efSearch = setting.ef_search;
  if (setting.m !== undefined) search.hnswM = setting.m;
  if (setting.ef_construction !== undefined) search.efConstruction = setting.ef_construction;
  const { optimize: _, outputFile: __, ...rest } = config;
  return {
    ...rest,
    clients,
    pipeline: setting.pipeline ?? config.pipeline,
    // Every thread needs a client: with fewer clients than threads, the threads are capped.
    threads: Math.min(setting.threads ?? config.threads, clients),
    requests,
    warmup: trialWarmup(config, requests),
    tests: config.tests.filter((t) => t !== "vec-load"),
    search,
    quiet: true,
    serverMetrics: "off",
    outputFormat: "text",
  };
}

/** The configuration of the one-off vec-load before the trials (the run's own, load only). */
export function loadConfig(config: BenchConfig): BenchConfig {
  const { optimize: _, outputFile: __, ...rest } = config;
  return { ...rest, tests: ["vec-load"], quiet: true, serverMetrics: "off", outputFormat: "text" };
}
