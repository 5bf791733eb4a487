// FT.CREATE grammar of valkey-search 1.0.3:
//   FT.CREATE <name> [ON HASH|JSON] [PREFIX n p…] SCHEMA
//     (<field> [AS alias] (TAG [SEPARATOR c] [CASESENSITIVE] | NUMERIC | VECTOR HNSW|FLAT <nattrs> <k v>…))+
// Errors quoted in anchors (h) are reproduced verbatim; the others follow the module's style.

export type DistanceMetric = "L2" | "IP" | "COSINE";

type AttributeBase = { identifier: string; alias: string };
export type VectorAttribute = AttributeBase & {
  kind: "VECTOR";
  algorithm: "HNSW" | "FLAT";
  dim: number;
  metric: DistanceMetric;
  m: number;
  efConstruction: number;
  efRuntime: number;
  initialCap: number;
  blockSize: number;
};
export type TagAttribute = AttributeBase & { kind: "TAG"; separator: string; caseSensitive: boolean };
export type NumericAttribute = AttributeBase & { kind: "NUMERIC" };
export type Attribute = VectorAttribute | TagAttribute | NumericAttribute;

export type IndexSchema = {
  name: string;
  on: "HASH" | "JSON";
  /** Empty means every key. */
  prefixes: string[];
  attributes: Attribute[];
};

const MAX_ATTRIBUTES = 50;
const MAX_DIM = 32768;
const MAX_EF = 4096;
const DEFAULT_CAPACITY = 10240;
const DEFAULT_BLOCK_SIZE = 1024;

export class SchemaError extends Error {}

/** Cursor over FT.CREATE arguments with case-insensitive keyword checks. */
class Args {
  pos = 0;
  constructor(private readonly items: string[]) {}
  get done(): boolean {
    return this.pos >= this.items.length;
  }
  peekIs(keyword: string): boolean {
    return !this.done && this.items[this.pos].toUpperCase() === keyword;
  }
  next(what: string): string {
    if (this.done) throw new SchemaError(`Missing argument: ${what}`);
    return this.items[this.pos++];
  }
  nextInt(what: string): number {
    const text = this.next(what);
    const n = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n)) {
      throw new SchemaError(`Bad arguments for ${what}: \`${text}\` is not a valid integer`);
    }
    return n;
  }
}

export function parseCreate(args: string[]): IndexSchema {
  const it = new Args(args);
  const name = it.next("index name");
  let on: IndexSchema["on"] = "HASH";
  if (it.peekIs("ON")) {
    it.pos++;
    const kind = it.next("ON").toUpperCase();
    if (kind !== "HASH" && kind !== "JSON") throw new SchemaError(`Bad arguments for ON: Unknown argument \`${kind}\``);
    on = kind;
  }
  const prefixes: string[] = [];
  if (it.peekIs("PREFIX")) {
    it.pos++;
    const count = it.nextInt("PREFIX");
    if (count < 0 || count > args.length - it.pos) {
      throw new SchemaError(`Bad arguments for PREFIX: \`${count}\` is outside acceptable bounds`);
    }
    for (let i = 0; i < count; i++) prefixes.push(it.next("PREFIX"));
  }
  if (!it.peekIs("SCHEMA")) {
    if (it.done) throw new SchemaError("Missing argument SCHEMA");
    throw new SchemaError(`Unexpected argument \`${args[it.pos]}\``);
  }
  it.pos++;
  const attributes: Attribute[] = [];
  while (!it.done) {
    const attribute = parseAttribute(it);
    if (attributes.some((a) => a.identifier === attribute.identifier)) {
      throw new SchemaError(`Duplicate field in schema - ${attribute.identifier}`);
    }
    if (attributes.length >= MAX_ATTRIBUTES) {
      throw new SchemaError(`The maximum number of attributes cannot exceed ${MAX_ATTRIBUTES}.`);
    }
    attributes.push(attribute);
  }
  if (!attributes.some((a) => a.kind === "VECTOR")) {
    throw new SchemaError("At least one attribute must be indexed as a vector");
  }
  return { name, on, prefixes, attributes };
}

