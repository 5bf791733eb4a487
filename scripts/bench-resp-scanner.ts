/**
 * Measures ReplyScanner cost per reply (ns) on 1M replies per case, fed in 64 KiB chunks as a
 * socket would deliver them. RespDecoder is measured on the same streams for comparison.
 *
 *   node_modules/.bin/bun scripts/bench-resp-scanner.ts [replies=1000000] [rounds=5]
 *
 * Prints the median of `rounds` runs per case (after one warm-up run).
 */
import { NEED_MORE, RespDecoder } from "../src/resp/decode.ts";
import { ReplyScanner } from "../src/resp/reply-scanner.ts";

const replies = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 5);
const CHUNK_BYTES = 64 * 1024;

const cases: { name: string; reply: string }[] = [
  { name: "+OK", reply: "+OK\r\n" },
  { name: ":1", reply: ":1\r\n" },
  { name: "$3 foo", reply: "$3\r\nfoo\r\n" },
  { name: "$100 bulk", reply: `$100\r\n${"x".repeat(100)}\r\n` },
  { name: "-ERR error", reply: "-ERR unknown command\r\n" },
  { name: "10-element array", reply: `*10\r\n${"$3\r\nfoo\r\n".repeat(10)}` },
];

function stream(reply: string): Uint8Array {
  const one = new TextEncoder().encode(reply);
  const all = new Uint8Array(one.byteLength * replies);
  for (let i = 0; i < replies; i++) all.set(one, i * one.byteLength);
  return all;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeScanner(bytes: Uint8Array): number {
  const scanner = new ReplyScanner();
  const t0 = Bun.nanoseconds();
  let counted = 0;
  for (let off = 0; off < bytes.byteLength; off += CHUNK_BYTES) {
    counted += scanner.feed(bytes, off, Math.min(off + CHUNK_BYTES, bytes.byteLength));
  }
  const elapsed = Bun.nanoseconds() - t0;
  if (counted !== replies) throw new Error(`scanner counted ${counted} replies, expected ${replies}`);
  return elapsed / replies;
}

function timeDecoder(bytes: Uint8Array): number {
  const decoder = new RespDecoder();
  const t0 = Bun.nanoseconds();
  let counted = 0;
  for (let off = 0; off < bytes.byteLength; off += CHUNK_BYTES) {
    decoder.push(bytes.subarray(off, Math.min(off + CHUNK_BYTES, bytes.byteLength)));
    while (decoder.next() !== NEED_MORE) counted++;
  }
  const elapsed = Bun.nanoseconds() - t0;
  if (counted !== replies) throw new Error(`decoder produced ${counted} replies, expected ${replies}`);
  return elapsed / replies;
}

function measure(fn: (bytes: Uint8Array) => number, bytes: Uint8Array): number {
  fn(bytes); // warm-up: let the JIT compile the loop
  const runs: number[] = [];
  for (let r = 0; r < rounds; r++) runs.push(fn(bytes));
  return median(runs);
}

const rows: string[][] = [["case", "bytes/reply", "scanner ns/reply", "decoder ns/reply"]];
for (const c of cases) {
  const bytes = stream(c.reply);
  const scannerNs = measure(timeScanner, bytes);
  const decoderNs = measure(timeDecoder, bytes);
  rows.push([c.name, String(bytes.byteLength / replies), scannerNs.toFixed(1), decoderNs.toFixed(1)]);
}

/** One bulk of `megabytes` MB fed in 64 KiB chunks: decoding time must grow linearly with size. */
function timeBigBulk(megabytes: number): { scannerMs: number; decoderMs: number } {
  const size = megabytes * 1024 * 1024;
  const header = new TextEncoder().encode(`$${size}\r\n`);
  const chunk = new Uint8Array(CHUNK_BYTES).fill(120);
  const trailer = new TextEncoder().encode("\r\n");
  const feedAll = (sink: (bytes: Uint8Array) => void): void => {
    sink(header);
    for (let sent = 0; sent < size; sent += CHUNK_BYTES) sink(chunk.subarray(0, Math.min(CHUNK_BYTES, size - sent)));
    sink(trailer);
  };
  const decoder = new RespDecoder({ binary: true });
  let t0 = Bun.nanoseconds();
  let decoded = 0;
  feedAll((bytes) => {
    decoder.push(bytes);
    while (decoder.next() !== NEED_MORE) decoded++;
  });
  const decoderMs = (Bun.nanoseconds() - t0) / 1e6;
  const scanner = new ReplyScanner();
  t0 = Bun.nanoseconds();
  let scanned = 0;
  feedAll((bytes) => {
    scanned += scanner.feed(bytes, 0, bytes.byteLength);
  });
  const scannerMs = (Bun.nanoseconds() - t0) / 1e6;
  if (decoded !== 1 || scanned !== 1) throw new Error("big bulk not decoded as one reply");
  return { scannerMs, decoderMs };
}

const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
console.log(`${replies} replies per case, 64 KiB chunks, median of ${rounds} runs (Bun ${Bun.version})`);
for (const row of rows) console.log(row.map((cell, col) => cell.padStart(widths[col])).join("  "));

console.log("\none bulk string fed in 64 KiB chunks (time should scale linearly with size)");
for (const megabytes of [10, 100]) {
  const { scannerMs, decoderMs } = timeBigBulk(megabytes);
  console.log(`${String(megabytes).padStart(4)} MB  scanner ${scannerMs.toFixed(1).padStart(7)} ms  decoder ${decoderMs.toFixed(1).padStart(7)} ms`);
}
