// Custom commands are titled without their secrets: AUTH, HELLO AUTH, MIGRATE AUTH/AUTH2,
// CONFIG SET requirepass/masterauth and ACL SETUSER password rules are hidden, a -x value is
// shown by its size, and long arguments are shortened.

import { describe, expect, test } from "bun:test";
import { commandSecrets, commandTitle } from "../../src/config/command-secrets.ts";

describe("commandTitle", () => {
  test("passwords are hidden", () => {
    expect(commandTitle(["AUTH", "s3cret"])).toBe("AUTH ***");
    expect(commandTitle(["auth", "bob", "s3cret"])).toBe("auth *** ***");
    expect(commandTitle(["HELLO", "3", "AUTH", "bob", "s3cret", "SETNAME", "x"])).toBe("HELLO 3 AUTH bob *** SETNAME x");
    expect(commandTitle(["CONFIG", "SET", "maxmemory", "1gb", "requirepass", "s3cret"])).toBe("CONFIG SET maxmemory 1gb requirepass ***");
    expect(commandTitle(["config", "set", "masterauth", "s3cret"])).toBe("config set masterauth ***");
    expect(commandTitle(["ACL", "SETUSER", "bob", "on", ">s3cret", "#abcd", "~*", "+@all"])).toBe("ACL SETUSER bob on *** *** ~* +@all");
    expect(commandTitle(["MIGRATE", "h", "1", "k", "0", "5000", "AUTH2", "bob", "s3cret"])).toBe("MIGRATE h 1 k 0 5000 AUTH2 bob ***");
  });

  test("in every step of a sequence, after a repeat count", () => {
    expect(commandTitle(["3", "AUTH", "s3cret", ";", "GET", "a", ";", "2", "CONFIG", "SET", "requirepass", "x"])).toBe("3 AUTH *** ; GET a ; 2 CONFIG SET requirepass ***");
  });

  test("the -x value is shown by its size only", () => {
    expect(commandTitle(["SET", "apitoken", "tok-123\n"], true)).toBe("SET apitoken <stdin: 8 bytes>");
  });

  test("long arguments and long titles are capped", () => {
    const title = commandTitle(["SET", "k", "x".repeat(100_000)]);
    expect(title).toBe(`SET k ${"x".repeat(32)}...(100000 bytes)`);
    const many = commandTitle(Array.from({ length: 1000 }, () => "abcdefgh"));
    expect(many.length).toBeLessThan(300);
    expect(many).toEndWith("...(1000 arguments)");
  });

  test("control characters (ANSI escapes, newlines) never reach the terminal", () => {
    expect(commandTitle(["SET", "a\x1b[31mred", "b\nc"])).toBe("SET a [31mred b c");
  });
});

describe("commandSecrets", () => {
  test("lists hidden arguments and the -x value", () => {
    expect(commandSecrets(["AUTH", "s3cret", ";", "SET", "a", "v"], "stdin-value")).toEqual(["s3cret", "stdin-value"]);
    expect(commandSecrets(["GET", "a"])).toEqual([]);
  });
});

describe("-h with credentials", () => {
  test("is refused without echoing the password", async () => {
    const { parseHostPort } = await import("../../src/config/endpoint.ts");
    expect(() => parseHostPort("u:pw@h", 6379)).toThrow("-h takes a host name, not credentials: use -u valkey://user:password@host:port, or --user and -a (got ***@h)");
  });
});

describe("the optimizer's reproducing command line", () => {
  test("hides a custom command's AUTH password", async () => {
    const { parseCli } = await import("../../src/cli/parse-cli.ts");
    const { reproduceCommand } = await import("../../src/optimize/command-line.ts");
    const argv = ["-p", "7000", "AUTH", "hunter22secret"];
    const parsed = await parseCli(argv, { cores: 2, nowMs: () => 1 });
    if (parsed.kind !== "bench") throw new Error("expected a benchmark run");
    const line = reproduceCommand(argv, parsed.config, new Set(), false);
    expect(line).toContain("AUTH '***'");
    expect(line).not.toContain("hunter22secret");
  });
});
