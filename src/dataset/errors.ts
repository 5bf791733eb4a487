/** Dataset errors are the project's UserError (exit code 2, one-line message). */
import { UserError } from "../errors.ts";

export { UserError };

/** "dataset.bin: header field dim = 0; expected a positive vector dimension" */
export function datasetError(path: string, problem: string): UserError {
  return new UserError(`${path}: ${problem}`);
}
