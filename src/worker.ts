/**
 * Bun Worker entry point: a thin message loop around WorkerRunner, with the workload catalog of
 * the composition root (src/workloads/index.ts). Listed as an extra entry point in
 * scripts/build.ts so it exists inside the compiled binary.
 */
import type { FromWorker, ToWorker } from "./engine/messages.ts";
import { WorkerRunner } from "./engine/worker-runner.ts";
import { WORKLOADS } from "./workloads/index.ts";

declare const self: Worker;

const runner = new WorkerRunner(WORKLOADS);
const post = (m: FromWorker) => self.postMessage(m);

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  try {
    switch (msg.type) {
      case "init":
        await runner.start(msg);
        post({ type: "ready" });
        break;
      case "run":
        post({ type: "result", result: await runner.run(msg.spec) });
        break;
      case "idle":
        break;
      case "shutdown":
        runner.close();
        process.exit(0);
    }
  } catch (e) {
    const err = e as { message?: string; code?: string };
    post({ type: "error", message: err?.message ?? String(e), code: err?.code });
  }
};
