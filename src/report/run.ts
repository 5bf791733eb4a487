/**
 * What surrounds the per-test blocks in a whole run, as valkey-benchmark prints it:
 * with `--csv` the header comes first (csv.ts); otherwise (text and `-q`) one empty line
 * follows the last test.
 */
export const RUN_TRAILER = "\n";
