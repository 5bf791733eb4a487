/**
 * The floor for vec-query's client CPU: a minimal client on Bun's sockets that sends the same
 * FT.SEARCH as scripts/bench-search-vs-valkey-benchmark.ts (one pre-encoded batch of -P queries,
 * one write per batch) and only counts the replies (one '*' per NOCONTENT reply): no key
 * decoding, no recall, no histogram. Compare its CPU with ours and valkey-benchmark's on the same
 * server to tell Bun's socket layer from our own per-query work (README, "Client efficiency").
 *
 *   bun scripts/probe-search-client.ts --port P --blob query.f32 [--index bench_idx] [--field embedding]
 *       [--clients 8] [--pipeline 4] [--queries 200000]
 *
 * Prints the replies counted and the process's CPU (user + system) per query, start-up included.
 */
const argv = process.argv.slice(2);
const opt = (name: string, def?: string): string => {
  const i = argv.indexOf(name);
  if (i >= 0 && argv[i + 1] !== undefined) return argv[i + 1]!;
  if (def === undefined) {
    console.error(`error: ${name} is required (see the usage at the top of this file)`);
    process.exit(2);
  }
  return def;
};
const port = Number(opt("--port"));
const blob = new Uint8Array(await Bun.file(opt("--blob")).arrayBuffer());
const clients = Number(opt("--clients", "8"));
const pipeline = Number(opt("--pipeline", "4"));
const total = Number(opt("--queries", "200000"));
const field = opt("--field", "embedding");

const enc = new TextEncoder();
const args = ["FT.SEARCH", opt("--index", "bench_idx"), `*=>[KNN 10 @${field} $BLOB]`, "PARAMS", "2", "BLOB", null, "NOCONTENT", "LIMIT", "0", "10", "DIALECT", "2"];
const parts: Uint8Array[] = [enc.encode(`*${args.length}\r\n`)];
for (const a of args) {
  const b = a === null ? blob : enc.encode(a);
  parts.push(enc.encode(`$${b.length}\r\n`), b, enc.encode("\r\n"));
}
const unitLength = parts.reduce((n, p) => n + p.length, 0);
const batch = new Uint8Array(unitLength * pipeline);
let offset = 0;
for (let i = 0; i < pipeline; i++) {
  for (const p of parts) {
    batch.set(p, offset);
    offset += p.length;
  }
}

let issued = 0;
let done = 0;
let open = 0;
const { promise, resolve } = Promise.withResolvers<void>();
for (let i = 0; i < clients; i++) {
  await Bun.connect({
    hostname: "127.0.0.1",
    port,
    data: { pending: 0 },
    socket: {
      open(s) {
        open++;
        issued += pipeline;
        s.data.pending = pipeline;
        s.write(batch);
      },
      data(s, d) {
        let n = 0;
        for (let j = 0; j < d.length; j++) if (d[j] === 42) n++;
        s.data.pending -= n;
        done += n;
        if (s.data.pending > 0) return;
        if (issued >= total) {
          s.end();
          if (--open === 0) resolve();
          return;
        }
        issued += pipeline;
        s.data.pending = pipeline;
        s.write(batch);
      },
      connectError(_s, err) {
        console.error(`error: cannot connect to 127.0.0.1:${port}: ${err.message}`);
        process.exit(2);
      },
    },
  });
}
await promise;
const cpu = process.cpuUsage();
console.log(`${done} replies; ${(((cpu.user + cpu.system) / done)).toFixed(2)} us CPU per query (user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s)`);
process.exit(0);
export {};
