/**
 * Values produced by the full RESP2/RESP3 decoder (src/resp/decode.ts). The hot path does not
 * build these: it uses the allocation-free reply scanner (src/resp/reply-scanner.ts).
 *
 * Mapping:
 *   +simple        -> string
 *   -error / !bulk error -> RespError
 *   :integer       -> number (bigint when outside the safe integer range)
 *   $bulk          -> string (UTF-8) or Uint8Array when the decoder runs with { binary: true }
 *   $-1 / *-1 / _  -> null
 *   *array / >push / ~set -> RespValue[]  (push replies are wrapped in RespPush)
 *   %map / |attribute -> RespMap (attributes are decoded and dropped, as clients do)
 *   ,double        -> number (inf, -inf, nan included)
 *   #boolean       -> boolean
 *   (big number    -> bigint
 *   =verbatim      -> string (the "txt:" prefix removed)
 */
import { printableErrorMessage, printableErrorType } from "./error-text.ts";
export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | RespError
  | RespValue[]
  | RespMap
  | RespPush;

export class RespMap extends Map<RespValue, RespValue> {}

/** An out-of-band RESP3 push message (e.g. client-tracking invalidation). */
export class RespPush {
  constructor(readonly items: RespValue[]) {}
}

/** An error reply from the server. `code` is the first word: "ERR", "MOVED", "WRONGPASS"... */
export class RespError {
  readonly code: string;
  /** The reply's text made printable (src/resp/error-text.ts): it ends up in messages. */
  readonly message: string;
  constructor(message: string) {
    this.message = printableErrorMessage(message);
    const space = message.indexOf(" ");
    this.code = printableErrorType(space === -1 ? message : message.slice(0, space));
  }
  toString(): string {
    return this.message;
  }
}

/** The server sent bytes that are not valid RESP, or a reply past the configured limits. */
export class RespProtocolError extends Error {
  override name = "RespProtocolError";
}
