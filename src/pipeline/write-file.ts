// A stream written to a file that appears only once complete: written beside its target and renamed at the
// end, so a failed run never leaves a plausible-looking file behind.
//
// node:fs/promises for files, which no web API writes in both runtimes.
import { open, rename, rm } from "node:fs/promises";
import { InputFileError, fileErrorReason } from "../errors.ts";

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
  const partial = `${path}.partial`;
  let handle;
  try {
    handle = await open(partial, "w", 0o644);
  } catch (error) {
    await stream.cancel();
    throw new InputFileError(`cannot write ${flag} ${path}: ${fileErrorReason(error)}`, path, { cause: error });
  }
  try {
    for await (const chunk of stream) await handle.write(chunk);
    await handle.close();
    check();
    await rename(partial, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}
