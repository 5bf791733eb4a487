/**
 * Recognising AWS managed endpoints from their host names, so the tool can warn early ("this
 * looks like an ElastiCache Serverless endpoint: it needs --tls") and pick sensible defaults.
 * Only hints: the server's own answers (HELLO, CLUSTER SHARDS) decide.
 *
 * Shapes (region is a short code such as use1/apne1 for ElastiCache, a full name for MemoryDB;
 * China regions end in .amazonaws.com.cn):
 *   ElastiCache, cluster mode enabled
 *     config, no TLS:   <name>.<id>.clustercfg.<rc>.cache.amazonaws.com
 *     config, TLS:      clustercfg.<name>.<id>.<rc>.cache.amazonaws.com
 *     node, no TLS:     <name>-0001-001.<id>.0001.<rc>.cache.amazonaws.com
 *     node, TLS:        <name>-0001-001.<name>.<id>.<rc>.cache.amazonaws.com
 *   ElastiCache, cluster mode disabled
 *     primary/reader, no TLS: <name>.<id>.ng.0001.<rc>... / <name>-ro.<id>.ng.0001.<rc>...
 *     primary/reader, TLS:    master.<name>.<id>.<rc>... / replica.<name>.<id>.<rc>...
 *     node:                   <name>-001.<id>.0001.<rc>... / <name>-001.<name>.<id>.<rc>...
 *   ElastiCache Serverless (always TLS, always cluster): <name>-<id>.serverless.<rc>.cache.amazonaws.com
 *   MemoryDB (always cluster, TLS by default)
 *     cluster: clustercfg.<name>.<id>.memorydb.<region>.amazonaws.com
 *     node:    <name>-0001-001.<name>.<id>.memorydb.<region>.amazonaws.com
 */

export type EndpointKind =
  | "elasticache-config"
  | "elasticache-node"
  | "elasticache-serverless"
  | "memorydb-cluster"
  | "memorydb-node"
  | "generic";

export interface EndpointInfo {
  kind: EndpointKind;
  /** Full region name ("us-east-1"), expanded from ElastiCache's short code when recognised. */
  region?: string;
  clusterName?: string;
  tlsLikely: boolean;
  clusterModeLikely: boolean;
}

const ELASTICACHE = /^(.+)\.cache\.amazonaws\.com(?:\.cn)?$/;
const MEMORYDB = /^(.+)\.memorydb\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
/** Cluster-mode node ids end in -<shard>-<node> ("-0001-001"); cluster-mode-disabled ones in -<node>. */
const SHARD_NODE_SUFFIX = /-\d{4}-\d{3}$/;
const NODE_SUFFIX = /-\d{3}$/;
const GENERIC: EndpointInfo = { kind: "generic", tlsLikely: false, clusterModeLikely: false };

export function recognizeEndpoint(host: string): EndpointInfo {
  // DNS names are case-insensitive and may be written fully qualified ("...amazonaws.com.").
  const name = host.trim().toLowerCase().replace(/\.$/, "");
  const memorydb = MEMORYDB.exec(name);
  if (memorydb !== null) return memoryDb(memorydb[1]!.split("."), memorydb[2]!);
  const elasticache = ELASTICACHE.exec(name);
  if (elasticache !== null) return elastiCache(elasticache[1]!.split("."));
  return { ...GENERIC };
}

function memoryDb(labels: string[], region: string): EndpointInfo {
  if (labels[0] === "clustercfg" && labels.length >= 3) {
    return { kind: "memorydb-cluster", region, clusterName: labels[1]!, tlsLikely: true, clusterModeLikely: true };
  }
  const info: EndpointInfo = { kind: "memorydb-node", region, tlsLikely: true, clusterModeLikely: true };
  if (labels.length >= 3) info.clusterName = labels[1]!;
  return info;
}

function elastiCache(labels: string[]): EndpointInfo {
  // labels = everything before ".cache.amazonaws.com"; the last one is the region code.
  if (labels.length < 2) return { ...GENERIC };
  const region = expandRegion(labels[labels.length - 1]!);
  const rest = labels.slice(0, -1);
  const first = rest[0]!;
  const withRegion = (info: EndpointInfo): EndpointInfo => (region === undefined ? info : { ...info, region });

  if (rest[rest.length - 1] === "serverless") {
    // "<name>-<6-char id>": the id is not part of the cache name.
    const clusterName = first.replace(/-[a-z0-9]{6}$/, "");
    return withRegion({ kind: "elasticache-serverless", clusterName, tlsLikely: true, clusterModeLikely: true });
  }
  if (first === "clustercfg" && rest.length >= 3) {
    return withRegion({ kind: "elasticache-config", clusterName: rest[1]!, tlsLikely: true, clusterModeLikely: true });
  }
  if (rest[rest.length - 1] === "clustercfg" && rest.length >= 3) {
    return withRegion({ kind: "elasticache-config", clusterName: first, tlsLikely: false, clusterModeLikely: true });
  }
  if ((first === "master" || first === "replica") && rest.length >= 3) {
    return withRegion({ kind: "elasticache-node", clusterName: rest[1]!, tlsLikely: true, clusterModeLikely: false });
  }
  if (rest[rest.length - 2] === "ng" && rest.length >= 4) {
    return withRegion({ kind: "elasticache-node", clusterName: first.replace(/-ro$/, ""), tlsLikely: false, clusterModeLikely: false });
  }
  if (rest.length === 3) {
    const clusterModeLikely = SHARD_NODE_SUFFIX.test(first);
    const clusterName = first.replace(clusterModeLikely ? SHARD_NODE_SUFFIX : NODE_SUFFIX, "");
    // Encrypted clusters repeat the cluster name as the second label; others put the shard number last.
    const tlsLikely = !/^\d+$/.test(rest[2]!) && rest[1] === clusterName;
    return withRegion({ kind: "elasticache-node", clusterName, tlsLikely, clusterModeLikely });
  }
  return withRegion({ kind: "elasticache-node", tlsLikely: false, clusterModeLikely: false });
}

const DIRECTIONS: Record<string, string> = {
  n: "north",
  s: "south",
  e: "east",
  w: "west",
  c: "central",
  ne: "northeast",
  nw: "northwest",
  se: "southeast",
  sw: "southwest",
};

/** Codes that do not follow the <country><direction><number> pattern. */
const SPECIAL_REGIONS: Record<string, string> = {
  usgw1: "us-gov-west-1",
  usge1: "us-gov-east-1",
  cnn1: "cn-north-1",
  cnw1: "cn-northwest-1",
};

/** "use1" -> "us-east-1", "apne2" -> "ap-northeast-2"; a full name is returned as is. */
export function expandRegion(code: string): string | undefined {
  const special = SPECIAL_REGIONS[code];
  if (special !== undefined) return special;
  if (/^[a-z]{2}(-[a-z]+)+-\d+$/.test(code)) return code;
  const match = /^([a-z]{2})(ne|nw|se|sw|n|s|e|w|c)(\d+)$/.exec(code);
  if (match === null) return undefined;
  return `${match[1]}-${DIRECTIONS[match[2]!]}-${match[3]}`;
}
