// Starts the valkey-search stand-in by hand, e.g. to poke at it with valkey-cli:
//   bun scripts/search-server.ts --port 6400 [--approximate] [--password secret] [--cluster-shards 3]
// With --cluster-shards N, shard i listens on port + i. Test code: see test/support/search-server.ts.

import { parseArgs } from "node:util";
import { startSearchCluster, startSearchServer } from "../test/support/search-server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "6400" },
    approximate: { type: "boolean", default: false },
    password: { type: "string" },
    "cluster-shards": { type: "string" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port '${values.port}': give a TCP port number such as 6400`);
  process.exit(2);
}

const shardsText = values["cluster-shards"];
const shards = shardsText === undefined ? 0 : Number(shardsText);
if (shardsText !== undefined && (!Number.isInteger(shards) || shards < 1 || port + shards - 1 > 65535)) {
  console.error(`invalid --cluster-shards '${shardsText}': give a shard count such as 3`);
  process.exit(2);
}
const options = { approximate: values.approximate, password: values.password };
const mode = values.approximate ? " (approximate KNN)" : "";
let stop: () => Promise<void>;
if (shards > 0) {
  const cluster = await startSearchCluster({ ...options, shards, basePort: port });
  console.log(`valkey-search stand-in cluster of ${shards} shards on ${cluster.servers.map((s) => s.url).join(", ")}${mode}`);
  stop = cluster.stop;
} else {
  const server = await startSearchServer({ ...options, port });
  console.log(`valkey-search stand-in listening on ${server.url}${mode}`);
  stop = server.stop;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void stop().then(() => process.exit(0));
  });
}
