/**
 * `--shard I/N`: this process does part I (0-based, as Kubernetes' JOB_COMPLETION_INDEX) of a
 * run split over N processes, so that the N parts together do what one process with the same
 * flags does:
 * - a test's requests (-n, or the dataset size for vec-load) are split in whole units
 *   (pipelines of a sequence are never cut), shard I taking units [I*U/N, (I+1)*U/N);
 * - its request numbers start at its first unit's number, so vec-load ids and query numbers
 *   form disjoint ranges and `--sequential` values continue where the previous shard's end;
 * - --rps is divided by N;
 * - with --duration (no total) shard I's request numbers start at I * 2^32 / N;
 * - random keys come from streams derived from the shard (see rngStream).
 */
export interface Shard {
  index: number;
  count: number;
}

/** Shard `shard`'s part of `totalRequests` (a multiple of repliesPerUnit): first request number and count. */
export function shardRequests(totalRequests: number, repliesPerUnit: number, shard: Shard | undefined): { firstRequest: number; requests: number } {
  if (!shard || shard.count === 1) return { firstRequest: 0, requests: totalRequests };
  if (totalRequests === Infinity) return { firstRequest: Math.floor((shard.index * 2 ** 32) / shard.count), requests: Infinity };
  const units = Math.ceil(totalRequests / repliesPerUnit);
  const first = Math.floor((shard.index * units) / shard.count);
  const end = Math.floor(((shard.index + 1) * units) / shard.count);
  const firstRequest = first * repliesPerUnit;
  return { firstRequest, requests: Math.min(totalRequests, end * repliesPerUnit) - firstRequest };
}

/** The random stream of global client `clientIndex` of shard `shard` (disjoint across shards). */
export function rngStream(clientIndex: number, clients: number, shard: Shard | undefined): number {
  return shard ? shard.index * clients + clientIndex : clientIndex;
}
