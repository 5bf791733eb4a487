import { expect, test } from "bun:test";
import { parseHostPort } from "../../src/config/endpoint.ts";

test("host forms accepted by -h, with -p as the default port", () => {
  expect(parseHostPort("example.com", 7000)).toEqual({ host: "example.com", port: 7000 });
  expect(parseHostPort("10.0.0.1:6380", 7000)).toEqual({ host: "10.0.0.1", port: 6380 });
  expect(parseHostPort("[::1]:6381", 7000)).toEqual({ host: "::1", port: 6381 });
  expect(parseHostPort("[::1]", 7000)).toEqual({ host: "::1", port: 7000 });
  expect(parseHostPort("fe80::1", 7000)).toEqual({ host: "fe80::1", port: 7000 });
});

test("malformed hosts are rejected naming the flag and the input", () => {
  expect(() => parseHostPort("h:0", 1)).toThrow("-h: port must be between 1 and 65535 (got 0)");
  expect(() => parseHostPort("h:", 1)).toThrow(/^-h: port must be between 1 and 65535/);
  expect(() => parseHostPort(":6379", 1)).toThrow("-h needs a host before ':' (got :6379)");
  expect(() => parseHostPort("[::1]6379", 1)).toThrow(/^-h must be \[ipv6\] or \[ipv6\]:port/);
  expect(() => parseHostPort("[]:1", 1)).toThrow(/empty IPv6 address/);
  expect(() => parseHostPort("--help", 1)).toThrow(/needs a host name, not an option/);
  expect(() => parseHostPort("a b", 1)).toThrow(/must not contain spaces/);
});
