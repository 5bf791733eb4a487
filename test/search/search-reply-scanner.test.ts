import { describe, expect, test } from "bun:test";
import { ReplyScanner } from "../../src/resp/reply-scanner.ts";
import { RespProtocolError } from "../../src/resp/types.ts";
import { KeyIdDecoder } from "../../src/search/key-id.ts";
import { SearchReplyScanner, type SearchReplyScannerOptions } from "../../src/search/search-reply-scanner.ts";
import { corrupt, randomChunking, randomStream, Rng } from "../resp/random-resp.ts";
import { encodeValues } from "../resp/resp3-value-encoder.ts";

/** A Python bytes literal's content (with \x.. escapes already applied by JS) as bytes. */
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

interface Reply {
  ids: number[];
  total: number;
}

interface ScanResult {
  replies: number;
  searchReplies: Reply[];
  errors: { code: string; ordinal: number; message: string; feed: number }[];
  pushes: number;
}

function makeScanner(prefix = "vec:", opts?: SearchReplyScannerOptions): { scanner: SearchReplyScanner; got: Reply[] } {
  const got: Reply[] = [];
  const sink = {
    onSearchReply(ids: Float64Array, count: number, total: number): void {
      got.push({ ids: Array.from(ids.subarray(0, count)), total });
    },
  };
  return { scanner: new SearchReplyScanner(new KeyIdDecoder(prefix), sink, opts), got };
}

/** Feeds `data` cut at `cuts` and collects everything the scanner reports. */
function scan(data: Uint8Array, cuts: number[] = [0, data.byteLength], prefix = "vec:", opts?: SearchReplyScannerOptions): ScanResult {
  const { scanner, got } = makeScanner(prefix, opts);
  const result: ScanResult = { replies: 0, searchReplies: got, errors: [], pushes: 0 };
  for (let k = 1; k < cuts.length; k++) {
    result.replies += scanner.feed(data, cuts[k - 1]!, cuts[k]!);
    result.pushes += scanner.pushCount;
    scanner.forEachErrorDetail((code, ordinal, message) => result.errors.push({ code, ordinal, message, feed: k - 1 }));
  }
  return result;
}

const oneByteCuts = (length: number): number[] => Array.from({ length: length + 1 }, (_, i) => i);

/** Every way to cut `data` in two, each fed to a fresh scanner, must give `expected`. */
function expectEverySplit(data: Uint8Array, expected: Reply[], prefix = "vec:"): void {
  expect(scan(data, undefined, prefix).searchReplies).toEqual(expected);
  expect(scan(data, oneByteCuts(data.byteLength), prefix).searchReplies).toEqual(expected);
  for (let cut = 0; cut <= data.byteLength; cut++) {
    const r = scan(data, [0, cut, data.byteLength], prefix);
    if (JSON.stringify(r.searchReplies) !== JSON.stringify(expected)) {
      throw new Error(`split at byte ${cut}: got ${JSON.stringify(r.searchReplies)}`);
    }
    expect(r.replies).toBe(expected.length);
  }
}

// The FT.SEARCH replies of valkey-search 1.0.3, copied from anchors.md section (h).
const ANCHOR_DEFAULT =
  "*5\r\n:2\r\n$5\r\nvec:2\r\n*6\r\n$17\r\n__embedding_score\r\n$15\r\n0.0200000051409\r\n$4\r\nname\r\n$5\r\nitem2\r\n$9\r\nembedding\r\n$16\r\n\x00\x00\x80?\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\r\n$5\r\nvec:5\r\n*6\r\n$17\r\n__embedding_score\r\n$14\r\n0.319999992847\r\n$4\r\nname\r\n$5\r\nitem5\r\n$9\r\nembedding\r\n$16\r\n\x00\x00\x00?\x00\x00\x00?\x00\x00\x00\x00\x00\x00\x00\x00\r\n";
