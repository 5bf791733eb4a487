/**
 * Diagnostics on stderr through consola: one plain line per message ("error: ...",
 * "warning: ..."), no colours or icons, so scripts can grep them and stdout stays the report.
 * `-v` raises the level to show debug lines; the level otherwise shows info and above.
 */
import { createConsola, LogLevels, type ConsolaInstance, type LogObject } from "consola";

export { LogLevels };

const LABEL: Record<string, string> = { fatal: "error", error: "error", warn: "warning", debug: "debug", trace: "trace" };

function plainReporter(write: (s: string) => void) {
  return {
    log(obj: LogObject) {
      const text = obj.args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ");
      const label = LABEL[obj.type];
      write(label ? `${label}: ${text}\n` : `${text}\n`);
    },
  };
}

export function createLogger(opts: { verbose?: boolean; write?: (s: string) => void } = {}): ConsolaInstance {
  const write = opts.write ?? ((s: string) => void process.stderr.write(s));
  return createConsola({ level: opts.verbose ? LogLevels.debug : LogLevels.info, reporters: [plainReporter(write)] });
}

/** The process-wide logger; main.ts raises its level with -v. */
export const log = createLogger();
