// Test helpers for real valkey-server processes on 127.0.0.1. Typical use in a test file:
//
//   let server: ValkeyServer;
//   beforeAll(async () => { server = await startValkey(); });
//   afterAll(() => server.stop());
//
// Servers run with --save '' --appendonly no in their own directory under /tmp, on ports picked
// at random in 30000-39999 (see ports.ts), and are killed when the test process exits.

export type { CommandStat } from "./info.ts";
export { parseCommandstats, parseInfo } from "./info.ts";
export type { StartOptions, ValkeyServer } from "./server.ts";
export { cliWithTimeout, startValkey } from "./server.ts";
export type { TlsFiles } from "./tls-certs.ts";
export { tlsFiles } from "./tls-certs.ts";
export type { ValkeyCluster, ValkeyReplicaSet } from "./topology.ts";
export { startCluster, startReplicaSet } from "./topology.ts";
