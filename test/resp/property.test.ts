/**
 * Property tests over seeded random streams: whatever the chunking, RespDecoder returns the
 * values that were encoded and ReplyScanner counts the same replies, errors and pushes; corrupted
 * streams end in values, NEED_MORE or RespProtocolError, never a hang or another error type.
 * A failure message names the seed: rerun with it to reproduce.
 */
import { describe, expect, test } from "bun:test";
import { NEED_MORE, RespDecoder, type RespDecoderOptions } from "../../src/resp/decode.ts";
import { ReplyScanner } from "../../src/resp/reply-scanner.ts";
import { RespError, RespProtocolError, RespPush, type RespValue } from "../../src/resp/types.ts";
import { corrupt, randomChunking, randomStream, Rng } from "./random-resp.ts";
import { encodeValues, sameValue } from "./resp3-value-encoder.ts";

const CASES = 300;

function decodeChunked(data: Uint8Array, cuts: number[], opts: RespDecoderOptions): RespValue[] {
  const decoder = new RespDecoder(opts);
  const values: RespValue[] = [];
  for (let k = 1; k < cuts.length; k++) {
    decoder.push(data.subarray(cuts[k - 1], cuts[k]));
    for (let v = decoder.next(); v !== NEED_MORE; v = decoder.next()) values.push(v);
  }
  return values;
}

