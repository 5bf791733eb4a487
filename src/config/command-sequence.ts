/**
 * Custom command sequences (valkey-benchmark 8.1+): arguments that are exactly `;` separate steps,
 * and a step starting with a whole number followed by a command repeats that command:
 * `3 SET a b ; GET a` = SET a b three times, then GET a. A `;` inside an argument (`SET k "a;b"`)
 * is data. Placeholders stay as text.
 */
import { UserError } from "../errors.ts";
import type { CommandSequence } from "./types.ts";

export function parseCommandSequence(args: readonly string[]): CommandSequence {
  const steps: CommandSequence = [];
  let current: string[] = [];
  const finish = () => {
    if (current.length === 0) {
      throw new UserError("the command has an empty step between ';' separators; remove the extra ';'");
    }
    let repeat = 1;
    if (/^\d+$/.test(current[0]) && current.length > 1) {
      repeat = Number(current[0]);
      if (repeat < 1 || !Number.isSafeInteger(repeat)) {
        throw new UserError(`the repeat count before ${current[1]} must be at least 1 (got ${current[0]})`);
      }
      current = current.slice(1);
    }
    steps.push({ repeat, args: current });
    current = [];
  };
  for (const arg of args) {
    if (arg === ";") finish();
    else current.push(arg);
  }
  finish();
  return steps;
}
