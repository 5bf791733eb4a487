// Pointed at something that is not a Valkey server, the benchmark fails fast with one line
// saying so, instead of hanging or printing a stack trace.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expectExit, runBench } from "../support/run-cli.ts";

type Listener = import("bun").TCPSocketListener<undefined>;
let silent: Listener;
let http: Listener;

beforeAll(() => {
  // Accepts connections and never answers.
  silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  // Answers anything with an HTTP error, like a web server on the wrong port.
  http = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket) {
        socket.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
      },
    },
  });
});

afterAll(() => {
  silent.stop(true);
  http.stop(true);
});

describe("peers that are not Valkey servers", () => {
  test("a silent peer fails within --connect-timeout with a one-line error naming the flag", async () => {
    const run = await runBench(["-p", String(silent.port), "-t", "get", "-n", "10", "--connect-timeout", "500"], { timeoutMs: 10_000 });
    expectExit(run, 1);
    expect(run.timedOut).toBe(false);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: 127\.0\.0\.1:\d+ did not answer .* within 500 ms.*--connect-timeout/);
  });

  test("a peer answering HTTP is reported as a malformed reply, with the likely causes", async () => {
    const run = await runBench(["-p", String(http.port), "-t", "get", "-n", "10"], { timeoutMs: 10_000 });
    expectExit(run, 1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: 127\.0\.0\.1:\d+ sent a malformed reply .*Valkey or Redis server/);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