const ANCHOR_NOCONTENT = "*3\r\n:2\r\n$5\r\nvec:2\r\n$5\r\nvec:5\r\n";
const ANCHOR_RETURN_1 = "*5\r\n:2\r\n$5\r\nvec:2\r\n*2\r\n$4\r\nname\r\n$5\r\nitem2\r\n$5\r\nvec:5\r\n*2\r\n$4\r\nname\r\n$5\r\nitem5\r\n";
const ANCHOR_RETURN_2 =
  "*5\r\n:2\r\n$5\r\nvec:2\r\n*4\r\n$17\r\n__embedding_score\r\n$15\r\n0.0200000051409\r\n$4\r\nname\r\n$5\r\nitem2\r\n$5\r\nvec:5\r\n*4\r\n$17\r\n__embedding_score\r\n$14\r\n0.319999992847\r\n$4\r\nname\r\n$5\r\nitem5\r\n";
const ANCHOR_RETURN_0 = "*3\r\n:2\r\n$5\r\nvec:2\r\n$5\r\nvec:5\r\n";
const ANCHOR_EF_RUNTIME =
  "*5\r\n:2\r\n$5\r\nvec:2\r\n*6\r\n$17\r\n__embedding_score\r\n$15\r\n0.0200000051409\r\n$4\r\nname\r\n$5\r\nitem2\r\n$9\r\nembedding\r\n$16\r\n\x00\x00\x80?\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\r\n$5\r\nvec:5\r\n*6\r\n$17\r\n__embedding_score\r\n$14\r\n0.319999992847\r\n$4\r\nname\r\n$5\r\nitem5\r\n$9\r\nembedding\r\n$16\r\n\x00\x00\x00?\x00\x00\x00?\x00\x00\x00\x00\x00\x00\x00\x00\r\n";
const ANCHOR_ALIAS =
  "*5\r\n:2\r\n$5\r\nvec:2\r\n*4\r\n$1\r\nd\r\n$15\r\n0.0200000051409\r\n$4\r\nname\r\n$5\r\nitem2\r\n$5\r\nvec:5\r\n*4\r\n$1\r\nd\r\n$14\r\n0.319999992847\r\n$4\r\nname\r\n$5\r\nitem5\r\n";
const ANCHOR_KNN_50 = "*4\r\n:3\r\n$5\r\nvec:2\r\n$5\r\nvec:5\r\n$5\r\nvec:1\r\n";
const ANCHOR_LIMIT_1_1 = "*2\r\n:3\r\n$5\r\nvec:5\r\n";
const ANCHOR_LIMIT_0_0 = "*1\r\n:2\r\n";
const ANCHOR_BLOB_ERROR =
  "-Error parsing vector similarity parameters: query vector blob size (8) does not match index's expected size (16).\r\n";
const ANCHOR_FILTER_ERROR = "-Invalid filter format. Missing `=>`\r\n";

const ANCHOR_REPLIES: [name: string, bytes: string, expected: Reply][] = [
  ["default (all fields)", ANCHOR_DEFAULT, { ids: [2, 5], total: 2 }],
  ["NOCONTENT", ANCHOR_NOCONTENT, { ids: [2, 5], total: 2 }],
  ["RETURN 1 name", ANCHOR_RETURN_1, { ids: [2, 5], total: 2 }],
  ["RETURN 2 __embedding_score name", ANCHOR_RETURN_2, { ids: [2, 5], total: 2 }],
  ["RETURN 0", ANCHOR_RETURN_0, { ids: [2, 5], total: 2 }],
  ["EF_RUNTIME", ANCHOR_EF_RUNTIME, { ids: [2, 5], total: 2 }],
  ["AS alias, RETURN 2 d name", ANCHOR_ALIAS, { ids: [2, 5], total: 2 }],
  ["KNN 50 NOCONTENT", ANCHOR_KNN_50, { ids: [2, 5, 1], total: 3 }],
  ["LIMIT 1 1", ANCHOR_LIMIT_1_1, { ids: [5], total: 3 }],
  ["LIMIT 0 0", ANCHOR_LIMIT_0_0, { ids: [], total: 2 }],
];

