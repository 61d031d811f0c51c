// A stream whose pending read gives up when the run is interrupted. A read from a pipe that stays open and
// silent (`docker save … | publish-artifact --file -` cancelled by CI) would otherwise wait for ever, and the
// upload behind it would never get to abort its multipart upload.

export function abortable<T>(stream: ReadableStream<T>, signal: AbortSignal | undefined): ReadableStream<T> {
  if (signal === undefined) return stream;
  const reader = stream.getReader();
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason);
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
  aborted.catch(() => {}); // Observed by the reads that race it; none may be waiting.
  return new ReadableStream<T>(
    {
      async pull(controller) {
        try {
          const next = await Promise.race([reader.read(), aborted]);
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          reader.cancel(error).catch(() => {});
          controller.error(error);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
