/**
 * The composition root: every workload module of the tool, listed once. src/main.ts passes it to
 * the run and src/worker.ts to each worker thread; the engine sees only the catalog's interface
 * (src/engine/workload-api.ts). A new kind of workload is added here and nowhere else.
 *
 * The order is the planning order: key-value tests first, then the vector tests (which number
 * themselves in -t's order, the mix last; see PlannedTest.order).
 */
import { createCatalog } from "../engine/workload-catalog.ts";
import { mixModule, vecDeleteModule, vecLoadModule, vecQueryModule, vecUpdateModule } from "../search/modules.ts";
import { kvModule } from "../workload/kv-module.ts";

export const WORKLOADS = createCatalog([kvModule, vecLoadModule, vecQueryModule, vecUpdateModule, vecDeleteModule, mixModule]);
