/**
 * Error replies as the user may see them: whatever a server (or something pretending to be one)
 * sends is printed only after escape sequences and control characters are removed, and long
 * words are cut, so a reply cannot recolour the terminal, move the cursor or flood a report.
 * An empty error type gets a name instead of printing as nothing.
 */

/** Longest error type (first word) shown; valkey's are short (WRONGTYPE, CLUSTERDOWN). */
export const MAX_ERROR_TYPE_CHARS = 32;
/** Longest error message shown. */
export const MAX_ERROR_MESSAGE_CHARS = 512;
/** The type of an error reply with no first word (`-\r\n`). */
export const EMPTY_ERROR_TYPE = "(empty error)";

// ESC [ ... final byte, ESC ] ... BEL/ST, other ESC x; then any remaining C0/C1 control or DEL.
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])?|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

/** An error reply's type (its first word), printable and at most MAX_ERROR_TYPE_CHARS. */
export function printableErrorType(raw: string): string {
  const clean = raw.replace(ESCAPES, "").replace(/[\t\n]/g, "");
  return clean === "" ? EMPTY_ERROR_TYPE : cap(clean, MAX_ERROR_TYPE_CHARS);
}

/** An error reply's message, printable (tabs and newlines become spaces) and capped. */
export function printableErrorMessage(raw: string): string {
  return cap(raw.replace(ESCAPES, "").replace(/[\t\n]/g, " "), MAX_ERROR_MESSAGE_CHARS);
}
