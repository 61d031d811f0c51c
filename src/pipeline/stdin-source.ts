// The artifact from standard input (`--file -`), e.g. `docker save image | publish-artifact --file - …`, so CI
// need not write a multi-GB tarball to disk first. Its size is unknown until it ends.
//
// node:process and node:stream because Bun and Deno share no web API for standard input; both implement these.
import process from "node:process";
import { Readable } from "node:stream";
import { InputFileError } from "../errors.ts";
import type { ArtifactSource } from "./file-source.ts";

/**
 * Standard input as the artifact. An empty stdin is refused unless `allowEmpty`: a `docker save` that failed
 * upstream of the pipe looks exactly like it, and publishing nothing would replace a good artifact.
 */
export function openStdin(options: { allowEmpty?: boolean } = {}): ArtifactSource {
  const stdin = Readable.toWeb(process.stdin) as unknown as ReadableStream<Uint8Array>;
  let bytes = 0;
  const stream = stdin.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      flush() {
        if (bytes === 0 && !options.allowEmpty) {
          throw new InputFileError(
            "stdin (--file -) was empty: nothing to publish (did the command before the pipe fail?); pass --allow-empty to publish an empty artifact",
            "-",
          );
        }
      },
    }),
  );
  return { path: "-", size: undefined, stream };
}
