import { expect, test } from "bun:test";
import { parseRedirect } from "../../src/cluster/redirect.ts";

test("MOVED names the slot and the node that owns it now", () => {
  expect(parseRedirect("MOVED 3999 127.0.0.1:6381")).toEqual({ kind: "MOVED", slot: 3999, host: "127.0.0.1", port: 6381 });
});

test("ASK is read the same way", () => {
  expect(parseRedirect("ASK 0 10.0.0.7:7000")).toEqual({ kind: "ASK", slot: 0, host: "10.0.0.7", port: 7000 });
});

test("a leading '-' from the raw error line is accepted", () => {
  expect(parseRedirect("-MOVED 16383 10.0.0.1:6379")).toEqual({ kind: "MOVED", slot: 16383, host: "10.0.0.1", port: 6379 });
});

test("IPv6 endpoints: unbracketed as the server sends them, or bracketed", () => {
  expect(parseRedirect("MOVED 1 ::1:6379")).toMatchObject({ host: "::1", port: 6379 });
  expect(parseRedirect("MOVED 1 [::1]:6379")).toMatchObject({ host: "::1", port: 6379 });
  expect(parseRedirect("ASK 2 fd00:1:2::5:7001")).toMatchObject({ host: "fd00:1:2::5", port: 7001 });
});

test("hostnames are kept as sent", () => {
  expect(parseRedirect("MOVED 12182 my-cache-0002-001.my-cache.abc123.use1.cache.amazonaws.com:6379")).toEqual({
    kind: "MOVED",
    slot: 12182,
    host: "my-cache-0002-001.my-cache.abc123.use1.cache.amazonaws.com",
    port: 6379,
  });
});

test("':port' means the same host as the connection that got the reply", () => {
  expect(parseRedirect("MOVED 5 :6380", "lb.example.com")).toEqual({ kind: "MOVED", slot: 5, host: "lb.example.com", port: 6380 });
  expect(parseRedirect("MOVED 5 :6380")).toEqual({ kind: "MOVED", slot: 5, host: "", port: 6380 });
});

test("'?' (the server does not know the endpoint) is passed through for the caller to refresh the topology", () => {
  expect(parseRedirect("MOVED 5 ?:6380", "lb.example.com")).toMatchObject({ host: "?", port: 6380 });
});

test("other errors and garbled redirects are not redirects", () => {
  for (const message of [
    "ERR unknown command",
    "CLUSTERDOWN The cluster is down",
    "TRYAGAIN Multiple keys request during rehashing of slot",
    "MOVED",
    "MOVED 3999",
    "MOVED abc 127.0.0.1:6381",
    "MOVED 16384 127.0.0.1:6381",
    "MOVED -1 127.0.0.1:6381",
    "MOVED 1 127.0.0.1",
    "MOVED 1 127.0.0.1:0",
    "MOVED 1 127.0.0.1:65536",
    "MOVED 1 127.0.0.1:63x9",
    "moved 1 127.0.0.1:6379",
    "MOVED 1 127.0.0.1:6379 extra",
  ]) {
    expect([message, parseRedirect(message)]).toEqual([message, null]);
  }
});
