/** A valibot schema that reads one flag's text into its value (the flag table's value schemas). */
import type * as v from "valibot";

export type TextSchema<T> = v.GenericSchema<string, T>;
