// A request body that tells the attempt's clock each time the connection takes more of it, so that an upload
// times out on lack of progress and never on its total time. Bun's fetch sends a ReadableStream body with the
// Content-Length we give it and pulls as the socket drains, but only once its buffers hold about 6 MiB
// (measured on loopback: a 40 MiB body read at 8 MiB/s was pulled 6 MiB ahead); the last bytes handed over
// are therefore given the time they need at the pace this connection has shown (a quarter of it, in case it
// slows down), or at a slow line's pace before it has shown one. Deno's fetch would send a stream body
// chunked, which S3 refuses (measured), so there the body stays a buffer and the whole of it gets that time.
import type { AttemptClock } from "../http/retry.ts";

/** Bytes handed to the connection at a time: each hand-over is progress. */
const SLICE = 64 * 1024;
/** What may still sit in buffers once the body is handed over: above the 6 MiB measured. */
const BUFFERED_BYTES = 8 * 1024 * 1024;
/** The slowest line an upload is waited for, 64 KiB/s: 8 MiB in buffers get 128 s more. */
const SLOWEST_BYTES_PER_SECOND = 64 * 1024;

const streamsBodies = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * What to put into fetch's init instead of a buffered body: the same bytes, reporting progress.
 * `bytesPerSecond` is the pace earlier uploads of this run reached, if any.
 */
export function progressBody(
  init: RequestInit,
  clock: AttemptClock,
  bytesPerSecond?: number,
  onSent?: (bytes: number) => void,
): Partial<RequestInit> & { duplex?: "half" } {
  const pace = Math.max(SLOWEST_BYTES_PER_SECOND, (bytesPerSecond ?? 0) / 4);
  const timeFor = (bytes: number) => (bytes / pace) * 1000;
  const body = init.body;
  if (!(body instanceof Uint8Array) || body.byteLength <= SLICE) return {};
  if (!streamsBodies) {
    clock.allow(timeFor(body.byteLength));
    return {};
  }
  let offset = 0;
  onSent?.(0);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= body.byteLength) {
        clock.allow(timeFor(Math.min(body.byteLength, BUFFERED_BYTES)));
        return controller.close();
      }
      clock.progress();
      controller.enqueue(body.subarray(offset, offset + SLICE));
      offset = Math.min(body.byteLength, offset + SLICE);
      // Taken by the connection (up to its buffers' 6 MiB ahead of the wire): what progress shows as going up.
      onSent?.(offset);
    },
  });
  return {
    body: stream,
    duplex: "half",
    headers: { ...(init.headers as Record<string, string>), "content-length": String(body.byteLength) },
  };
}
