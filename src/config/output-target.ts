/**
 * Files the tool will write, checked before any connection or long computation: the target must
 * be a regular file (or not exist yet) in a directory we can create files in, and must not be one
 * of the run's inputs (a dataset, a TLS file, another output). "The same file" means the same
 * device and inode, so `./x`, `dir/../x` and a symbolic link to it all count.
 */
import { closeSync, lstatSync, openSync, realpathSync, statSync, unlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../errors.ts";

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EROFS") return "read-only file system";
  if (code === "ENOSPC") return "no space left on device";
  if (code === "ENOTDIR") return "a part of the path is not a directory";
  return code ?? String(error);
}

/** The path the tool really writes: symbolic links followed (a rename must replace the target, not the link). */
export function writtenPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** True when `a` and `b` name the same existing file (same device and inode). */
export function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return resolve(a) === resolve(b);
  }
}

export interface NamedPath {
  /** How the user spelled the flag (`--dataset`, `-o`). */
  spelling: string;
  path: string;
}

/** Refuses an output that is one of the inputs (or another output): the run would destroy it. */
export function checkNotAnInput(output: NamedPath, inputs: readonly (NamedPath | undefined)[]): void {
  for (const input of inputs) {
    if (input === undefined || input.path === "") continue;
    if (sameFile(output.path, input.path)) {
      throw new UserError(`${output.spelling} ${output.path} is the same file as ${input.spelling} ${input.path}; writing it would destroy it: choose another ${output.spelling} path`);
    }
  }
}

/**
 * Fails now rather than after a long run when `path` could not be written: a directory, a device
 * or FIFO (`/dev/full`), a missing or unwritable directory. The directory is tested by creating
 * (and removing) a probe file, because access() says yes to everything for root.
 */
export function checkOutputTarget(path: string, spelling: string): void {
  if (path === "") throw new UserError(`${spelling} needs a file name`);
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new UserError(`${spelling} ${path}: ${describeFsError(error)}`);
  }
  if (existing?.isDirectory()) throw new UserError(`${spelling} ${path} is a directory; give a file name inside it`);
  if (existing && !existing.isFile()) {
    throw new UserError(`${spelling} ${path} is not a regular file (a device, FIFO or socket); the tool writes a regular file: give its path`);
  }
  const target = writtenPath(path);
  const directory = dirname(target);
  try {
    if (!statSync(directory).isDirectory()) throw new UserError(`${spelling} ${path}: ${directory} is not a directory`);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${spelling} ${path}: cannot use directory ${directory}: ${describeFsError(error)}`);
  }
  const probe = join(directory, `.${basename(target)}.probe-${process.pid}`);
  try {
    closeSync(openSync(probe, "wx"));
    unlinkSync(probe);
  } catch (error) {
    throw new UserError(`${spelling} ${path}: cannot create files in ${directory}: ${describeFsError(error)}`);
  }
}

/** `-o` of a command reading `inputs` (files named on its command line): writable and none of them. */
export function checkOutputFile(output: string, spelling: string, inputs: readonly string[]): void {
  checkOutputTarget(output, spelling);
  checkNotAnInput({ spelling, path: output }, inputs.map((path) => ({ spelling: "the input", path })));
}
