// Opening a file the user named where a regular file is needed (--file, --key-file, --from, IN): a FIFO, a
// device or a socket planted under that name would otherwise hang the open (a FIFO waits for a writer) or
// feed endless bytes, so the open never blocks and anything but a regular file is refused.
//
// node:fs for O_NONBLOCK and fstat, which no web API offers in both runtimes.
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/** The code of the error thrown for something that is not a regular file; fileErrorReason (errors.ts) words it. */
export const NOT_REGULAR = "ENOTREGULAR";

export interface RegularFile {
  handle: FileHandle;
  size: number;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  /** Which file it is, and which version of it: a resumed upload must regenerate the same input. */
  identity: { inode: string; mtimeNs: string };
}

/** Open `path` for reading; throws an error with a `code` (ENOENT, EACCES, EISDIR, ENOTREGULAR, ...). */
export async function openRegularFile(path: string): Promise<RegularFile> {
  // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer; on a regular file
  // it changes nothing.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat({ bigint: true });
    if (stat.isDirectory()) throw Object.assign(new Error("it is a directory"), { code: "EISDIR" });
    if (!stat.isFile()) throw Object.assign(new Error("it is not a regular file"), { code: NOT_REGULAR });
    return { handle, size: Number(stat.size), mode: Number(stat.mode) & 0o777, identity: { inode: String(stat.ino), mtimeNs: String(stat.mtimeNs) } };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
