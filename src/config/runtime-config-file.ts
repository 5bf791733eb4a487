/**
 * The --runtime-config file: server parameters to CONFIG SET for the run. Two forms:
 *
 *     # YAML mapping                     # or valkey.conf-style lines
 *     maxmemory-policy: allkeys-lru      maxmemory-policy allkeys-lru
 *     hz: 100                            hz 100
 *     save: ""                           save ""
 *
 * A parameter given twice, an empty name or a nested value is refused here (exit 2), before
 * any connection; whether a server takes a parameter is checked on the servers.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors.ts";
import { shellSplit } from "./shell-split.ts";

export interface RuntimeSetting {
  /** Lower case, as CONFIG GET reports it. */
  name: string;
  value: string;
}

function fail(spelling: string, file: string, problem: string): never {
  throw new UserError(`${spelling} ${file}: ${problem}`);
}

function fromYaml(text: string, spelling: string, file: string): [string, string][] {
  let doc: unknown;
  try {
    doc = Bun.YAML.parse(text);
  } catch (e) {
    fail(spelling, file, `not valid YAML (${(e as Error).message.split("\n")[0]})`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) fail(spelling, file, "expected a YAML mapping of parameter: value");
  return Object.entries(doc as Record<string, unknown>).map(([name, value]) => {
    if (value === null) return [name, ""];
    if (typeof value === "object") fail(spelling, file, `the value of ${name} must be a string or a number, not a list or mapping`);
    return [name, String(value)];
  });
}

function fromLines(text: string, spelling: string, file: string): [string, string][] {
  const out: [string, string][] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    let words: string[];
    try {
      words = shellSplit(line);
    } catch (e) {
      fail(spelling, file, `line ${i + 1}: ${(e as Error).message}`);
    }
    if (words.length < 2 && !/["']\s*$/.test(line)) fail(spelling, file, `line ${i + 1}: expected 'name value' (got ${line})`);
    out.push([words[0]!, words.slice(1).join(" ")]);
  });
  return out;
}

/** Reads and checks the file; `spelling` is the flag as the user wrote it. */
export function readRuntimeConfig(file: string, spelling: string): RuntimeSetting[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    fail(spelling, file, `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const firstLine = text.split("\n").map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("#")) ?? "";
  const pairs = /^[A-Za-z0-9_.-]+:(\s|$)/.test(firstLine) || firstLine.startsWith("{") ? fromYaml(text, spelling, file) : fromLines(text, spelling, file);
  if (pairs.length === 0) fail(spelling, file, "names no parameter");
  const seen = new Set<string>();
  return pairs.map(([rawName, value]) => {
    const name = rawName.trim().toLowerCase();
    if (!/^[a-z0-9_.-]+$/.test(name)) fail(spelling, file, `'${rawName}' is not a configuration parameter name`);
    if (seen.has(name)) fail(spelling, file, `${name} is given twice`);
    seen.add(name);
    return { name, value };
  });
}
