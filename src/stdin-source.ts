// The artifact from standard input (`--file -`), e.g. `docker save image | publish-artifact --file - …`, so CI
// need not write a multi-GB tarball to disk first. Its size is unknown until it ends.
//
// node:process and node:stream because Bun and Deno share no web API for standard input; both implement these.
import process from "node:process";
import { Readable } from "node:stream";
import type { ArtifactSource } from "./file-source.ts";

export function openStdin(): ArtifactSource {
  const stream = Readable.toWeb(process.stdin) as unknown as ReadableStream<Uint8Array>;
  return { path: "-", size: undefined, stream };
}
