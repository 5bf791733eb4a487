/**
 * A custom command as reports may show it. Passwords in it are replaced by "***" (AUTH, HELLO
 * ... AUTH, MIGRATE ... AUTH/AUTH2, CONFIG SET requirepass/masterauth/..., ACL SETUSER password
 * rules), the `-x` value (standard input: often a token or a file) is shown only by its size, and
 * long arguments are shortened, so a title never leaks a secret or floods a terminal.
 *
 * `commandSecrets` lists the hidden arguments so the JSON report, which keeps the command's
 * arguments, redacts the same ones (src/report/redact.ts).
 */

export const HIDDEN = "***";

/** Longest argument shown whole in a title; longer ones keep their start and their size. */
const MAX_ARG_CHARS = 64;
/** Longest title; the rest is replaced by its size. */
const MAX_TITLE_CHARS = 256;

/** CONFIG SET parameters whose values are secrets. */
const SECRET_PARAMETERS = new Set(["requirepass", "masterauth", "tls-key-file-pass", "tls-client-key-file-pass", "primaryauth"]);

/** Indexes of the arguments of one command (no ';', no repeat count) that are secrets. */
function secretIndexes(args: readonly string[]): number[] {
  const name = args[0]?.toUpperCase();
  const out: number[] = [];
  const upper = (i: number) => args[i]?.toUpperCase();
  if (name === "AUTH") {
    for (let i = 1; i < args.length; i++) out.push(i);
  } else if (name === "HELLO") {
    // HELLO [protover [AUTH username password] [SETNAME clientname]]
    for (let i = 1; i < args.length; i++) {
      if (upper(i) === "AUTH") {
        if (i + 2 < args.length) out.push(i + 2);
        i += 2;
      } else if (upper(i) === "SETNAME") i++;
    }
  } else if (name === "MIGRATE") {
    for (let i = 1; i < args.length; i++) {
      if (upper(i) === "AUTH" && i + 1 < args.length) out.push(i + 1);
      if (upper(i) === "AUTH2" && i + 2 < args.length) out.push(i + 2);
    }
  } else if (name === "CONFIG" && upper(1) === "SET") {
    for (let i = 2; i + 1 < args.length; i += 2) {
      if (SECRET_PARAMETERS.has(args[i]!.toLowerCase())) out.push(i + 1);
    }
  } else if (name === "ACL" && upper(1) === "SETUSER") {
    // >pass adds a password, <pass removes one, #hash and !hash the same by SHA-256.
    for (let i = 3; i < args.length; i++) if (/^[<>#!]/.test(args[i]!)) out.push(i);
  }
  return out;
}

/** Each `';'`-separated step of `command` with its position (an optional repeat count first). */
function steps(command: readonly string[]): { start: number; args: readonly string[] }[] {
  const out: { start: number; args: readonly string[] }[] = [];
  let start = 0;
  for (let i = 0; i <= command.length; i++) {
    if (i === command.length || command[i] === ";") {
      let s = start;
      if (s < i && /^\d+$/.test(command[s]!) && s + 1 < i) s++;
      if (s < i) out.push({ start: s, args: command.slice(s, i) });
      start = i + 1;
    }
  }
  return out;
}

/** Positions in `command` of every secret argument. */
function secretPositions(command: readonly string[]): Set<number> {
  const positions = new Set<number>();
  for (const step of steps(command)) for (const i of secretIndexes(step.args)) positions.add(step.start + i);
  return positions;
}

/** The arguments of `command` that are secrets (passwords), plus the `-x` value when there is one. */
export function commandSecrets(command: readonly string[], stdinValue?: string): string[] {
  const out = [...secretPositions(command)].map((i) => command[i]!).filter((s) => s !== "");
  if (stdinValue !== undefined && stdinValue !== "") out.push(stdinValue);
  return out;
}

/** `arg` shortened to MAX_ARG_CHARS (code points kept whole), with its size. */
function shorten(arg: string): string {
  if (arg.length <= MAX_ARG_CHARS) return arg;
  return `${[...arg.slice(0, MAX_ARG_CHARS / 2)].join("")}...(${Buffer.byteLength(arg)} bytes)`;
}

/**
 * The title of a custom command: its arguments joined by spaces, secrets replaced by "***",
 * the `-x` value (the last argument when `fromStdin`) shown as `<stdin: N bytes>`, each
 * argument and the whole title capped.
 */
export function commandTitle(command: readonly string[], fromStdin = false): string {
  const hidden = secretPositions(command);
  const shown = command.map((arg, i) => {
    // One character per byte of standard input (read as latin1).
    if (fromStdin && i === command.length - 1) return `<stdin: ${arg.length} bytes>`;
    if (hidden.has(i)) return HIDDEN;
    return shorten(arg.replace(/[\x00-\x1f\x7f]/g, " "));
  });
  let title = shown.join(" ");
  if (title.length > MAX_TITLE_CHARS) title = `${title.slice(0, MAX_TITLE_CHARS)}...(${command.length} arguments)`;
  return title;
}
