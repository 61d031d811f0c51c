// A stream written to a file that appears only once complete and checked, beside its target under a fresh
// random name (file-beside.ts: exclusive, 0600, renamed at the end), so a failed run never leaves a
// plausible-looking file behind and a planted link never receives it.
//
// node:fs/promises to tell files apart by identity, which no web API does.
import { stat } from "node:fs/promises";
import process from "node:process";
import { InputFileError, fileErrorReason } from "../errors.ts";
import { createBeside } from "../file-beside.ts";
import { UNDER_BUN } from "../runtime.ts";

/**
 * The mode an ordinary create would give (0644 less the umask) under Bun; 0600 under Deno, where reading the
 * umask needs --allow-sys and, on a terminal, would stop the run at a permission prompt (measured).
 */
function ordinaryMode(): number {
  if (!UNDER_BUN) return 0o600;
  return 0o644 & ~process.umask();
}

/**
 * Write `stream` to `path`. `check` runs once everything is written and before the rename: a file that fails
 * it is removed. `flag` names the file in errors, e.g. "--output". `written` hears of each chunk once it is
 * written (nothing here reads it again).
 */
export async function writeStreamToFile(
  stream: ReadableStream<Uint8Array>,
  path: string,
  flag: string,
  { check = () => {}, written = () => {} }: { check?: () => void; written?: (chunk: Uint8Array) => void } = {},
): Promise<void> {
  let file;
  try {
    file = await createBeside(path);
  } catch (error) {
    await stream.cancel();
    throw new InputFileError(`cannot write ${flag} ${path}: ${fileErrorReason(error)}`, path, { cause: error });
  }
  try {
    for await (const chunk of stream) {
      await file.handle.write(chunk);
      written(chunk);
    }
    check();
    await file.handle.chmod(ordinaryMode());
    await file.commit();
  } catch (error) {
    await file.discard();
    throw error;
  }
}

/** Whether two paths name the same file (by any name, link or hard link); false when either does not exist. */
export async function isSameFile(a: string, b: string): Promise<boolean> {
  const identity = (path: string) => stat(path).then((s) => `${s.dev}:${s.ino}`, () => undefined);
  const [first, second] = await Promise.all([identity(a), identity(b)]);
  return first !== undefined && first === second;
}
