import { expect, test } from "bun:test";
import { type EndpointInfo, expandRegion, recognizeEndpoint } from "../../src/cluster/endpoints.ts";

const cases: [string, EndpointInfo][] = [
  // ElastiCache, cluster mode enabled
  ["my-cluster.abc123.clustercfg.use1.cache.amazonaws.com",
    { kind: "elasticache-config", region: "us-east-1", clusterName: "my-cluster", tlsLikely: false, clusterModeLikely: true }],
  ["clustercfg.my-cluster.abc123.usw2.cache.amazonaws.com",
    { kind: "elasticache-config", region: "us-west-2", clusterName: "my-cluster", tlsLikely: true, clusterModeLikely: true }],
  ["my-cluster-0001-001.my-cluster.abc123.apne1.cache.amazonaws.com",
    { kind: "elasticache-node", region: "ap-northeast-1", clusterName: "my-cluster", tlsLikely: true, clusterModeLikely: true }],
  ["my-cluster-0003-002.abc123.0003.euw1.cache.amazonaws.com",
    { kind: "elasticache-node", region: "eu-west-1", clusterName: "my-cluster", tlsLikely: false, clusterModeLikely: true }],
  // ElastiCache, cluster mode disabled
  ["my-redis.abc123.ng.0001.euc1.cache.amazonaws.com",
    { kind: "elasticache-node", region: "eu-central-1", clusterName: "my-redis", tlsLikely: false, clusterModeLikely: false }],
  ["my-redis-ro.abc123.ng.0001.aps1.cache.amazonaws.com",
    { kind: "elasticache-node", region: "ap-south-1", clusterName: "my-redis", tlsLikely: false, clusterModeLikely: false }],
  ["master.my-redis.abc123.apse2.cache.amazonaws.com",
    { kind: "elasticache-node", region: "ap-southeast-2", clusterName: "my-redis", tlsLikely: true, clusterModeLikely: false }],
  ["replica.my-redis.abc123.sae1.cache.amazonaws.com",
    { kind: "elasticache-node", region: "sa-east-1", clusterName: "my-redis", tlsLikely: true, clusterModeLikely: false }],
  ["my-redis-002.abc123.0001.cac1.cache.amazonaws.com",
    { kind: "elasticache-node", region: "ca-central-1", clusterName: "my-redis", tlsLikely: false, clusterModeLikely: false }],
  // ElastiCache Serverless
  ["my-cache-abc123.serverless.use1.cache.amazonaws.com",
    { kind: "elasticache-serverless", region: "us-east-1", clusterName: "my-cache", tlsLikely: true, clusterModeLikely: true }],
  // China and GovCloud
  ["my-cluster.abc123.clustercfg.cnn1.cache.amazonaws.com.cn",
    { kind: "elasticache-config", region: "cn-north-1", clusterName: "my-cluster", tlsLikely: false, clusterModeLikely: true }],
  ["clustercfg.my-cluster.abc123.usgw1.cache.amazonaws.com",
    { kind: "elasticache-config", region: "us-gov-west-1", clusterName: "my-cluster", tlsLikely: true, clusterModeLikely: true }],
  // MemoryDB
  ["clustercfg.my-db.abc123.memorydb.us-east-1.amazonaws.com",
    { kind: "memorydb-cluster", region: "us-east-1", clusterName: "my-db", tlsLikely: true, clusterModeLikely: true }],
  ["my-db-0001-001.my-db.abc123.memorydb.eu-west-3.amazonaws.com",
    { kind: "memorydb-node", region: "eu-west-3", clusterName: "my-db", tlsLikely: true, clusterModeLikely: true }],
  ["clustercfg.my-db.abc123.memorydb.cn-northwest-1.amazonaws.com.cn",
    { kind: "memorydb-cluster", region: "cn-northwest-1", clusterName: "my-db", tlsLikely: true, clusterModeLikely: true }],
  // Not AWS managed endpoints
  ["localhost", { kind: "generic", tlsLikely: false, clusterModeLikely: false }],
  ["10.0.0.5", { kind: "generic", tlsLikely: false, clusterModeLikely: false }],
  ["::1", { kind: "generic", tlsLikely: false, clusterModeLikely: false }],
  ["valkey.example.com", { kind: "generic", tlsLikely: false, clusterModeLikely: false }],
  ["my-cluster.clustercfg.use1.cache.amazonaws.com.evil.example", { kind: "generic", tlsLikely: false, clusterModeLikely: false }],
  ["ec2-3-80-1-2.compute-1.amazonaws.com", { kind: "generic", tlsLikely: false, clusterModeLikely: false }],
];

for (const [host, expected] of cases) {
  test(`${host} is ${expected.kind}`, () => {
    expect(recognizeEndpoint(host)).toEqual(expected);
  });
}

test("names are matched case-insensitively and may end with a dot", () => {
  expect(recognizeEndpoint("ClusterCfg.My-Cluster.ABC123.USE1.cache.amazonaws.com.")).toEqual({
    kind: "elasticache-config", region: "us-east-1", clusterName: "my-cluster", tlsLikely: true, clusterModeLikely: true,
  });
});

test("region short codes expand to region names; unknown codes give no region", () => {
  expect(expandRegion("use2")).toBe("us-east-2");
  expect(expandRegion("apse1")).toBe("ap-southeast-1");
  expect(expandRegion("eun1")).toBe("eu-north-1");
  expect(expandRegion("mec1")).toBe("me-central-1");
  expect(expandRegion("ilc1")).toBe("il-central-1");
  expect(expandRegion("cnw1")).toBe("cn-northwest-1");
  expect(expandRegion("us-east-1")).toBe("us-east-1");
  expect(expandRegion("xyz")).toBeUndefined();
  expect(recognizeEndpoint("something.weird.xyz.cache.amazonaws.com").region).toBeUndefined();
});
