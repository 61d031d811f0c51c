// Parts of a multipart upload kept in files instead of memory, while they are filled and while they go up.
//
// Why: a part is sent only once it is whole (S3 signs its hash; R2 wants every part of one size), and is kept
// until S3 has it (a retry sends it again), so the parts in memory are those in flight plus the one being filled.
// From stdin, whose size is unknown, parts are 64 MiB (part-size.ts), and a piped publish of a 300 MiB tarball
// peaked at 418-440 MiB beside 227 MiB from the file (docs/benchmarks.md). In files, a part costs the memory of
// the slices a request is sending: Bun pulls a stream body about 6 MiB ahead of the socket (progress-body.ts).
// Under Bun only: Deno sends a body whole (a stream would go chunked, which S3 refuses), so there the parts in
// flight would be read back into memory anyway, and the spool would spare one part of five for a temporary
// folder the user must let Deno write (and TMPDIR read).
//
// The files live in a folder of their own made by mkdtemp under the system's temporary folder (TMPDIR), readable
// only by us (0700, files 0600, created exclusively), and each file is used again for a later part; closing the
// spool removes them and the folder. A process killed outright leaves the folder (publish-artifact-parts-*):
// ciphertext only, never a key.
//
// node:fs/promises: positioned reads and writes on an open file, which no web API offers; Bun and Deno both have it.
import { mkdtemp, open, rmdir, statfs, unlink, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UploadError, fileErrorReason } from "../errors.ts";
import { UNDER_BUN } from "../runtime.ts";
import { formatBytes } from "../format.ts";
import { MIB } from "./part-size.ts";

/**
 * Parts are held in memory while all those that can be at once (in flight, and the one being filled) take at
 * most this; beyond it they are spooled. 8 MiB parts, 4 at a time (a file's defaults up to 78 GiB) stay in
 * memory: spooled, the 300 MiB tarball's publish took 1.02-1.12x as long (5 interleaved pairs) for 197 MiB
 * instead of 272. From stdin, spooled 64 MiB parts: 182 MiB instead of 440, 1.03x the file's time
 * (docs/benchmarks.md).
 */
export const PARTS_IN_MEMORY_AT_MOST = 64 * MIB;

/** Whether parts of this size, this many at a time, go through a spool rather than memory (under Bun). */
export function spoolsParts(partSize: number, concurrency: number, underBun = UNDER_BUN): boolean {
  return underBun && partSize * (concurrency + 1) > PARTS_IN_MEMORY_AT_MOST;
}

/** One file of the spool, holding one part at a time. */
export class SpoolFile {
  constructor(
    readonly handle: FileHandle,
    readonly path: string,
    readonly failed: (error: unknown) => UploadError,
  ) {}

  /** Writes all of `bytes` at `position`. */
  async write(bytes: Uint8Array, position: number): Promise<void> {
    try {
      for (let done = 0; done < bytes.byteLength; ) {
        const { bytesWritten } = await this.handle.write(bytes, done, bytes.byteLength - done, position + done);
        done += bytesWritten;
      }
    } catch (error) {
      throw this.failed(error);
    }
  }
}

/** A part's bytes in a spool file: read back a slice at a time as a request sends them, and again for a retry. */
export class SpooledBytes {
  constructor(
    readonly file: SpoolFile,
    readonly byteLength: number,
  ) {}

  /** `length` bytes from `offset` (fewer at the end), in a buffer of their own. */
  async read(offset: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
    const wanted = Math.max(0, Math.min(length, this.byteLength - offset));
    const buffer = new Uint8Array(wanted);
    for (let done = 0; done < wanted; ) {
      const { bytesRead } = await this.file.handle.read(buffer, done, wanted - done, offset + done);
      // Only our own folder holds the file; should it still come up short, the upload must not send less.
      if (bytesRead === 0) throw new UploadError(`the spool file ${this.file.path} is shorter than the part it holds: something else changed it`);
      done += bytesRead;
    }
    return buffer;
  }
}

export class PartSpool {
  readonly #free: SpoolFile[] = [];
  readonly #all: SpoolFile[] = [];
  #closed = false;

  private constructor(
    readonly dir: string,
    /** The most the spool holds at once, which a failure names. */
    readonly room: number,
  ) {}

  /** A new spool in a private folder under `parent` (the system's temporary folder unless told), for up to `room` bytes. */
  static async open(room: number, parent = tmpdir()): Promise<PartSpool> {
    try {
      return new PartSpool(await mkdtemp(join(parent, "publish-artifact-parts-")), room);
    } catch (error) {
      throw spoolError(parent, room, fileErrorReason(error), error);
    }
  }

  #failed = (error: unknown): UploadError => spoolError(this.dir, this.room, fileErrorReason(error), error);

  /** A file for the next part: one given back, or a new one. */
  async take(): Promise<SpoolFile> {
    if (this.#closed) throw new UploadError("the part spool is closed");
    const free = this.#free.pop();
    if (free) return free;
    const path = join(this.dir, `part-${this.#all.length + 1}`);
    try {
      const file = new SpoolFile(await open(path, "wx+", 0o600), path, this.#failed);
      this.#all.push(file);
      return file;
    } catch (error) {
      throw this.#failed(error);
    }
  }

  /** Hands a file back for a later part; nothing may read the part it held any more. */
  give(file: SpoolFile): void {
    if (!this.#closed) this.#free.push(file);
  }

  /** Closes and removes every file and the folder. Best effort: a file left in our own folder harms nobody. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const file of this.#all) {
      await file.handle.close().catch(() => {});
      await unlink(file.path).catch(() => {});
    }
    await rmdir(this.dir).catch(() => {});
  }
}

/**
 * The dry run's check: whether a spool of `room` bytes could be made under `parent` (one is made and removed), and
 * whether the file system has that room free now. Returns the folder's name.
 */
export async function probeSpool(room: number, parent = tmpdir()): Promise<string> {
  await (await PartSpool.open(room, parent)).close();
  const fs = await statfs(parent);
  const free = fs.bavail * fs.bsize;
  if (free < room) throw spoolError(parent, room, `${formatBytes(free)} free`);
  return parent;
}

/** A spool that cannot be made or written: what failed, and where there is room to give. */
function spoolError(where: string, room: number, why: string, cause?: unknown): UploadError {
  return new UploadError(
    `cannot spool the upload's parts in ${where} (${why}): set TMPDIR to a folder with ${formatBytes(room)} free, or give a smaller --part-size`,
    { cause },
  );
}
