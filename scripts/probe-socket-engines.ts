/**
 * Probe for the client-efficiency issue: is a raw epoll socket loop (bun:ffi on libc) cheaper per
 * request than Bun's own sockets? Both sides do the same minimal work (pre-encoded PING pipeline,
 * one write per batch, replies counted by scanning for '\n'), so the difference is the socket layer
 * alone. Prints client CPU-s per million requests, medians of alternating runs, on a throw-away
 * valkey-server.
 *
 *   bun scripts/probe-socket-engines.ts [--rounds 3] [--requests 2000000]
 *
 * Linux x86-64 only (epoll_event layout). Measured result and the decision are in README
 * ("Benchmark scripts").
 */
import { dlopen, FFIType, ptr } from "bun:ffi";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};

if (argv[0] === "--child") {
  const [, engine, port, conns, pipeline, total] = argv;
  const stats = engine === "bun" ? await bunClient(+port!, +conns!, +pipeline!, +total!) : epollClient(+port!, +conns!, +pipeline!, +total!);
  console.log(JSON.stringify(stats));
  process.exit(0);
}

function pingBatch(pipeline: number): Uint8Array {
  const unit = new TextEncoder().encode("*1\r\n$4\r\nPING\r\n");
  const batch = new Uint8Array(unit.length * pipeline);
  for (let i = 0; i < pipeline; i++) batch.set(unit, i * unit.length);
  return batch;
}

function countLines(buf: Uint8Array, len: number): number {
  let n = 0;
  for (let j = 0; j < len; j++) if (buf[j] === 10) n++;
  return n;
}

async function bunClient(port: number, conns: number, pipeline: number, total: number): Promise<{ done: number }> {
  const batch = pingBatch(pipeline);
  let issued = 0;
  let done = 0;
  let open = 0;
  const { promise, resolve } = Promise.withResolvers<void>();
  for (let i = 0; i < conns; i++) {
    await Bun.connect({
      hostname: "127.0.0.1",
      port,
      data: { pending: 0 },
      socket: {
        open(s) {
          open++;
          issued += pipeline;
          s.data.pending = pipeline;
          s.write(batch);
        },
        data(s, d) {
          const n = countLines(d, d.length);
          s.data.pending -= n;
          done += n;
          if (s.data.pending > 0) return;
          if (issued >= total) {
            s.end();
            if (--open === 0) resolve();
            return;
          }
          issued += pipeline;
          s.data.pending = pipeline;
          s.write(batch);
        },
      },
    });
  }
  await promise;
  return { done };
}

function epollClient(port: number, conns: number, pipeline: number, total: number): { done: number } {
  const libc = dlopen("libc.so.6", {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    connect: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    epoll_create1: { args: [FFIType.i32], returns: FFIType.i32 },
    epoll_ctl: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
    epoll_wait: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    recv: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
    send: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  }).symbols;
  const batch = pingBatch(pipeline);
  const batchPtr = ptr(batch);
  const addr = new Uint8Array(16); // sockaddr_in for 127.0.0.1:port
  const addrView = new DataView(addr.buffer);
  addrView.setUint16(0, 2, true);
  addrView.setUint16(2, port, false);
  addr.set([127, 0, 0, 1], 4);
  const ep = libc.epoll_create1(0);
  const ev = new Uint8Array(12); // struct epoll_event is packed on x86-64: u32 events, u64 data
  const evView = new DataView(ev.buffer);
  const pending = new Int32Array(65536);
  const fds: number[] = [];
  for (let i = 0; i < conns; i++) {
    const fd = libc.socket(2, 1, 0);
    if (libc.connect(fd, ptr(addr), 16) !== 0) throw new Error(`connect to 127.0.0.1:${port} failed`);
    evView.setUint32(0, 1, true); // EPOLLIN
    evView.setUint32(4, fd, true);
    libc.epoll_ctl(ep, 1, fd, ptr(ev));
    fds.push(fd);
  }
  const events = new Uint8Array(12 * 64);
  const eventsView = new DataView(events.buffer);
  const eventsPtr = ptr(events);
  const rbuf = new Uint8Array(256 * 1024);
  const rptr = ptr(rbuf);
  let issued = 0;
  let done = 0;
  for (const fd of fds) {
    issued += pipeline;
    pending[fd] = pipeline;
    libc.send(fd, batchPtr, batch.length, 0);
  }
  let open = conns;
  while (open > 0) {
    const n = libc.epoll_wait(ep, eventsPtr, 64, 100);
    for (let e = 0; e < n; e++) {
      const fd = eventsView.getUint32(12 * e + 4, true);
      const r = Number(libc.recv(fd, rptr, rbuf.length, 0x40 /* MSG_DONTWAIT */));
      if (r <= 0) continue;
      const c = countLines(rbuf, r);
      pending[fd]! -= c;
      done += c;
      if (pending[fd]! > 0) continue;
      if (issued >= total) {
        libc.close(fd);
        open--;
        continue;
      }
      issued += pipeline;
      pending[fd] = pipeline;
      libc.send(fd, batchPtr, batch.length, 0);
    }
  }
  libc.close(ep);
  return { done };
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    try {
      Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } }).stop(true);
      return port;
    } catch {}
  }
}

const rounds = Number(opt("--rounds", "3"));
const requests = Number(opt("--requests", "2000000"));
const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), "vsb-probe-"));
const server = Bun.spawn(["valkey-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdout: "ignore", stderr: "ignore" });
try {
  for (let i = 0; i < 100 && Bun.spawnSync(["valkey-cli", "-p", String(port), "PING"]).stdout.toString().trim() !== "PONG"; i++) await Bun.sleep(50);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows: string[][] = [["clients", "-P", "requests", "bun CPU-s/Mreq", "epoll CPU-s/Mreq", "epoll/bun"]];
  for (const [conns, pipeline, n] of [[50, 1, requests / 8], [50, 16, requests], [4, 16, requests / 2]] as const) {
    const cpu: Record<string, number[]> = { bun: [], epoll: [] };
    for (let r = 0; r < rounds; r++) {
      for (const engine of ["bun", "epoll"]) {
        const p = Bun.spawn([process.execPath, import.meta.path, "--child", engine, String(port), String(conns), String(pipeline), String(n)], { stdout: "pipe" });
        const out = JSON.parse(await new Response(p.stdout).text()) as { done: number };
        await p.exited;
        const u = p.resourceUsage()!;
        cpu[engine]!.push(Number(u.cpuTime.user + u.cpuTime.system) / 1e6 / (out.done / 1e6));
      }
    }
    const b = median(cpu.bun!);
    const e = median(cpu.epoll!);
    rows.push([String(conns), String(pipeline), String(n), b.toFixed(3), e.toFixed(3), (e / b).toFixed(2)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i]!)).join("  "));
  console.log(`\nmedian of ${rounds} alternating runs; CPU includes each process's start-up`);
} finally {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
