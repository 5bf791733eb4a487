import { describe, expect, test } from "bun:test";
import { expandSeeds, nodeAddress, resolveAll } from "../../src/cluster/discovery.ts";

describe("seed expansion: a host name is followed by every address it resolves to", () => {
  test("localhost is tried by name first, then as 127.0.0.1", async () => {
    const seeds = await expandSeeds([{ host: "localhost", port: 7000 }]);
    expect(seeds[0]).toEqual({ host: "localhost", port: 7000 });
    expect(seeds.map((s) => nodeAddress(s.host, s.port))).toContain("127.0.0.1:7000");
  });

  test("IP seeds are kept as given and duplicates are dropped, in order", async () => {
    const seeds = await expandSeeds([
      { host: "127.0.0.1", port: 7000 },
      { host: "127.0.0.1", port: 7000 },
      { host: "::1", port: 7001 },
    ]);
    expect(seeds).toEqual([
      { host: "127.0.0.1", port: 7000 },
      { host: "::1", port: 7001 },
    ]);
  });

  test("a name that does not resolve stays a seed (connecting to it reports the DNS error)", async () => {
    const seeds = await expandSeeds([{ host: "no-such-host.invalid", port: 7000 }]);
    expect(seeds).toEqual([{ host: "no-such-host.invalid", port: 7000 }]);
    expect(await resolveAll("no-such-host.invalid")).toEqual([]);
    expect(await resolveAll("127.0.0.1")).toEqual([]);
  });
});