describe("SearchReplyScanner reads every valkey-search reply layout (anchors h)", () => {
  for (const [name, text, expected] of ANCHOR_REPLIES) {
    test(`${name}: ids and total, fed whole, in 1-byte chunks and at every split`, () => {
      expectEverySplit(latin1(text), [expected]);
    });
  }

  test("error replies are errors with their first word as code and never reach the sink", () => {
    for (const text of [ANCHOR_BLOB_ERROR, ANCHOR_FILTER_ERROR]) {
      const data = latin1(text);
      for (const cuts of [[0, data.byteLength], oneByteCuts(data.byteLength)]) {
        const r = scan(data, cuts);
        expect(r.replies).toBe(1);
        expect(r.searchReplies).toEqual([]);
        expect(r.errors.map((e) => [e.code, e.ordinal, e.message])).toEqual([[text.slice(1).split(" ")[0]!, 0, ""]]);
      }
    }
  });

  test("the same layouts work for cluster keys with hash tags", () => {
    const text =
      "*5\r\n:2\r\n$21\r\nvec:{AB1}000000000002\r\n*2\r\n$4\r\nname\r\n$5\r\nitem2\r\n$22\r\nvec:{xY9}:000000000005\r\n*2\r\n$4\r\nname\r\n$5\r\nitem5\r\n";
    expectEverySplit(latin1(text), [{ ids: [2, 5], total: 2 }]);
  });

  test("keys that do not decode keep their rank as -1", () => {
    const text = "*4\r\n:3\r\n$5\r\nvec:2\r\n$5\r\ndoc:7\r\n$5\r\nvec:1\r\n";
    expectEverySplit(latin1(text), [{ ids: [2, -1, 1], total: 3 }]);
  });
});

describe("SearchReplyScanner reads the RESP3 forms", () => {
  test("under HELLO 3 valkey-search sends the same arrays, simple-string keys work too", () => {
    expectEverySplit(latin1("*3\r\n:2\r\n+vec:2\r\n+vec:5\r\n"), [{ ids: [2, 5], total: 2 }]);
  });

  test("RediSearch's map form: total_results and the id of each result", () => {
    const text =
      "%5\r\n" +
      "$10\r\nattributes\r\n*0\r\n" +
      "$7\r\nwarning\r\n*0\r\n" +
      "$13\r\ntotal_results\r\n:3\r\n" +
      "$6\r\nformat\r\n+STRING\r\n" +
      "$7\r\nresults\r\n*3\r\n" +
      "%3\r\n$2\r\nid\r\n$5\r\nvec:2\r\n$16\r\nextra_attributes\r\n%1\r\n$4\r\nname\r\n$5\r\nitem2\r\n$6\r\nvalues\r\n*0\r\n" +
      "%2\r\n$16\r\nextra_attributes\r\n%1\r\n$2\r\nid\r\n$5\r\nvec:9\r\n+id\r\n+vec:5\r\n" +
      "%1\r\n+id\r\n=9\r\ntxt:vec:1\r\n";
    // The second result's "id" inside extra_attributes is a field, not the key: only vec:5 counts.
    expectEverySplit(latin1(text), [{ ids: [2, 5, 1], total: 3 }]);
  });

  test("results before total_results in the map still give the total", () => {
    const text = "%2\r\n+results\r\n*1\r\n%1\r\n+id\r\n+vec:4\r\n+total_results\r\n:1\r\n";
    expectEverySplit(latin1(text), [{ ids: [4], total: 1 }]);
  });

  test("attributes are skipped wherever they appear", () => {
    const text = "|1\r\n+ttl\r\n:5\r\n*3\r\n|1\r\n+a\r\n*1\r\n$5\r\nvec:9\r\n:2\r\n$5\r\nvec:2\r\n|1\r\n+b\r\n:0\r\n$5\r\nvec:5\r\n";
    expectEverySplit(latin1(text), [{ ids: [2, 5], total: 2 }]);
  });

  test("push messages between replies are skipped and counted apart", () => {
    const data = latin1(">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nvec:1\r\n" + ANCHOR_NOCONTENT + ">1\r\n+x\r\n");
    for (const cuts of [[0, data.byteLength], oneByteCuts(data.byteLength)]) {
      const r = scan(data, cuts);
      expect(r.replies).toBe(1);
      expect(r.pushes).toBe(2);
      expect(r.searchReplies).toEqual([{ ids: [2, 5], total: 2 }]);
    }
  });
});