function parseAttribute(it: Args): Attribute {
  const identifier = it.next("attribute name");
  let alias = identifier;
  if (it.peekIs("AS")) {
    it.pos++;
    alias = it.next("AS");
  }
  const type = it.next(`type for field \`${identifier}\``).toUpperCase();
  const fieldError = (detail: string) =>
    new SchemaError(`Invalid field type for field \`${identifier}\`: ${detail}`);
  if (type === "NUMERIC") return { kind: "NUMERIC", identifier, alias };
  if (type === "TAG") {
    let separator = ",";
    let caseSensitive = false;
    for (;;) {
      if (it.peekIs("SEPARATOR")) {
        it.pos++;
        const sep = it.next("SEPARATOR");
        if (sep.length !== 1) throw fieldError(`The separator must be a single character, but got \`${sep}\``);
        separator = sep;
      } else if (it.peekIs("CASESENSITIVE")) {
        it.pos++;
        caseSensitive = true;
      } else break;
    }
    return { kind: "TAG", identifier, alias, separator, caseSensitive };
  }
  if (type !== "VECTOR") throw new SchemaError(`Unknown argument \`${type}\``);
  const algorithm = it.next("vector algorithm").toUpperCase();
  if (algorithm !== "HNSW" && algorithm !== "FLAT") {
    throw fieldError(`Unknown argument \`${algorithm}\``);
  }
  const nattrs = it.nextInt(`${algorithm} attribute count`);
  const params = new Map<string, string>();
  const end = it.pos + nattrs;
  if (nattrs < 0 || nattrs % 2 !== 0) throw fieldError(`Bad arguments for ${algorithm}: \`${nattrs}\` is not an even attribute count`);
  while (it.pos < end) {
    const key = it.next(`${algorithm} parameters`).toUpperCase();
    const value = it.next(`${algorithm} parameter ${key}`);
    params.set(key, value);
  }
  return buildVector(identifier, alias, algorithm, params, fieldError);
}

function buildVector(
  identifier: string,
  alias: string,
  algorithm: "HNSW" | "FLAT",
  params: Map<string, string>,
  fieldError: (detail: string) => SchemaError,
): VectorAttribute {
  const allowed =
    algorithm === "HNSW"
      ? ["TYPE", "DIM", "DISTANCE_METRIC", "M", "EF_CONSTRUCTION", "EF_RUNTIME", "INITIAL_CAP"]
      : ["TYPE", "DIM", "DISTANCE_METRIC", "INITIAL_CAP", "BLOCK_SIZE"];
  for (const key of params.keys()) {
    if (!allowed.includes(key)) throw fieldError(`Unexpected argument \`${key}\``);
  }
  const int = (key: string, fallback: number, max: number): number => {
    const text = params.get(key);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n <= 0 || n > max) {
      throw fieldError(`${key} must be a positive integer greater than 0 and cannot exceed ${max}.`);
    }
    return n;
  };
  const type = params.get("TYPE");
  if (type === undefined) throw fieldError("Missing data type parameter.");
  if (type.toUpperCase() !== "FLOAT32") throw fieldError(`Bad arguments for TYPE: Unknown argument \`${type}\``);
  if (!params.has("DIM")) throw fieldError("Missing dimensions parameter.");
  const dim = int("DIM", 0, MAX_DIM - 1);
  const metricText = params.get("DISTANCE_METRIC");
  if (metricText === undefined) throw fieldError("Missing distance metric parameter.");
  const metric = metricText.toUpperCase();
  if (metric !== "L2" && metric !== "IP" && metric !== "COSINE") {
    throw fieldError(`Bad arguments for DISTANCE_METRIC: Unknown argument \`${metricText}\``);
  }
  return {
    kind: "VECTOR",
    identifier,
    alias,
    algorithm,
    dim,
    metric,
    m: int("M", 16, 512),
    efConstruction: int("EF_CONSTRUCTION", 200, MAX_EF),
    efRuntime: int("EF_RUNTIME", 10, MAX_EF),
    initialCap: int("INITIAL_CAP", DEFAULT_CAPACITY, 2 ** 31 - 1),
    blockSize: int("BLOCK_SIZE", DEFAULT_BLOCK_SIZE, 2 ** 31 - 1),
  };
}
