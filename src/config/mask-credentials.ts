/** Credentials in text the user typed, hidden before the text is echoed in a message. */

export const REDACTED = "***";

/**
 * Anything credential-like in text echoed back in a message: everything before the last '@'
 * (after a leading `scheme:` or `scheme://`) becomes `***`. `u:pw@h` -> `***@h`.
 */
export function maskUserinfo(text: string): string {
  const at = text.lastIndexOf("@");
  if (at < 0) return text;
  const scheme = /^[a-z][a-z0-9+.-]*:\/{1,2}/i.exec(text)?.[0] ?? "";
  return `${scheme}${REDACTED}${text.slice(at)}`;
}
