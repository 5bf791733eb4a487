// The pre-filter half of a query (`<filter>=>[KNN …]`): `*`, `@tag:{a|b}`, `@num:[lo hi]` with `(`
// exclusive bounds and ±inf, `-` negation, juxtaposition = AND, `|` = OR, parentheses.
// `{a,b}` is one tag "a,b" and so matches nothing, as in valkey-search 1.0.3.

import type { Attribute, IndexSchema } from "./schema.ts";

/** What a filter sees of an indexed document, keyed by attribute alias. */
export type FilterableDoc = {
  tags: Map<string, Set<string>>;
  numbers: Map<string, number>;
};

export type Filter =
  | { kind: "all" }
  | { kind: "tag"; alias: string; values: string[] }
  | { kind: "numeric"; alias: string; low: number; lowInclusive: boolean; high: number; highInclusive: boolean }
  | { kind: "not"; child: Filter }
  | { kind: "and"; children: Filter[] }
  | { kind: "or"; children: Filter[] };

export class FilterError extends Error {}

export function matches(filter: Filter, doc: FilterableDoc): boolean {
  switch (filter.kind) {
    case "all":
      return true;
    case "tag": {
      const tags = doc.tags.get(filter.alias);
      return tags !== undefined && filter.values.some((v) => tags.has(v));
    }
    case "numeric": {
      const v = doc.numbers.get(filter.alias);
      if (v === undefined) return false;
      const aboveLow = filter.lowInclusive ? v >= filter.low : v > filter.low;
      const belowHigh = filter.highInclusive ? v <= filter.high : v < filter.high;
      return aboveLow && belowHigh;
    }
    case "not":
      return !matches(filter.child, doc);
    case "and":
      return filter.children.every((c) => matches(c, doc));
    case "or":
      return filter.children.some((c) => matches(c, doc));
  }
}

/** ASCII-only lower-casing: strings here are latin1 views of bytes, so UTF-8 must stay intact. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

export function parseFilter(text: string, schema: IndexSchema): Filter {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "*") return { kind: "all" };
  const parser = new FilterParser(trimmed, schema);
  const filter = parser.parseOr();
  parser.skipSpace();
  if (!parser.done) throw new FilterError(`Unexpected character at position ${parser.pos + 1}: \`${parser.rest[0]}\``);
  return filter;
}

class FilterParser {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly schema: IndexSchema,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }
  get rest(): string {
    return this.text.slice(this.pos);
  }
  skipSpace(): void {
    while (!this.done && /\s/.test(this.text[this.pos])) this.pos++;
  }

  parseOr(): Filter {
    const children = [this.parseAnd()];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== "|") break;
      this.pos++;
      children.push(this.parseAnd());
    }
    return children.length === 1 ? children[0] : { kind: "or", children };
  }

  private parseAnd(): Filter {
    const children: Filter[] = [];
    for (;;) {
      this.skipSpace();
      const c = this.text[this.pos];
      if (this.done || c === ")" || c === "|") break;
      children.push(this.parseUnary());
    }
    if (children.length === 0) throw new FilterError(`Empty expression at position ${this.pos + 1}`);
    return children.length === 1 ? children[0] : { kind: "and", children };
  }

  private parseUnary(): Filter {
    const c = this.text[this.pos];
    if (c === "-") {
      this.pos++;
      this.skipSpace();
      return { kind: "not", child: this.parseUnary() };
    }
    if (c === "(") {
      this.pos++;
      const inner = this.parseOr();
      this.skipSpace();
      if (this.text[this.pos] !== ")") throw new FilterError("Missing `)`");
      this.pos++;
      return inner;
    }
    if (c === "*") {
      this.pos++;
      return { kind: "all" };
    }
    if (c === "@") return this.parsePredicate();
    throw new FilterError(`Unexpected character at position ${this.pos + 1}: \`${c}\``);
  }

  private parsePredicate(): Filter {
    this.pos++; // '@'
    const colon = this.text.indexOf(":", this.pos);
    if (colon < 0) throw new FilterError("Missing `:` after field name");
    const alias = this.text.slice(this.pos, colon).trim();
    this.pos = colon + 1;
    this.skipSpace();
    const attribute = this.findAttribute(alias);
    const open = this.text[this.pos];
    if (open === "{") {
      if (attribute.kind !== "TAG") throw new FilterError(`\`${alias}\` is not indexed as a tag field`);
      const body = this.readUntil("}");
      const values = splitTagQuery(body).map((v) => (attribute.caseSensitive ? v : asciiLower(v)));
      return { kind: "tag", alias: attribute.alias, values };
    }
    if (open === "[") {
      if (attribute.kind !== "NUMERIC") throw new FilterError(`\`${alias}\` is not indexed as a numeric field`);
      const bounds = this.readUntil("]").trim().split(/\s+/);
      if (bounds.length !== 2) throw new FilterError("Expected two bounds in a numeric range `[low high]`");
      const low = parseBound(bounds[0]);
      const high = parseBound(bounds[1]);
      return {
        kind: "numeric",
        alias: attribute.alias,
        low: low.value,
        lowInclusive: low.inclusive,
        high: high.value,
        highInclusive: high.inclusive,
      };
    }
    throw new FilterError(`Expected \`{\` or \`[\` after \`@${alias}:\``);
  }

  private findAttribute(alias: string): Attribute {
    const attribute = this.schema.attributes.find((a) => a.alias === alias);
    if (attribute === undefined) throw new FilterError(`Index field \`${alias}\` not exists`);
    return attribute;
  }

  /** Consumes an opening bracket and returns the text up to the matching close, honouring `\` escapes. */
  private readUntil(close: string): string {
    this.pos++;
    let out = "";
    while (!this.done && this.text[this.pos] !== close) {
      if (this.text[this.pos] === "\\" && this.pos + 1 < this.text.length) this.pos++;
      out += this.text[this.pos++];
    }
    if (this.done) throw new FilterError(`Missing \`${close}\``);
    this.pos++;
    return out;
  }
}

function splitTagQuery(body: string): string[] {
  return body
    .split("|")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

function parseBound(text: string): { value: number; inclusive: boolean } {
  const exclusive = text.startsWith("(");
  const raw = exclusive ? text.slice(1) : text;
  const lower = raw.toLowerCase();
  const value = lower === "+inf" || lower === "inf" ? Infinity : lower === "-inf" ? -Infinity : Number(raw);
  if (raw === "" || Number.isNaN(value)) throw new FilterError(`Invalid numeric bound \`${text}\``);
  return { value, inclusive: !exclusive };
}
