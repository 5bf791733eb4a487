/**
 * Builds release binaries for every supported platform with SHA-256 checksums:
 *   dist/release/valkey-search-benchmark-<platform>  and  dist/release/SHA256SUMS
 * Bun downloads each target's runtime from the npm registry the first time.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { compile } from "./build.ts";

const TARGETS: [platform: string, bunTarget: string][] = [
  ["linux-x64", "bun-linux-x64"],
  ["linux-x64-musl", "bun-linux-x64-musl"],
  ["linux-arm64", "bun-linux-arm64"],
  ["darwin-arm64", "bun-darwin-arm64"],
];

const dir = "dist/release";
mkdirSync(dir, { recursive: true });
const sums: string[] = [];
for (const [platform, target] of TARGETS) {
  const name = `valkey-search-benchmark-${platform}`;
  await compile({ target, outfile: `${dir}/${name}` });
  const digest = createHash("sha256").update(new Uint8Array(await Bun.file(`${dir}/${name}`).arrayBuffer())).digest("hex");
  sums.push(`${digest}  ${name}`);
  console.log(`built ${dir}/${name}`);
}
await Bun.write(`${dir}/SHA256SUMS`, sums.join("\n") + "\n");
console.log(`wrote ${dir}/SHA256SUMS`);
