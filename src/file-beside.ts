// A file that appears under its name only once complete: created beside it under a fresh random name with
// O_CREAT|O_EXCL and mode 0600 (a link planted under any name we could pick is never written through, and
// nobody else reads it while it is written), then renamed over the name, which replaces whatever was there, a
// link too, never its target. The outputs (pipeline/write-file.ts) and the upload records (records/) use it.
//
// node:fs/promises for exclusive creation, modes and rename, which no web API offers.
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { toHex } from "./hex.ts";

export interface FileBeside {
  handle: FileHandle;
  /** Close the handle and give the file its name. */
  commit(): Promise<void>;
  /** Close the handle and remove the file: nothing appears under the name. */
  discard(): Promise<void>;
}

/** Open a fresh file beside `path`, to become `path` on commit(); throws the open's error (EACCES, ENOENT, ...). */
export async function createBeside(path: string): Promise<FileBeside> {
  // The name cut to 200 characters: with the dot, the random part and ".partial" it stays within NAME_MAX (255)
  // for a target name that is already near it (recordFileName fits names to it exactly).
  const partial = join(dirname(path), `.${basename(path).slice(0, 200)}.${toHex(crypto.getRandomValues(new Uint8Array(8)))}.partial`);
  const handle = await open(partial, "wx", 0o600);
  return {
    handle,
    async commit() {
      await handle.close();
      await rename(partial, path);
    },
    async discard() {
      await handle.close().catch(() => {});
      await rm(partial, { force: true });
    },
  };
}
