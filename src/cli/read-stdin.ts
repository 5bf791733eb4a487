/**
 * Standard input for `-x`, read up to a limit: at most `maxBytes + 1` bytes are kept, so an
 * endless or huge input (`< /dev/zero`) is refused after the limit instead of filling memory.
 * The caller sees a longer-than-limit result and says so. The string holds one character per
 * byte (latin1); BenchConfig.stdinValue says how it is sent back.
 */
export async function readStdinUpTo(maxBytes: number): Promise<string> {
  const reader = Bun.stdin.stream().getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (total > maxBytes) break;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
  // latin1: one character per byte, lossless for binary input (a vector for FT.SEARCH), which
  // UTF-8 decoding would turn into replacement characters (256 bytes became 640).
  return Buffer.concat(chunks, Math.min(total, maxBytes + 1)).toString("latin1");
}
