import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { crc16, keySlot, keySlotOfRange, SLOT_COUNT } from "../../src/cluster/crc16.ts";
import { type ClusterNodeProcess, startClusterNode } from "./local-cluster.ts";
import { request } from "./raw-request.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("crc16", () => {
  test("is CRC16/XMODEM: the check value of '123456789' is 0x31C3", () => {
    expect(crc16(bytes("123456789"))).toBe(0x31c3);
  });

  test("of nothing is 0", () => {
    expect(crc16(new Uint8Array(0))).toBe(0);
  });

  test("hashes only bytes[start, end) when given a range", () => {
    const buffer = bytes("xx123456789yy");
    expect(crc16(buffer, 2, 11)).toBe(0x31c3);
  });
});

describe("keySlot", () => {
  test("is crc16 of the whole key mod 16384 when there is no hash tag", () => {
    expect(keySlot("123456789")).toBe(0x31c3 % SLOT_COUNT);
    expect(keySlot("foo")).toBe(12182); // CLUSTER KEYSLOT foo
  });

  test("keys sharing a {tag} share a slot", () => {
    expect(keySlot("{user1000}.following")).toBe(keySlot("{user1000}.followers"));
    expect(keySlot("{user1000}.following")).toBe(keySlot("user1000"));
  });

  test("an empty {} hashes the whole key", () => {
    expect(keySlot("foo{}{bar}")).toBe(crc16(bytes("foo{}{bar}")) % SLOT_COUNT);
    expect(keySlot("foo{}{bar}")).not.toBe(keySlot("bar"));
  });

  test("the tag runs from the first { to the first } after it", () => {
    expect(keySlot("foo{{bar}}zap")).toBe(keySlot("{bar"));
    expect(keySlot("foo{{bar}}zap")).toBe(crc16(bytes("{bar")) % SLOT_COUNT);
    expect(keySlot("foo{bar}{zap}")).toBe(keySlot("bar"));
  });

  test("a { without a closing } hashes the whole key", () => {
    expect(keySlot("foo{bar")).toBe(crc16(bytes("foo{bar")) % SLOT_COUNT);
    expect(keySlot("}foo{")).toBe(crc16(bytes("}foo{")) % SLOT_COUNT);
  });

  test("strings are hashed as UTF-8, like the bytes sent on the wire", () => {
    expect(keySlot("ключ{é}")).toBe(keySlot(bytes("é")));
  });

  test("keySlotOfRange hashes a key inside a larger buffer", () => {
    const buffer = bytes("*2\r\n$3\r\nGET\r\n$20\r\n{user1000}.following\r\n");
    const start = buffer.indexOf(0x7b);
    expect(keySlotOfRange(buffer, start, start + 20)).toBe(keySlot("user1000"));
  });
});

describe("keySlot agrees with a real server's CLUSTER KEYSLOT", () => {
  let server: ClusterNodeProcess;
  beforeAll(async () => {
    server = await startClusterNode();
  }, 15_000);
  afterAll(async () => {
    await server?.stop();
  });

  test("for 1000 random keys with braces, UTF-8 and raw bytes", async () => {
    // A fixed-seed generator so a failure can be reproduced.
    let state = 0x9e3779b9;
    const random = (n: number) => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    const alphabet = ["a", "b", "z", "0", "{", "}", "{", "}", ":", "é", "鍵", "-"];
    const keys: (string | Uint8Array)[] = [];
    for (let i = 0; i < 1000; i++) {
      const length = 1 + random(12);
      if (i % 5 === 4) {
        const raw = new Uint8Array(length);
        for (let j = 0; j < length; j++) raw[j] = random(256);
        keys.push(raw);
      } else {
        let key = "";
        for (let j = 0; j < length; j++) key += alphabet[random(alphabet.length)];
        keys.push(key);
      }
    }
    const replies = await request(server.port, ...keys.map((key) => ["CLUSTER", "KEYSLOT", key]));
    const mismatches = keys.flatMap((key, i) =>
      replies[i] === keySlot(key) ? [] : [`${JSON.stringify(typeof key === "string" ? key : [...key])}: server ${String(replies[i])}, ours ${keySlot(key)}`],
    );
    expect(mismatches).toEqual([]);
    expect(replies.length).toBe(1000);
  });
});
