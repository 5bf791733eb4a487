import { describe, expect, test } from "bun:test";
import { parseServerUri, redactUri } from "../../src/config/uri.ts";
import { UserError } from "../../src/errors.ts";

describe("parseServerUri", () => {
  const cases: [string, ReturnType<typeof parseServerUri>][] = [
    ["valkey://h", { host: "h", tls: false }],
    ["redis://h:7000", { host: "h", port: 7000, tls: false }],
    ["valkeys://h:6380/", { host: "h", port: 6380, tls: true }],
    ["rediss://u:p@h/4", { host: "h", user: "u", password: "p", dbnum: 4, tls: true }],
    ["VALKEY://:only-password@h", { host: "h", password: "only-password", tls: false }],
    ["valkey://default:p%40ss%3Aw%2Frd@h:1", { host: "h", port: 1, user: "default", password: "p@ss:w/rd", tls: false }],
    ["valkey://u:raw@pass/word@h:2/1", { host: "h", port: 2, user: "u", password: "raw@pass/word", dbnum: 1, tls: false }],
    ["valkey://[::1]:6379/0", { host: "::1", port: 6379, dbnum: 0, tls: false }],
    ["valkey://[fe80::1]", { host: "fe80::1", tls: false }],
  ];
  for (const [uri, expected] of cases) {
    test(`${uri} is understood`, () => {
      expect(parseServerUri(uri)).toEqual(expected);
    });
  }

  const bad: [string, RegExp][] = [
    ["h:6379", /must start with valkey:\/\//],
    ["https://h", /must start with valkey:\/\//],
    ["valkey://", /needs a host/],
    ["valkey://:6379", /needs a host/],
    ["valkey://h:abc", /port must be between 1 and 65535/],
    ["valkey://h:70000", /port must be between 1 and 65535/],
    ["valkey://h/db1", /database must be a number/],
    ["valkey://[::1", /unclosed '\['/],
    ["valkey://[::1]x", /text after the IPv6 host/],
    ["valkey://user@h", /has a user but no password/],
    ["valkey://u:%E0%A4%A@h", /malformed percent-encoding in the password/],
  ];
  for (const [uri, pattern] of bad) {
    test(`${uri} is rejected naming -u`, () => {
      expect(() => parseServerUri(uri)).toThrow(UserError);
      expect(() => parseServerUri(uri)).toThrow(pattern);
      expect(() => parseServerUri(uri)).toThrow(/^-u /);
    });
  }
});

describe("redactUri", () => {
  test("replaces the password, keeps the rest", () => {
    expect(redactUri("valkeys://user:secret@h:1/2")).toBe("valkeys://user:***@h:1/2");
    expect(redactUri("valkey://:secret@h")).toBe("valkey://:***@h");
    expect(redactUri("valkey://u:se@cret@h")).toBe("valkey://u:***@h");
  });

  test("leaves URIs without a password alone", () => {
    expect(redactUri("valkey://h:1")).toBe("valkey://h:1");
    expect(redactUri("valkey://h")).toBe("valkey://h");
  });

  test("hides userinfo without a colon whole (valkey-cli reads it as a password) and anything before a malformed URI's last @", () => {
    expect(redactUri("valkey://secret@h")).toBe("valkey://***@h");
    expect(redactUri("valkey:/u:pw@h")).toBe("valkey:/***@h");
    expect(redactUri("u:pw@h")).toBe("***@h");
  });
});

describe("URIs that used to give misleading errors", () => {
  test("valkey://h:1:5 names the extra ':' instead of failing DNS for host 'h:1'", () => {
    expect(() => parseServerUri("valkey://h:1:5")).toThrow(/more than one ':' after the host/);
  });
  test("?db=1 says to give the database as a path", () => {
    expect(() => parseServerUri("valkey://h:1?db=1")).toThrow(/takes no \?query parameters; give the database as a path/);
  });
  test("a malformed URI is echoed without its credentials", () => {
    for (const uri of ["valkey:/u:pw@h", "valkey://pw@h:abc", "valkey://u:pw@h:99999"]) {
      let message = "";
      try {
        parseServerUri(uri);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain("***@h");
      expect(message).not.toContain("pw");
    }
  });
});