describe("SearchReplyScanner in a pipelined stream", () => {
  const stream =
    ANCHOR_NOCONTENT + ANCHOR_BLOB_ERROR + ANCHOR_DEFAULT + "!20\r\nMOVED 3999 1.2.3.4:7\r\n" + ANCHOR_LIMIT_0_0 + ANCHOR_FILTER_ERROR + ANCHOR_KNN_50;

  test("several replies in one feed reach the sink in order, errors at their ordinals", () => {
    const r = scan(latin1(stream));
    expect(r.replies).toBe(7);
    expect(r.searchReplies).toEqual([
      { ids: [2, 5], total: 2 },
      { ids: [2, 5], total: 2 },
      { ids: [], total: 2 },
      { ids: [2, 5, 1], total: 3 },
    ]);
    expect(r.errors.map((e) => [e.code, e.ordinal, e.message])).toEqual([
      ["Error", 1, ""],
      ["MOVED", 3, "MOVED 3999 1.2.3.4:7"],
      ["Invalid", 5, ""],
    ]);
  });

  test("error ordinals count the replies completed by the feed that completed the error", () => {
    const data = latin1(stream);
    const second = ANCHOR_NOCONTENT.length + ANCHOR_BLOB_ERROR.length + 10; // inside ANCHOR_DEFAULT
    const r = scan(data, [0, second, data.byteLength]);
    expect(r.replies).toBe(7);
    expect(r.errors.map((e) => [e.code, e.ordinal, e.feed])).toEqual([
      ["Error", 1, 0],
      ["MOVED", 1, 1],
      ["Invalid", 3, 1],
    ]);
  });

  test("in 1-byte chunks every error, bulk errors included, is reported with ordinal 0", () => {
    const data = latin1(stream);
    const r = scan(data, oneByteCuts(data.byteLength));
    expect(r.replies).toBe(7);
    expect(r.searchReplies.length).toBe(4);
    expect(r.errors.map((e) => [e.code, e.ordinal, e.message])).toEqual([
      ["Error", 0, ""],
      ["MOVED", 0, "MOVED 3999 1.2.3.4:7"],
      ["Invalid", 0, ""],
    ]);
  });

  test("errorCount describes the last feed only", () => {
    const { scanner } = makeScanner();
    const data = latin1(ANCHOR_FILTER_ERROR + ANCHOR_FILTER_ERROR);
    expect(scanner.feed(data, 0, data.byteLength)).toBe(2);
    expect(scanner.errorCount).toBe(2);
    const ok = latin1(ANCHOR_NOCONTENT);
    expect(scanner.feed(ok, 0, ok.byteLength)).toBe(1);
    expect(scanner.errorCount).toBe(0);
  });

  test("non-search replies are counted and reach the sink with total -1", () => {
    const r = scan(latin1("+OK\r\n:2\r\n$-1\r\n*-1\r\n_\r\n" + ANCHOR_NOCONTENT));
    expect(r.replies).toBe(6);
    expect(r.searchReplies).toEqual([
      { ids: [], total: -1 },
      { ids: [], total: -1 },
      { ids: [], total: -1 },
      { ids: [], total: -1 },
      { ids: [], total: -1 },
      { ids: [2, 5], total: 2 },
    ]);
  });

  test("whole NOCONTENT replies (one-pass path) and replies with field lists mix in one stream", () => {
    // The one-pass path reads whole NOCONTENT replies; the first reply with fields turns it off
    // for good. Every split must still give the same replies, whichever path read them.
    const text = ANCHOR_NOCONTENT + ANCHOR_RETURN_1 + ANCHOR_KNN_50 + ANCHOR_LIMIT_0_0;
    expectEverySplit(latin1(text), [
      { ids: [2, 5], total: 2 },
      { ids: [2, 5], total: 2 },
      { ids: [2, 5, 1], total: 3 },
      { ids: [], total: 2 },
    ]);
  });

  test("a whole reply the one-pass path does not take (negative total, null key, error element) reads as before", () => {
    const text = "*2\r\n:-1\r\n$5\r\nvec:4\r\n" + "*3\r\n:2\r\n$-1\r\n$5\r\nvec:6\r\n" + "*3\r\n:2\r\n-ERR x\r\n$5\r\nvec:7\r\n" + ANCHOR_NOCONTENT;
    expectEverySplit(latin1(text), [
      { ids: [4], total: -1 },
      { ids: [6], total: 2 },
      { ids: [7], total: 2 },
      { ids: [2, 5], total: 2 },
    ]);
  });

  test("reset() after a lost connection forgets a half-read reply", () => {
    const { scanner, got } = makeScanner();
    const data = latin1(ANCHOR_DEFAULT);
    expect(scanner.feed(data, 0, 40)).toBe(0);
    scanner.reset();
    const fresh = latin1(ANCHOR_KNN_50);
    expect(scanner.feed(fresh, 0, fresh.byteLength)).toBe(1);
    expect(got).toEqual([{ ids: [2, 5, 1], total: 3 }]);
  });
});

