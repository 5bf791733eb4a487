import { describe, expect, test } from "bun:test";
import { DEFAULT_ERROR_RING_SIZE } from "../../src/resp/error-ring.ts";
import { ReplyScanner, type ReplyScannerOptions } from "../../src/resp/reply-scanner.ts";
import { RespProtocolError } from "../../src/resp/types.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

interface ScanTotals {
  replies: number;
  errors: number;
  pushes: number;
  codes: string[];
}

/** Feeds `data` cut at `cuts` (as ranges of one buffer) and sums what each feed reports. */
function scan(data: Uint8Array, cuts: number[] = [0, data.byteLength], opts?: ReplyScannerOptions): ScanTotals {
  const scanner = new ReplyScanner(opts);
  const totals: ScanTotals = { replies: 0, errors: 0, pushes: 0, codes: [] };
  for (let k = 1; k < cuts.length; k++) {
    totals.replies += scanner.feed(data, cuts[k - 1], cuts[k]);
    totals.errors += scanner.errorCount;
    totals.pushes += scanner.pushCount;
    scanner.forEachError((code) => totals.codes.push(code));
  }
  return totals;
}

function scanText(text: string): ScanTotals {
  return scan(bytes(text));
}

function scanError(text: string, opts?: ReplyScannerOptions): string {
  try {
    scan(bytes(text), undefined, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(RespProtocolError);
    return (err as Error).message;
  }
  throw new Error(`no RespProtocolError for ${JSON.stringify(text)}`);
}

describe("ReplyScanner counts complete top-level replies", () => {
  test("each scalar type is one reply", () => {
    const stream = "+OK\r\n:1\r\n$3\r\nfoo\r\n_\r\n,1.5\r\n#t\r\n(12345678901234567890\r\n=8\r\ntxt:abcd\r\n$-1\r\n*-1\r\n";
    expect(scanText(stream).replies).toBe(10);
  });

  test("an aggregate is one reply however deeply it nests", () => {
    expect(scanText("*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n*0\r\n").replies).toBe(1);
    expect(scanText("%2\r\n+a\r\n*1\r\n:1\r\n+b\r\n%1\r\n+c\r\n~1\r\n#f\r\n").replies).toBe(1);
    expect(scanText("*0\r\n%0\r\n~0\r\n").replies).toBe(3);
  });

  test("a map counts two elements per entry", () => {
    const scanner = new ReplyScanner();
    const data = bytes("%2\r\n+a\r\n:1\r\n+b\r\n");
    expect(scanner.feed(data, 0, data.byteLength)).toBe(0);
    const rest = bytes(":2\r\n");
    expect(scanner.feed(rest, 0, rest.byteLength)).toBe(1);
  });

  test("attributes are skipped and are not elements of their parent", () => {
    expect(scanText("|1\r\n+ttl\r\n:3600\r\n+value\r\n").replies).toBe(1);
    expect(scanText("*2\r\n|1\r\n+popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n:1\r\n:2\r\n").replies).toBe(1);
    expect(scanText("|0\r\n:5\r\n").replies).toBe(1);
  });

  test("top-level push messages are counted as pushes, not replies", () => {
    const totals = scanText(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n+OK\r\n>0\r\n");
    expect(totals.replies).toBe(1);
    expect(totals.pushes).toBe(2);
  });

  test("top-level errors are counted and their codes reported in order", () => {
    const totals = scanText("-ERR unknown command\r\n+OK\r\n!21\r\nSYNTAX invalid syntax\r\n-MOVED 3999 127.0.0.1:6381\r\n-\r\n");
    expect(totals.replies).toBe(5);
    expect(totals.errors).toBe(4);
    expect(totals.codes).toEqual(["ERR", "SYNTAX", "MOVED", "(empty error)"]);
  });

  test("repeated and alternating codes of equal length are each reported correctly", () => {
    const totals = scanText("-ERR a\r\n-ERR b\r\n-ASK 1 h:1\r\n!3\r\nERR\r\n-ASKING\r\n-ASK x\r\n");
    expect(totals.codes).toEqual(["ERR", "ERR", "ASK", "ERR", "ASKING", "ASK"]);
  });

  test("errors nested in an aggregate belong to a successful reply", () => {
    const totals = scanText("*2\r\n+OK\r\n-WRONGTYPE Operation\r\n|1\r\n-ERR x\r\n:1\r\n:2\r\n");
    expect(totals.replies).toBe(2);
    expect(totals.errors).toBe(0);
  });

  test("error counts stay exact past the code ring; the ring keeps the most recent codes", () => {
    const n = DEFAULT_ERROR_RING_SIZE + 5;
    const stream = Array.from({ length: n }, (_, i) => `-E${i} msg\r\n`).join("");
    const totals = scanText(stream);
    expect(totals.errors).toBe(n);
    expect(totals.codes).toEqual(Array.from({ length: DEFAULT_ERROR_RING_SIZE }, (_, i) => `E${i + 5}`));
  });

  test("reserve(n) keeps the details of n errors in one feed (the engine reserves the pipeline)", () => {
    const n = DEFAULT_ERROR_RING_SIZE * 4;
    const data = bytes(Array.from({ length: n }, (_, i) => `-MOVED ${i} 127.0.0.1:7000\r\n`).join(""));
    const scanner = new ReplyScanner();
    scanner.reserve(n);
    expect(scanner.feed(data, 0, data.byteLength)).toBe(n);
    const seen: [string, number, string][] = [];
    scanner.forEachErrorDetail((code, ordinal, message) => seen.push([code, ordinal, message]));
    expect(seen).toHaveLength(n);
    expect(seen[n - 1]).toEqual(["MOVED", n - 1, `MOVED ${n - 1} 127.0.0.1:7000`]);
  });

  test("every split into two chunks gives the same counts, codes included", () => {
    const data = bytes("*2\r\n$5\r\nhello\r\n%1\r\n+k\r\n,2.5\r\n-ERR oops\r\n>1\r\n:1\r\n!5\r\nWRONG\r\n$0\r\n\r\n");
    for (let cut = 0; cut <= data.byteLength; cut++) {
      expect(scan(data, [0, cut, data.byteLength])).toEqual({ replies: 4, errors: 2, pushes: 1, codes: ["ERR", "WRONG"] });
    }
  });

  test("1-byte feeds give the same counts", () => {
    const data = bytes("*3\r\n$3\r\nfoo\r\n:12\r\n*1\r\n$-1\r\n-ERR bad\r\n|1\r\n+a\r\n+b\r\n+c\r\n");
    const cuts = Array.from({ length: data.byteLength + 1 }, (_, i) => i);
    expect(scan(data, cuts)).toEqual({ replies: 3, errors: 1, pushes: 0, codes: ["ERR"] });
  });

  test("a bulk body split over many feeds is skipped, not buffered", () => {
    const scanner = new ReplyScanner();
    const head = bytes("$100000\r\n");
    expect(scanner.feed(head, 0, head.byteLength)).toBe(0);
    const body = new Uint8Array(1000).fill(13); // CR bytes inside a body are data
    for (let i = 0; i < 100; i++) expect(scanner.feed(body, 0, body.byteLength)).toBe(0);
    const tail = bytes("\r\n+OK\r\n");
    expect(scanner.feed(tail, 0, tail.byteLength)).toBe(2);
  });
});

describe("ReplyScanner rejects malformed bytes with RespProtocolError", () => {
  test("unknown type byte, with its stream offset across feeds", () => {
    const scanner = new ReplyScanner();
    const data = bytes("+OK\r\n+OK\r\n@");
    scanner.feed(data, 0, 5);
    expect(() => scanner.feed(data, 5, data.byteLength)).toThrow("invalid RESP: unknown type byte 0x40 at byte offset 10");
  });

  test("bad lengths, missing CRLF, limits and streamed replies", () => {
    expect(scanError("$1x\r\n")).toContain("non-digit in length header at byte offset 2");
    expect(scanError("$\r\n")).toContain("length header without digits");
    expect(scanError("$-2\r\n")).toContain("negative length");
    expect(scanError("%-1\r\n")).toContain("negative length");
    expect(scanError("$3\r\nabcd\r\n")).toContain("missing CRLF after bulk string at byte offset 7");
    expect(scanError("+OK\rX")).toContain("CR not followed by LF at byte offset 4");
    expect(scanError("$99999999999\r\n")).toContain("length header too long");
    expect(scanError("$11\r\n", { maxBulkBytes: 10 })).toContain("over maxBulkBytes (10)");
    expect(scanError("*5\r\n", { maxAggregateLength: 4 })).toContain("over maxAggregateLength (4)");
    expect(scanError("*1\r\n*1\r\n*1\r\n:1\r\n", { maxDepth: 2 })).toContain("nesting deeper than maxDepth (2)");
    expect(scanError("$?\r\n")).toContain("streamed RESP3 replies are not supported");
  });

  test("reset() makes the scanner usable for a fresh stream", () => {
    const scanner = new ReplyScanner();
    const bad = bytes("*2\r\n:1\r\n");
    scanner.feed(bad, 0, bad.byteLength);
    scanner.reset();
    const good = bytes("+OK\r\n");
    expect(scanner.feed(good, 0, good.byteLength)).toBe(1);
  });
});

describe("ReplyScanner error details for cluster redirects", () => {
  const enc = new TextEncoder();
  test("each error carries its position in the feed, and MOVED/ASK keep their whole line", () => {
    const s = new ReplyScanner();
    const bytes = enc.encode("+OK\r\n-MOVED 3999 127.0.0.1:6381\r\n:1\r\n-ERR wrong\r\n-ASK 12 10.0.0.5:7000\r\n");
    // split the MOVED line across two feeds: its details must survive the boundary
    expect(s.feed(bytes, 0, 12)).toBe(1);
    expect(s.feed(bytes, 12, bytes.length)).toBe(4);
    const seen: [string, number, string][] = [];
    s.forEachErrorDetail((code, ordinal, message) => seen.push([code, ordinal, message]));
    expect(seen).toEqual([
      ["MOVED", 0, "MOVED 3999 127.0.0.1:6381"],
      ["ERR", 2, ""],
      ["ASK", 3, "ASK 12 10.0.0.5:7000"],
    ]);
  });
});
