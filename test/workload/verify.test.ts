// The pieces of --verify-writes / --verify-reads: stamps, the ledger's present/stale rule,
// the streaming value reader (any chunking), and the reply checkers the connections use.

import { describe, expect, test } from "bun:test";
import { ReadChecks, WriteAcks } from "../../src/workload/verify/checked-replies.ts";
import { WriteLedger } from "../../src/workload/verify/ledger.ts";
import { classifyValue } from "../../src/workload/verify/read-back.ts";
import { ReplyValueReader } from "../../src/workload/verify/reply-values.ts";
import { CORRUPT, NOT_OURS, STAMP_BYTES, readStamp, writeStamp } from "../../src/workload/verify/stamp.ts";

const enc = new TextEncoder();
const NONCE = 0xdecaf123;

function value(stamp: number, key: number, length = 40, field = 0, nonce = NONCE): Uint8Array {
  const v = new Uint8Array(length).fill(120);
  writeStamp(v, 0, nonce, stamp, key, length, field);
  return v;
}

describe("stamps", () => {
  test("a stamped value reads back as its stamp only for its key, length, field and run", () => {
    const v = value(77, 123456789012);
    expect(readStamp(v, 0, v.length, NONCE, 123456789012, 0)).toBe(77);
    expect(readStamp(v, 0, v.length, NONCE, 123456789013, 0)).toBe(CORRUPT);
    expect(readStamp(v, 0, v.length, NONCE, 123456789012, 1)).toBe(CORRUPT);
    expect(readStamp(v, 0, v.length - 1, NONCE, 123456789012, 0)).toBe(CORRUPT);
    expect(readStamp(v, 0, v.length, NONCE ^ 1, 123456789012, 0)).toBe(NOT_OURS);
    expect(readStamp(enc.encode("xxx"), 0, 3, NONCE, 1, 0)).toBe(NOT_OURS);
  });
});

describe("the ledger", () => {
  test("acked keeps the highest acknowledged stamp; floor the stamps acknowledged before a later write was sent", () => {
    const l = WriteLedger.create(4, NONCE);
    const a = l.reserve(3);
    expect(a).toBe(1);
    l.ack(2, a, l.acked(2)); // write 1 sent and acknowledged
    const sentAfter = l.acked(2); // write 2 sent after write 1's ack
    l.ack(2, a + 1, sentAfter);
    expect(l.acked(2)).toBe(2);
    expect(l.floor(2)).toBe(1);
    // Value 1 back after write 2 was acknowledged: a lost write (stale); value 2: present.
    expect(classifyValue(value(1, 9), l, 2, 9, 0)).toBe("stale");
    expect(classifyValue(value(2, 9), l, 2, 9, 0)).toBe("present");
    expect(classifyValue(null, l, 2, 9, 0)).toBe("missing");
    expect(classifyValue(enc.encode("someone else's"), l, 2, 9, 0)).toBe("missing");
    expect(classifyValue(value(2, 8), l, 2, 9, 0)).toBe("corrupt");
  });

  test("two writes in flight together may land in either order: both read back as present", () => {
    const l = WriteLedger.create(1, NONCE);
    const s = l.reserve(2);
    const atSend = l.acked(0); // both sent before either was acknowledged
    l.ack(0, s + 1, atSend);
    l.ack(0, s, atSend);
    expect(classifyValue(value(s, 0), l, 0, 0, 0)).toBe("present");
    expect(classifyValue(value(s + 1, 0), l, 0, 0, 0)).toBe("present");
  });
});

function feedInChunks(reader: ReplyValueReader, bytes: Uint8Array, chunk: number) {
  const seen: { reply: number; field: number; nil: boolean; length: number; head: string }[] = [];
  let base = 0;
  for (let i = 0; i < bytes.length; i += chunk) {
    const before = seen.length;
    const n = reader.feed(bytes, i, Math.min(bytes.length, i + chunk), {
      onValue: (reply, field, nil, length, head) => seen.push({ reply: base + reply, field, nil, length, head: nil ? "" : new TextDecoder().decode(head.subarray(0, Math.min(length, STAMP_BYTES))) }),
    });
    void before;
    base += n;
  }
  return { seen, replies: base };
}