describe("SearchReplyScanner limits", () => {
  test("keys beyond maxResults are counted in droppedResults, the first maxResults kept", () => {
    const { scanner, got } = makeScanner("vec:", { maxResults: 2 });
    const data = latin1(ANCHOR_KNN_50 + ANCHOR_NOCONTENT);
    expect(scanner.feed(data, 0, data.byteLength)).toBe(2);
    expect(got).toEqual([
      { ids: [2, 5], total: 3 },
      { ids: [2, 5], total: 2 },
    ]);
    expect(scanner.droppedResults).toBe(1);
  });

  test("a key longer than the scratch buffer split across chunks decodes to -1 without failing", () => {
    const longKey = "vec:" + "1".repeat(3000);
    const text = `*3\r\n:2\r\n$${longKey.length}\r\n${longKey}\r\n$5\r\nvec:5\r\n`;
    const data = latin1(text);
    expect(scan(data, oneByteCuts(data.byteLength)).searchReplies).toEqual([{ ids: [-1, 5], total: 2 }]);
  });

  test("a split key decodes the same as a whole one (zero-padded, 12 digits)", () => {
    const text = "*3\r\n:2\r\n$16\r\nvec:000000123456\r\n$16\r\nvec:000000000001\r\n";
    expectEverySplit(latin1(text), [{ ids: [123456, 1], total: 2 }]);
  });
});

