// The artifact file as a stream of chunks, read with explicit positions so that a file that shrinks or grows
// while we read it is detected: publishing a half-written artifact would break every loader that takes it.
//
// node:fs/promises because neither web standard nor a common API of Bun and Deno reads files; Bun, Deno
// and the compiled binary all implement this module.
import type { FileHandle } from "node:fs/promises";
import { InputFileError, fileErrorReason } from "../errors.ts";
import { openRegularFile } from "../regular-file.ts";
import type { BufferPool } from "../bytes/buffer-pool.ts";

// The read size when the caller names none (decrypt, verify); a publish reads as its compression suits
// (deflate/gzip.ts: readOptionsFor).
export const FILE_CHUNK_SIZE = 256 * 1024;

export interface ArtifactSource {
  /** The path given, or "-" for standard input. */
  path: string;
  /** Size when the file was opened (the stream errors if the file then changes size); undefined for a pipe. */
  size: number | undefined;
  stream: ReadableStream<Uint8Array>;
  /** Where the chunks' buffers come from: a stage done with a whole one may give it back for the next read. */
  buffers?: BufferPool;
  /** The file's inode and modification time (ns), as opened; absent for a pipe. */
  identity?: { inode: string; mtimeNs: string };
}

function openFailure(label: string, path: string, error: unknown): InputFileError {
  return new InputFileError(`cannot read ${label}: ${fileErrorReason(error)}`, path, { cause: error });
}

/**
 * The file at `path` as a stream. `label` names it in errors as its command does: `--file model.trt` for a
 * publish, `IN downloaded.enc` for decrypt. With `buffers`, chunks are read into the pool's buffers, of its size.
 */
export async function openArtifact(
  path: string,
  options: { chunkSize?: number; label?: string; buffers?: BufferPool } = {},
): Promise<ArtifactSource & { size: number }> {
  const buffers = options.buffers;
  const chunkSize = buffers?.size ?? options.chunkSize ?? FILE_CHUNK_SIZE;
  const label = options.label ?? `--file ${path}`;
  let file;
  try {
    file = await openRegularFile(path);
  } catch (error) {
    throw openFailure(label, path, error);
  }
  const { handle, size, identity } = file;
  const stream = positionedReads(handle, size, { path, label, chunkSize, buffers });
  return { path, size, stream, identity, ...(buffers ? { buffers } : {}) };
}

/**
 * The file's bytes, read at explicit positions from 0 to `size`, so that a file that shrinks or grows while it
 * is read fails the stream (InputFileError) instead of publishing a half-written artifact; the handle is closed
 * at the end, on an error and on cancel.
 */
function positionedReads(
  handle: FileHandle,
  size: number,
  { path, label, chunkSize, buffers }: { path: string; label: string; chunkSize: number; buffers: BufferPool | undefined },
): ReadableStream<Uint8Array> {
  let position = 0;
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (position === size) {
          // One byte past the end tells a file that is still being written from one that is complete.
          const probe = await handle.read(new Uint8Array(1), 0, 1, position);
          await close();
          if (probe.bytesRead > 0) {
            throw new InputFileError(
              `${label} grew while it was read (was ${size} bytes): publish it once it is completely written`,
              path,
            );
          }
          controller.close();
          return;
        }
        const want = Math.min(chunkSize, size - position);
        const buffer = buffers ? buffers.take() : new Uint8Array(want);
        const { bytesRead } = await handle.read(buffer, 0, want, position);
        if (bytesRead === 0) {
          await close();
          throw new InputFileError(
            `${label} shrank while it was read (was ${size} bytes, ended at ${position}): publish it once it is completely written`,
            path,
          );
        }
        position += bytesRead;
        controller.enqueue(bytesRead === buffer.byteLength ? buffer : buffer.subarray(0, bytesRead));
      } catch (error) {
        await close().catch(() => {});
        controller.error(error instanceof InputFileError ? error : openFailure(label, path, error));
      }
    },
    async cancel() {
      await close();
    },
    // Nothing is read before the stream is piped (a publish checks its servers first).
  }, { highWaterMark: 0 });
}