describe("the value reader", () => {
  const stream = enc.encode("$5\r\nhello\r\n$-1\r\n_\r\n-ERR no\r\n*2\r\n$30\r\n012345678901234567890123456789\r\n$-1\r\n*0\r\n:1\r\n");
  test("GET/HGET/HMGET replies at every chunk size: values, nulls, errors and arrays in order", () => {
    for (const chunk of [1, 2, 3, 7, 1000]) {
      const reader = new ReplyValueReader();
      const { seen, replies } = feedInChunks(reader, stream, chunk);
      expect(reader.lost).toBe(false);
      expect(replies).toBe(7);
      expect(seen).toEqual([
        { reply: 0, field: 0, nil: false, length: 5, head: "hello" },
        { reply: 1, field: 0, nil: true, length: 0, head: "" },
        { reply: 2, field: 0, nil: true, length: 0, head: "" },
        { reply: 4, field: 0, nil: false, length: 30, head: "012345678901234567890123" },
        { reply: 4, field: 1, nil: true, length: 0, head: "" },
        { reply: 6, field: 0, nil: false, length: 0, head: "" },
      ]);
    }
  });

  test("a shape GET never returns (a map) marks the stream lost", () => {
    const reader = new ReplyValueReader();
    reader.feed(enc.encode("%1\r\n+a\r\n+b\r\n"), 0, 12, { onValue() {} });
    expect(reader.lost).toBe(true);
  });
});

describe("reply checkers", () => {
  test("WriteAcks records the writes that got OK, not the ones that got an error", () => {
    const l = WriteLedger.create(3, NONCE);
    const acks = new WriteAcks(l, 3);
    const first = l.reserve(3);
    for (let u = 0; u < 3; u++) {
      acks.expected.entry[u] = u;
      acks.expected.stamp[u] = first + u;
      acks.expected.ackedAtSend[u] = 0;
    }
    acks.startBatch();
    const r = enc.encode("+OK\r\n-OOM no\r\n+OK\r\n");
    expect(acks.feed(r, 0, 8)).toBe(1);
    expect(acks.feed(r, 8, r.length)).toBe(2);
    expect([l.acked(0), l.acked(1), l.acked(2)]).toEqual([first, 0, first + 2]);
  });

  test("ReadChecks counts a VERIFY error for a missing, stale or foreign value of a written key, none for an unwritten one", () => {
    const l = WriteLedger.create(4, NONCE);
    const s = l.reserve(3);
    l.ack(0, s, 0);
    l.ack(1, s + 1, 0);
    l.ack(1, s + 2, s + 1); // key 1: write s+1 superseded by s+2
    const checks = new ReadChecks(l, 4);
    const keys = [0, 1, 2, 0];
    keys.forEach((k, u) => {
      checks.expected.entry[u] = k;
      checks.expected.key[u] = k;
    });
    checks.startBatch();
    const bulk = (v: Uint8Array) => `$${v.length}\r\n${new TextDecoder().decode(v)}\r\n`;
    // key 0: its value (ok); key 1: the superseded value (stale); key 2: never written, nil (ok); key 0: nil (missing).
    const r = enc.encode(bulk(value(s, 0)) + bulk(value(s + 1, 1)) + "$-1\r\n" + "$-1\r\n");
    expect(checks.feed(r, 0, r.length)).toBe(4);
    expect(checks.errorCount).toBe(2);
    const details: [string, number][] = [];
    checks.forEachErrorDetail((code, ordinal) => details.push([code, ordinal]));
    expect(details).toEqual([["VERIFY", 1], ["VERIFY", 3]]);
    // The unwritten key's empty reply was not compared with anything: not a checked value.
    expect(checks.checked).toBe(3);
    expect(checks.neverWritten).toBe(1);
    expect(checks.failedChecks).toBe(2);
  });
});
