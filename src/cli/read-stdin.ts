/**
 * Standard input for `-x`, read up to a limit: at most `maxBytes + 1` bytes are kept, so an
 * endless or huge input (`< /dev/zero`) is refused after the limit instead of filling memory.
 * The caller sees a longer-than-limit result and says so.
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
  return Buffer.concat(chunks, Math.min(total, maxBytes + 1)).toString("utf8");
}
