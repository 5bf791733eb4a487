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
