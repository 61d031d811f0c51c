// A request body that tells the attempt's clock each time the connection takes more of it, so that an upload
// times out on lack of progress and never on its total time. Bun's fetch sends a ReadableStream body with the
// Content-Length we give it and pulls as the socket drains, but only once its buffers hold about 6 MiB
// (measured on loopback: a 40 MiB body read at 8 MiB/s was pulled 6 MiB ahead); the last bytes handed over
// are therefore given the time they need at the pace this connection has shown (a quarter of it, in case it
// slows down), or at a slow line's pace before it has shown one. Deno's fetch would send a stream body
// chunked, which S3 refuses (measured), so there the body stays a buffer and the whole of it gets that time.
//
// A part in a spool file (part-spool.ts, Bun only) is read as it goes, a slice at a time; should one be sent
// where bodies are not streamed, it is read back whole for each attempt, to go as a buffer.
import type { AttemptClock } from "../http/retry.ts";
import { UNDER_BUN } from "../runtime.ts";
import { SpooledBytes } from "./part-spool.ts";

/** Bytes handed to the connection at a time: each hand-over is progress. */
const SLICE = 64 * 1024;
/** Bytes read from a spool file at a time: fewer reads, each still a small part of the 6 MiB Bun buffers. */
const SPOOLED_SLICE = 512 * 1024;
/** What may still sit in buffers once the body is handed over: above the 6 MiB measured. */
const BUFFERED_BYTES = 8 * 1024 * 1024;
/** The slowest line an upload is waited for, 64 KiB/s: 8 MiB in buffers get 128 s more. */
const SLOWEST_BYTES_PER_SECOND = 64 * 1024;

/**
 * What to put into fetch's init for `body` (the request's, as sign.ts took it): the same bytes, reporting
 * progress. `bytesPerSecond` is the pace earlier uploads of this run reached, if any.
 */
export async function progressBody(
  body: Uint8Array<ArrayBuffer> | SpooledBytes | undefined,
  headers: Record<string, string>,
  clock: AttemptClock,
  bytesPerSecond?: number,
  onSent?: (bytes: number) => void,
): Promise<Partial<RequestInit> & { duplex?: "half" }> {
  const pace = Math.max(SLOWEST_BYTES_PER_SECOND, (bytesPerSecond ?? 0) / 4);
  const timeFor = (bytes: number) => (bytes / pace) * 1000;
  // A buffer is already in init (sign.ts put it there); a spooled part is read whole.
  const whole = async () => (body instanceof SpooledBytes ? { body: await body.read(0, body.byteLength) } : {});
  if (body === undefined || body.byteLength <= SLICE) return whole();
  if (!UNDER_BUN) {
    clock.allow(timeFor(body.byteLength));
    return whole();
  }
  const size = body.byteLength;
  const slice = body instanceof SpooledBytes ? SPOOLED_SLICE : SLICE;
  const read = body instanceof SpooledBytes ? (offset: number) => body.read(offset, slice) : (offset: number) => body.subarray(offset, offset + slice);
  let offset = 0;
  onSent?.(0);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= size) {
        clock.allow(timeFor(Math.min(size, BUFFERED_BYTES)));
        return controller.close();
      }
      clock.progress();
      const bytes = await read(offset);
      controller.enqueue(bytes);
      offset = Math.min(size, offset + bytes.byteLength);
      // Taken by the connection (up to its buffers' 6 MiB ahead of the wire): what progress shows as going up.
      onSent?.(offset);
    },
  });
  return {
    body: stream,
    duplex: "half",
    headers: { ...headers, "content-length": String(size) },
  };
}
