import { tooManyOpenFiles } from "./fd-limit.ts";

/** A connection-level failure, with a message written for the user (endpoint + cause + hint). */
export class ConnectionError extends Error {
  override name = "ConnectionError";
  constructor(
    message: string,
    /** Short cause code for error tables: "REFUSED", "DNS", "TIMEOUT", "TLS", "AUTH", "CLOSED". */
    readonly code: string,
  ) {
    super(message);
  }
}

/** Turns a low-level socket error into a user-facing explanation. */
export function describeSocketError(where: string, err: unknown): ConnectionError {
  const e = err as { code?: string; message?: string } | undefined;
  const code = e?.code ?? "";
  const msg = e?.message ?? String(err);
  // Bun reports connect() failing with EMFILE as ECONNREFUSED: look at the process's files first.
  const fileLimit = code === "EMFILE" || code === "ENFILE" || code === "ECONNREFUSED" || /refused|EMFILE/i.test(msg) ? tooManyOpenFiles() : undefined;
  if (fileLimit !== undefined || code === "EMFILE" || code === "ENFILE") {
    return new ConnectionError(`cannot connect to ${where}: ${fileLimit ?? "too many open files; raise ulimit -n or lower -c"}`, "EMFILE");
  }
  if (code === "ECONNREFUSED" || /refused/i.test(msg)) {
    return new ConnectionError(`cannot connect to ${where}: connection refused; is the server running and reachable?`, "REFUSED");
  }
  if (code === "ENOTFOUND" || code === "EAI_NONAME" || code === "DNS_ENOTFOUND" || /getaddrinfo|ENOTFOUND|DNS/i.test(msg)) {
    return new ConnectionError(`cannot connect to ${where}: the host name does not resolve; check -h / -u`, "DNS");
  }
  if (code === "ENOENT" && where.startsWith("unix:")) {
    return new ConnectionError(`cannot connect to ${where}: no such socket file; check -s`, "REFUSED");
  }
  if (/CERT|certificate|SSL|TLS|self.signed|altname/i.test(code + " " + msg)) {
    return new ConnectionError(
      `TLS handshake with ${where} failed: ${code || msg}; check --cacert/--sni, or use --insecure to skip verification`,
      "TLS",
    );
  }
  return new ConnectionError(`connection to ${where} failed: ${code ? code + " " : ""}${msg}`, "CLOSED");
}