describe("random RESP3 streams in random chunkings", () => {
  for (const binary of [false, true]) {
    test(`RespDecoder returns the encoded values (binary: ${binary})`, () => {
      for (let seed = 1; seed <= CASES; seed++) {
        const rng = new Rng(seed);
        const values = randomStream(rng, { maxDepth: 4, binary }, rng.int(1, 12));
        const data = encodeValues(values, { rng, attributeChance: 0.1, binary });
        const decoded = decodeChunked(data, randomChunking(rng, data.byteLength), { binary });
        const same = decoded.length === values.length && decoded.every((v, i) => sameValue(v, values[i]));
        if (!same) throw new Error(`seed ${seed}: decoded ${Bun.inspect(decoded)}\nexpected ${Bun.inspect(values)}`);
      }
    });
  }

  test("ReplyScanner counts the same replies, errors, error codes and pushes as the decoder", () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const rng = new Rng(seed);
      const values = randomStream(rng, { maxDepth: 4, binary: false }, rng.int(1, 12));
      const data = encodeValues(values, { rng, attributeChance: 0.1, binary: false });
      const cuts = randomChunking(rng, data.byteLength);
      const scanner = new ReplyScanner();
      const got = { replies: 0, errors: 0, pushes: 0, codes: [] as string[] };
      for (let k = 1; k < cuts.length; k++) {
        got.replies += scanner.feed(data, cuts[k - 1], cuts[k]);
        got.errors += scanner.errorCount;
        got.pushes += scanner.pushCount;
        scanner.forEachError((code) => got.codes.push(code));
      }
      const errors = values.filter((v): v is RespError => v instanceof RespError);
      const expected = {
        replies: values.filter((v) => !(v instanceof RespPush)).length,
        errors: errors.length,
        pushes: values.filter((v) => v instanceof RespPush).length,
        codes: errors.map((e) => e.code),
      };
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        throw new Error(`seed ${seed}: scanner ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
      }
    }
  });

  test("the last reply's byte range decodes to the last reply when fed in one chunk", () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const rng = new Rng(seed);
      const values = randomStream(rng, { maxDepth: 3, binary: false }, rng.int(1, 6));
      const data = encodeValues(values, { rng, attributeChance: 0.1, binary: false });
      const scanner = new ReplyScanner();
      const replies = values.filter((v) => !(v instanceof RespPush));
      expect(scanner.feed(data, 0, data.byteLength)).toBe(replies.length);
      if (replies.length === 0) {
        expect(scanner.lastReplyEnd).toBe(-1);
        continue;
      }
      const decoded = decodeChunked(data.subarray(scanner.lastReplyStart, scanner.lastReplyEnd), [0, scanner.lastReplyEnd - scanner.lastReplyStart], {});
      expect(decoded).toHaveLength(1);
      if (!sameValue(decoded[0], replies[replies.length - 1])) throw new Error(`seed ${seed}: wrong last-reply range`);
    }
  });
});

describe("capturing reply content with the scanner's byte ranges", () => {
  test("the last reply of every feed is recovered from lastReply* and partialValueStart", () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const rng = new Rng(seed);
      const values = randomStream(rng, { maxDepth: 3, binary: false }, rng.int(1, 10));
      const replies = values.filter((v) => !(v instanceof RespPush));
      const data = encodeValues(values, { rng, attributeChance: 0.1, binary: false });
      const cuts = randomChunking(rng, data.byteLength);
      const scanner = new ReplyScanner();
      let carried: Uint8Array[] = []; // bytes of the unfinished value from earlier feeds
      let done = 0;
      for (let k = 1; k < cuts.length; k++) {
        const [a, b] = [cuts[k - 1], cuts[k]];
        const n = scanner.feed(data, a, b);
        if (n > 0) {
          done += n;
          const range =
            scanner.lastReplyStart >= 0
              ? data.subarray(scanner.lastReplyStart, scanner.lastReplyEnd)
              : Buffer.concat([...carried, data.subarray(a, scanner.lastReplyEnd)]);
          const decoded = decodeChunked(range, [0, range.byteLength], {});
          if (decoded.length !== 1 || !sameValue(decoded[0], replies[done - 1])) {
            throw new Error(`seed ${seed}: captured ${Bun.inspect(decoded)}, expected ${Bun.inspect(replies[done - 1])}`);
          }
        }
        if (!scanner.hasPartialValue) carried = [];
        else if (scanner.partialValueStart >= 0) carried = [data.subarray(scanner.partialValueStart, b)];
        else carried.push(data.subarray(a, b));
      }
      expect(done).toBe(replies.length);
    }
  });
});

describe("corrupted streams", () => {
  /** Runs `fn`; only RespProtocolError may escape. */
  function onlyProtocolErrors(seed: number, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof RespProtocolError)) throw new Error(`seed ${seed}: threw ${String(err)}`);
    }
  }

  test("decode to something or throw RespProtocolError, in bounded steps", () => {
    for (let seed = 1; seed <= CASES * 2; seed++) {
      const rng = new Rng(seed);
      const values = randomStream(rng, { maxDepth: 4, binary: false }, rng.int(1, 8));
      const data = corrupt(rng, encodeValues(values, { rng, attributeChance: 0.2, binary: false }));
      const cuts = randomChunking(rng, data.byteLength);
      const opts = rng.next() < 0.5 ? {} : { maxBulkBytes: 64, maxAggregateLength: 8, maxDepth: 3 };
      onlyProtocolErrors(seed, () => {
        const decoder = new RespDecoder(opts);
        let steps = 0;
        for (let k = 1; k < cuts.length; k++) {
          decoder.push(data.subarray(cuts[k - 1], cuts[k]));
          // Each next() consumes bytes or returns NEED_MORE: more steps than bytes means a hang.
          while (decoder.next() !== NEED_MORE) {
            if (++steps > data.byteLength + 1) throw new Error(`seed ${seed}: decoder loops`);
          }
        }
      });
    }
  });

  test("ReplyScanner counts or throws RespProtocolError, never another error", () => {
    for (let seed = 1; seed <= CASES * 2; seed++) {
      const rng = new Rng(seed);
      const values = randomStream(rng, { maxDepth: 4, binary: false }, rng.int(1, 8));
      const data = corrupt(rng, encodeValues(values, { rng, attributeChance: 0.2, binary: false }));
      const cuts = randomChunking(rng, data.byteLength);
      onlyProtocolErrors(seed, () => {
        const scanner = new ReplyScanner({ maxDepth: 3, maxAggregateLength: 8 });
        let replies = 0;
        for (let k = 1; k < cuts.length; k++) replies += scanner.feed(data, cuts[k - 1], cuts[k]);
        // A reply takes at least 3 bytes ("_\r\n").
        expect(replies).toBeLessThanOrEqual(data.byteLength / 3);
      });
    }
  });
});
