// A stream written to a file that appears only once complete: written beside its target under a fresh random
// name and renamed at the end, so a failed run never leaves a plausible-looking file behind. The temporary file
// is created with O_CREAT|O_EXCL and mode 0600: a link planted under any name we could pick is never written
// through (the name is new each time, and O_EXCL refuses an existing entry, a link included), and nobody else
// can read the file while it is written. The rename replaces whatever OUT was, a link too, never its target.
//
// node:fs/promises for files, which no web API writes in both runtimes.
import { open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { InputFileError, fileErrorReason } from "../errors.ts";
import { toHex } from "../hex.ts";
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
 * it is removed. `flag` names the file in errors, e.g. "--output".
 */
export async function writeStreamToFile(
  stream: ReadableStream<Uint8Array>,
  path: string,
  flag: string,
  check: () => void = () => {},
): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.${toHex(crypto.getRandomValues(new Uint8Array(8)))}.partial`);
  let handle;
  try {
    handle = await open(partial, "wx", 0o600);
  } catch (error) {
    await stream.cancel();
    throw new InputFileError(`cannot write ${flag} ${path}: ${fileErrorReason(error)}`, path, { cause: error });
  }
  try {
    for await (const chunk of stream) await handle.write(chunk);
    check();
    await handle.chmod(ordinaryMode());
    await handle.close();
    await rename(partial, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}

/** Whether two paths name the same file (by any name, link or hard link); false when either does not exist. */
export async function isSameFile(a: string, b: string): Promise<boolean> {
  const identity = (path: string) => stat(path).then((s) => `${s.dev}:${s.ino}`, () => undefined);
  const [first, second] = await Promise.all([identity(a), identity(b)]);
  return first !== undefined && first === second;
}
