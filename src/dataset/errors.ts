/** Dataset errors are the project's UserError (exit code 2, one-line message). */
import { statSync } from "node:fs";
import { UserError } from "../errors.ts";

export { UserError };

/** "dataset.bin: header field dim = 0; expected a positive vector dimension" */
export function datasetError(path: string, problem: string): UserError {
  return new UserError(`${path}: ${problem}`);
}

/**
 * Refuses anything but a regular file before it is opened: opening a FIFO blocks until a writer
 * comes (`dataset info` hung on one), and a device or directory is never a dataset. stat() does
 * not open, so it cannot block.
 */
export function requireRegularFile(path: string): void {
  let regular: boolean;
  try {
    regular = statSync(path).isFile();
  } catch (e) {
    throw datasetError(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}; check the path and read permission`);
  }
  if (!regular) throw datasetError(path, "is not a regular file (a FIFO, device or directory); expected a dataset file");
}
