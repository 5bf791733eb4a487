/**
 * Typed access to the flags of one command line: each value is validated with its flag's valibot
 * schema on first read, and missing flags fall back to the default from the flag table.
 */
import { UserError } from "../errors.ts";
import { FLAGS, flagLabel, parseFlagText, type FlagName, type FlagSpec } from "./flags.ts";

/** One flag as it appeared on the command line. */
export interface FlagOccurrence {
  /** The flag as typed (`-P`, `--tls-cert`), for error messages. */
  spelling: string;
  /** Text for value flags (and `--bool=text`); true/false for bare boolean flags and `--no-x`. */
  value: string | boolean;
}

export class FlagReader {
  constructor(private readonly occurrences: ReadonlyMap<FlagName, readonly FlagOccurrence[]>) {}

  /** Validates every occurrence of every given flag, so errors surface before any other work. */
  checkAll(): void {
    for (const [name, list] of this.occurrences) {
      const flag: FlagSpec<unknown> = FLAGS[name];
      for (const occurrence of list) this.parse(flag, occurrence);
    }
  }

  /** True when the user gave the flag (even with its default value). */
  given(name: FlagName): boolean {
    return this.occurrences.has(name);
  }

  /** The flag as the user last typed it, else its usual label (`-P`, `--threads`). */
  spelling(name: FlagName): string {
    const list = this.occurrences.get(name);
    const flag: FlagSpec<unknown> = FLAGS[name];
    return list === undefined ? flagLabel(flag) : list[list.length - 1].spelling;
  }

  /** The validated value of the last occurrence, or the flag's default. */
  get<T, D>(flag: FlagSpec<T> & { default: D }): undefined extends D ? T | undefined : T;
  get<T>(flag: FlagSpec<T>): T | undefined {
    const list = this.occurrences.get(nameOf(flag));
    if (list === undefined) return flag.default;
    return this.parse(flag, list[list.length - 1]);
  }

  /** Every occurrence of a repeatable flag, validated, in command-line order. */
  all<T>(flag: FlagSpec<T>): T[] {
    return (this.occurrences.get(nameOf(flag)) ?? []).map((occurrence) => this.parse(flag, occurrence));
  }

  private parse<T>(flag: FlagSpec<T>, occurrence: FlagOccurrence): T {
    if (typeof occurrence.value === "boolean") return occurrence.value as T;
    const result = parseFlagText(flag, occurrence.value, occurrence.spelling);
    if (!result.ok) throw new UserError(result.message);
    return result.value;
  }
}

const NAMES = new Map<FlagSpec<unknown>, FlagName>(
  (Object.entries(FLAGS) as [FlagName, FlagSpec<unknown>][]).map(([name, flag]) => [flag, name]),
);

function nameOf(flag: FlagSpec<unknown>): FlagName {
  const name = NAMES.get(flag);
  if (name === undefined) throw new Error(`flag --${flag.long} is not in the FLAGS table`);
  return name;
}