describe("SearchReplyScanner on malformed input", () => {
  function expectProtocolError(text: string): void {
    expect(() => scan(latin1(text))).toThrow(RespProtocolError);
    expect(() => scan(latin1(text), oneByteCuts(text.length))).toThrow(RespProtocolError);
  }

  test("bad type bytes, headers, CRLFs and totals are RespProtocolErrors", () => {
    expectProtocolError("?3\r\n");
    expectProtocolError("*3\r\n:2\r\n$5\r\nvec:2XX$5\r\nvec:5\r\n");
    expectProtocolError("*x\r\n");
    expectProtocolError("*3\r\n:2\r\r\n");
    expectProtocolError("*1\r\n:2x\r\n");
    expectProtocolError("$-2\r\n");
    expectProtocolError("*?\r\n");
  });

  test("seeded random corruptions either parse or throw RespProtocolError, and terminate", () => {
    const base = latin1(ANCHOR_REPLIES.map((r) => r[1]).join("") + ANCHOR_BLOB_ERROR);
    for (let seed = 1; seed <= 3000; seed++) {
      const rng = new Rng(seed);
      const data = corrupt(rng, base);
      const cuts = randomChunking(rng, data.byteLength);
      try {
        const r = scan(data, cuts);
        expect(r.replies).toBeLessThanOrEqual(data.byteLength);
        for (const reply of r.searchReplies) expect(reply.ids.length).toBeLessThanOrEqual(data.byteLength);
      } catch (err) {
        if (!(err instanceof RespProtocolError)) throw new Error(`seed ${seed}: ${String(err)}`);
      }
    }
  });

  test("on random valid RESP streams it counts the same replies, errors and pushes as ReplyScanner", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new Rng(seed);
      const data = encodeValues(randomStream(rng, { maxDepth: 3, binary: false }, 20), {
        rng,
        attributeChance: 0.1,
        binary: false,
      });
      const cuts = randomChunking(rng, data.byteLength);
      const reference = new ReplyScanner();
      let replies = 0;
      let errors = 0;
      let pushes = 0;
      for (let k = 1; k < cuts.length; k++) {
        replies += reference.feed(data, cuts[k - 1]!, cuts[k]!);
        errors += reference.errorCount;
        pushes += reference.pushCount;
      }
      const r = scan(data, cuts);
      expect({ seed, replies: r.replies, errors: r.errors.length, pushes: r.pushes }).toEqual({ seed, replies, errors, pushes });
      expect(r.searchReplies.length).toBe(replies - errors);
    }
  });
});

describe("SearchReplyScanner on generated search replies", () => {
  /** A random FT.SEARCH reply in array form: keys (some foreign), optional nested field arrays. */
  function randomSearchReply(rng: Rng): { text: string; expected: Reply } {
    const n = rng.int(0, 30);
    const withFields = rng.next() < 0.5;
    const expected: Reply = { ids: [], total: rng.int(n, n + 5) };
    const parts: string[] = [];
    for (let r = 0; r < n; r++) {
      const id = rng.int(0, 2 ** 40);
      const form = rng.int(0, 4);
      const key =
        form === 0 ? `vec:${String(id).padStart(12, "0")}` : form === 1 ? `vec:{${rng.pick(["AB1", "x", "Zz9"])}}:${id}` : form === 2 ? `vec:${id}` : form === 3 ? `other:${id}` : `vec:${id}x`;
      expected.ids.push(form >= 3 ? -1 : id);
      parts.push(rng.next() < 0.2 ? `+${key}\r\n` : `$${key.length}\r\n${key}\r\n`);
      if (withFields) {
        const blob = "\r\n$*:\x00".repeat(rng.int(0, 3));
        const nested = rng.next() < 0.3 ? "*2\r\n*1\r\n:1\r\n%1\r\n+a\r\n$3\r\nvec\r\n" : "$3\r\nvec\r\n";
        parts.push(`*4\r\n$17\r\n__embedding_score\r\n$${blob.length}\r\n${blob}\r\n$4\r\nname\r\n${nested}`);
      }
    }
    return { text: `*${1 + parts.length}\r\n:${expected.total}\r\n${parts.join("")}`, expected };
  }

  test("random replies, pipelined and randomly chunked, give every id in rank order", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = new Rng(seed);
      const replies = Array.from({ length: rng.int(1, 8) }, () => randomSearchReply(rng));
      const data = latin1(replies.map((r) => r.text).join(""));
      const r = scan(data, randomChunking(rng, data.byteLength));
      expect({ seed, got: r.searchReplies }).toEqual({ seed, got: replies.map((x) => x.expected) });
    }
  });

  test("the sink always gets the same preallocated ids array", () => {
    const seen = new Set<Float64Array>();
    const scanner = new SearchReplyScanner(new KeyIdDecoder("vec:"), { onSearchReply: (ids) => void seen.add(ids) });
    const data = latin1(ANCHOR_NOCONTENT + ANCHOR_DEFAULT + ANCHOR_KNN_50);
    scanner.feed(data, 0, data.byteLength);
    expect(seen.size).toBe(1);
    expect([...seen][0]!.length).toBe(10000);
  });
});

