import { describe, expect, test } from "bun:test";
import { AnnounceMapError, applyAnnounceMap, EMPTY_ANNOUNCE_MAP, parseAnnounceMap } from "../../src/cluster/announce-map.ts";

describe("applyAnnounceMap", () => {
  test("a host-only entry rewrites the host and keeps the announced port", () => {
    const map = parseAnnounceMap("10.0.0.5=127.0.0.1");
    expect(applyAnnounceMap(map, "10.0.0.5", 6379)).toEqual({ host: "127.0.0.1", port: 6379 });
    expect(applyAnnounceMap(map, "10.0.0.5", 6380)).toEqual({ host: "127.0.0.1", port: 6380 });
  });

  test("a host:port entry rewrites exactly that address, and wins over a host-only entry", () => {
    const map = parseAnnounceMap("10.0.0.5=gateway, 10.0.0.5:6380=localhost:7001");
    expect(applyAnnounceMap(map, "10.0.0.5", 6380)).toEqual({ host: "localhost", port: 7001 });
    expect(applyAnnounceMap(map, "10.0.0.5", 6379)).toEqual({ host: "gateway", port: 6379 });
  });

  test("one node per host (ElastiCache-style) can be tunnelled to local ports", () => {
    const map = parseAnnounceMap("10.0.0.5=localhost:7000,10.0.0.6=localhost:7001");
    expect(applyAnnounceMap(map, "10.0.0.6", 6379)).toEqual({ host: "localhost", port: 7001 });
  });

  test("addresses with no entry are unchanged", () => {
    const map = parseAnnounceMap("10.0.0.5=127.0.0.1");
    expect(applyAnnounceMap(map, "10.0.0.50", 6379)).toEqual({ host: "10.0.0.50", port: 6379 });
    expect(applyAnnounceMap(EMPTY_ANNOUNCE_MAP, "a", 1)).toEqual({ host: "a", port: 1 });
  });

  test("hostnames match case-insensitively", () => {
    const map = parseAnnounceMap("Node-A.Internal=127.0.0.1");
    expect(applyAnnounceMap(map, "node-a.internal", 6379).host).toBe("127.0.0.1");
  });

  test("IPv6 hosts: bracketed with a port, bare without", () => {
    const map = parseAnnounceMap("[fd00::5]:6379=[::1]:7000,fd00::6=127.0.0.1");
    expect(applyAnnounceMap(map, "fd00::5", 6379)).toEqual({ host: "::1", port: 7000 });
    expect(applyAnnounceMap(map, "fd00::6", 6379)).toEqual({ host: "127.0.0.1", port: 6379 });
    expect(applyAnnounceMap(map, "[fd00::6]", 6380)).toEqual({ host: "127.0.0.1", port: 6380 });
  });
});

describe("parseAnnounceMap errors", () => {
  const fails = (value: string, message: string) => {
    expect(() => parseAnnounceMap(value)).toThrow(AnnounceMapError);
    expect(() => parseAnnounceMap(value)).toThrow(message);
  };

  test("each problem gets a one-line message naming the entry and the fix", () => {
    fails("", '--cluster-announce-map "" has an empty entry; write old=new[,old2=new2]');
    fails("a=b,,c=d", "has an empty entry");
    fails("10.0.0.5", '--cluster-announce-map entry "10.0.0.5" must be old=new (host or host:port on each side)');
    fails("a=b=c", 'entry "a=b=c" must be old=new');
    fails("=b", 'entry "=b" has an invalid host ""');
    fails("a=:7000", 'entry "a=:7000" has an invalid host ""');
    fails("a:0=b", 'entry "a:0=b" has an invalid port "0" (1-65535)');
    fails("a:65536=b", 'has an invalid port "65536"');
    fails("a:x=b", 'has an invalid port "x"');
    fails("a=b:", 'has an invalid port ""');
    fails("[::1=b", 'has an unclosed "["');
    fails("[::1]6379=b", 'expected ":port" after "]"');
    fails("a=b,A=c", '--cluster-announce-map maps A twice; keep one entry');
  });
});
