/**
 * Turns the configuration into the list of tests to run: valkey-benchmark's catalog filtered by
 * -t, or the custom command (sequence) given after the options. Vector workloads plan their own
 * tests (src/search/plan.ts).
 */
import type { Deployment } from "../cluster/discovery.ts";
import { MAX_VERIFIED_KEYS } from "../config/workload-options.ts";
import type { BenchConfig } from "../config/types.ts";
import { UserError } from "../errors.ts";
import type { PlannedTest } from "../engine/workload-api.ts";
import { DATA, selectTests, type CatalogTest } from "./catalog.ts";
import { meanSize } from "./value-sizes.ts";
import { WriteLedger } from "./verify/ledger.ts";
import { readBackWrites } from "./verify/read-back.ts";
import type { VerifyParams } from "./verify/verify-keys.ts";
import type { KvParams, UnitSpec } from "./kv-workload.ts";

function kv(title: string, unit: UnitSpec, readOnly: boolean, repliesPerUnit: number, clusterTags: boolean, verify?: VerifyParams): PlannedTest {
  const params: KvParams = { unit, clusterTags, readOnly, ...(verify ? { verify } : {}) };
  return { title, workload: { kind: "kv", params }, readOnly, repliesPerUnit };
}

export function planKvTests(config: BenchConfig, cluster: boolean, deployment?: Deployment): PlannedTest[] {
  const sizes = config.valueSizes;
  const payloadBytes = sizes.kind === "fixed" ? undefined : Math.round(meanSize(sizes));
  const withSizes = (t: PlannedTest): PlannedTest => (payloadBytes === undefined ? t : { ...t, payloadBytes });
  if (config.command && config.command.length > 0) {
    const seq = config.commandSequence ?? [{ repeat: 1, args: config.command }];
    const commands: string[][] = [];
    for (const step of seq) for (let i = 0; i < step.repeat; i++) commands.push([...step.args]);
    return [withSizes(kv(config.commandTitle ?? config.command.join(" "), { kind: "commands", commands }, false, commands.length, cluster))];
  }
  const prefix = config.keyPrefix;
  const ledger = config.verifyWrites || config.verifyReads ? verifyLedger(config, cluster, deployment) : undefined;
  return selectTests(config.tests, config.keyspaceLen > 0).map((t) => {
    if (t.inline !== undefined) return kv(t.title, { kind: "inline", text: t.inline }, t.readOnly, 1, cluster);
    const { title, args } = addressed(t, config);
    // Keys are the arguments that carry the {tag} marker; --key-prefix goes in front of them.
    const keyed = args.map((a) => (prefix && a.includes("{tag}") ? prefix + a : a));
    const unit: UnitSpec = { kind: "commands", commands: [keyed], constantDataMarker: DATA };
    const name = t.selectedBy[0];
    const role = ledger && name === "set" ? "write" : ledger && name === "get" && config.verifyReads ? "read" : undefined;
    const planned = withSizes(kv(title, unit, t.readOnly, 1, cluster, role ? { ...ledger!, role } : undefined));
    if (role === "write" && config.verifyWrites) {
      const fields = config.addressType.kind === "hash" ? config.addressType.fields : undefined;
      planned.after = async () => ({ verifyWrites: await readBackWrites(config, { ...ledger!, role }, fields) });
    }
    return planned;
  });
}

/** --address-type hash:F1,F2: the set and get tests write and read those fields of the same keys. */
function addressed(t: CatalogTest, config: BenchConfig): { title: string; args: readonly string[] } {
  const address = config.addressType;
  const name = t.selectedBy[0];
  if (address.kind !== "hash" || (name !== "set" && name !== "get")) return { title: t.title, args: t.args! };
  const key = t.args![1]!;
  const fields = address.fields;
  if (name === "set") return { title: `HSET (fields ${fields.join(",")})`, args: ["HSET", key, ...fields.flatMap((f) => [f, DATA])] };
  if (fields.length === 1) return { title: `HGET (field ${fields[0]})`, args: ["HGET", key, fields[0]!] };
  return { title: `HMGET (fields ${fields.join(",")})`, args: ["HMGET", key, ...fields] };
}

/** The shared record of acknowledged writes: one entry per key number per shard. */
function verifyLedger(config: BenchConfig, cluster: boolean, deployment: Deployment | undefined): Omit<VerifyParams, "role"> {
  const shardSlots: Uint16Array[] = [];
  if (cluster && deployment) {
    for (const n of deployment.nodes) if (n.role === "primary" && n.slots.length > 0) shardSlots[n.shard] = n.slots;
  }
  const slots = cluster ? shardSlots.filter((s) => s !== undefined) : [new Uint16Array(0)];
  const count = config.keys.maximum - config.keys.minimum + 1;
  const entries = count * Math.max(1, slots.length);
  if (entries > MAX_VERIFIED_KEYS) {
    throw new UserError(
      `--verify-writes keeps 8 bytes per key and shard and takes at most ${MAX_VERIFIED_KEYS} entries; ${count} keys x ${slots.length} shards is more: narrow the key range`,
    );
  }
  const nonce = crypto.getRandomValues(new Uint32Array(1))[0]!;
  return { ledger: WriteLedger.create(entries, nonce).buffer, shardSlots: slots, minimum: config.keys.minimum, count };
}