describe("score field (--with-scores)", () => {
  /** Every split of `data` gives these scores per reply (NaN where none came). */
  function scoresOf(data: Uint8Array, cuts: number[]): number[][] {
    const got: number[][] = [];
    const sink = {
      onSearchReply(_ids: Float64Array, count: number, _total: number, scores?: Float64Array): void {
        got.push(Array.from(scores!.subarray(0, count)));
      },
    };
    const scanner = new SearchReplyScanner(new KeyIdDecoder("vec:"), sink, { scoreField: "__v_score", maxResults: 2 });
    for (let k = 1; k < cuts.length; k++) scanner.feed(data, cuts[k - 1]!, cuts[k]!);
    return got;
  }

  test("each result's __v_score is read from its field list, in any position, split anywhere; absent scores are NaN", () => {
    const data = latin1(
      "*5\r\n:2\r\n$16\r\nvec:000000000007\r\n*4\r\n$3\r\ntag\r\n$3\r\nred\r\n$9\r\n__v_score\r\n$3\r\n0.5\r\n" +
        "$16\r\nvec:000000000003\r\n*2\r\n$9\r\n__v_score\r\n$8\r\n-1.25e-3\r\n" +
        "*3\r\n:1\r\n$16\r\nvec:000000000009\r\n*2\r\n$3\r\ntag\r\n$4\r\nblue\r\n" +
        "*7\r\n:3\r\n$5\r\nvec:1\r\n*2\r\n$9\r\n__v_score\r\n$1\r\n1\r\n$5\r\nvec:2\r\n*2\r\n$9\r\n__v_score\r\n$1\r\n2\r\n$5\r\nvec:3\r\n*2\r\n$9\r\n__v_score\r\n$1\r\n3\r\n",
    );
    const expected = [[0.5, -0.00125], [NaN], [1, 2]];
    expect(scoresOf(data, [0, data.byteLength])).toEqual(expected);
    expect(scoresOf(data, oneByteCuts(data.byteLength))).toEqual(expected);
    for (let cut = 0; cut <= data.byteLength; cut++) expect(scoresOf(data, [0, cut, data.byteLength])).toEqual(expected);
  });

  test("RESP3 field maps and double scores; text that is not a number is NaN", () => {
    const data = latin1("*5\r\n:2\r\n$5\r\nvec:1\r\n%1\r\n$9\r\n__v_score\r\n,0.75\r\n$5\r\nvec:2\r\n%1\r\n$9\r\n__v_score\r\n$3\r\ninf\r\n");
    expect(scoresOf(data, [0, data.byteLength])).toEqual([[0.75, NaN]]);
  });

  test("without the option nothing is read and the sink gets no scores", () => {
    const data = latin1("*3\r\n:1\r\n$5\r\nvec:1\r\n*2\r\n$9\r\n__v_score\r\n$3\r\n0.5\r\n");
    let seen: Float64Array | undefined = new Float64Array(1);
    const scanner = new SearchReplyScanner(new KeyIdDecoder("vec:"), { onSearchReply: (_i, _c, _t, scores) => (seen = scores) });
    expect(scanner.feed(data, 0, data.byteLength)).toBe(1);
    expect(seen).toBeUndefined();
  });
});

describe("error types are printable, as ReplyScanner makes them", () => {
  test("escape sequences and control characters are removed from the code", () => {
    const scanner = new SearchReplyScanner(new KeyIdDecoder("vec:"), { onSearchReply() {} });
    const bytes = new TextEncoder().encode("-\u001b[31mERR\u0007 boom\r\n");
    expect(scanner.feed(bytes, 0, bytes.length)).toBe(1);
    const codes: string[] = [];
    scanner.forEachErrorDetail((code) => codes.push(code));
    expect(codes).toEqual(["ERR"]);
  });
});
