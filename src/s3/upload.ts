// The upload sink: one PutObject when the ciphertext fits in one part, otherwise a multipart upload with
// several parts in flight. A failed multipart upload is always aborted, so no orphaned parts keep costing
// storage.
import { UploadError } from "../errors.ts";
import type { S3Client } from "./client.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  uploadPart,
  type CompletedPart,
  type UploadedPart,
} from "./multipart.ts";
import { MAX_PARTS } from "./part-size.ts";
import { BufferPool } from "../bytes/buffer-pool.ts";
import { readParts } from "./parts.ts";
import { IF_ABSENT, putObject } from "./objects.ts";

export interface UploadOptions {
  partSize: number;
  /** Parts uploaded at the same time. Memory is about partSize × (concurrency + 1). */
  concurrency: number;
  signal?: AbortSignal;
  /** Called after each request body has been accepted by S3. */
  onUploaded?: (bytes: number) => void;
  /** S3's limit, 10,000; lower only to test what happens past it. */
  maxParts?: number;
  /**
   * Store the object only if the key is still free (`If-None-Match: *` on PutObject and on Complete), against a
   * publisher racing for the same key. Servers that ignore the header on Complete (Ceph before Squid) replace.
   */
  onlyIfAbsent?: boolean;
  /** Told what a multipart upload is as it goes, so that a record of it outlives this process (resume-record.ts). */
  journal?: UploadJournal;
}

/**
 * Who keeps a multipart upload's record: its id before the first part is sent (a record that cannot be written
 * stops the upload, aborted), each part S3 acknowledges, and its abort (nothing is left of it then). A record of
 * an upload whose abort failed, or of a process killed, stays: `publish-artifact abort --from` ends it.
 */
export interface UploadJournal {
  started(uploadId: string): Promise<void>;
  partDone(part: UploadedPart): Promise<void>;
  aborted(): Promise<void>;
}

export interface UploadResult {
  /** Bytes S3 accepted, summed over every request body. */
  bytes: number;
  /** 0 for a single PutObject. */
  parts: number;
}

export async function uploadStream(
  client: S3Client,
  key: string,
  stream: ReadableStream<Uint8Array>,
  options: UploadOptions,
): Promise<UploadResult> {
  const pool = new BufferPool(options.partSize);
  const parts = readParts(stream, pool);
  // Two parts tell a PutObject from a multipart upload; `head` is emptied as they go up, so no reference
  // here keeps their memory alive.
  const head = await takeParts(parts, 2);
  if (head.length < 2) {
    const body = head.pop() ?? new Uint8Array(0);
    await putObject(client, key, body, options.signal, options.onlyIfAbsent ? IF_ABSENT : {});
    options.onUploaded?.(body.byteLength);
    return { bytes: body.byteLength, parts: 0 };
  }

  const since = new Date(Date.now() - CLOCK_SKEW_MS);
  let uploadId: string;
  try {
    const created = await createMultipartUpload(client, key, options.signal);
    uploadId = created.uploadId;
    if (created.attempts > 1) await abortStrays(client, key, since, uploadId);
  } catch (error) {
    await parts.return();
    await abortStrays(client, key, since);
    throw error;
  }
  try {
    await options.journal?.started(uploadId);
    return await uploadParts(client, key, uploadId, head, parts, pool, options);
  } catch (error) {
    await parts.return();
    // The upload's own failure is what the user must see; a failed abort is reported beside it.
    await abortMultipartUpload(client, key, uploadId).then(
      () => options.journal?.aborted(),
      (abortError: unknown) => {
        throw new UploadError(
          `${(error as Error).message}; the multipart upload ${uploadId} could not be aborted either (${(abortError as Error).message}): abort it yourself`,
          { cause: error },
        );
      },
    );
    throw error;
  }
}

/** Time the search for stray uploads may take in all: a few requests to a server that answers in milliseconds. */
const STRAY_CLEANUP_MS = 10_000;

/** How far S3's clock may be behind ours when we look for uploads we started. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * A Create whose answer was lost (a timeout, a reset, an interruption) may still have opened an upload that
 * nobody knows the id of, and that would cost storage for good. Abort the uploads of this key opened since we
 * began, but the one in use. Best effort: its own failures are not the user's problem.
 */
async function abortStrays(client: S3Client, key: string, since: Date, keep?: string): Promise<void> {
  // Bounded: after a Create that got no answer, the server may well not answer this either, and a clean-up
  // must not add its own minutes of retries to the failure being reported.
  const deadline = AbortSignal.timeout(STRAY_CLEANUP_MS);
  try {
    for (const upload of await listMultipartUploads(client, key, deadline)) {
      if (upload.uploadId !== keep && !(upload.initiated < since)) await abortMultipartUpload(client, key, upload.uploadId, deadline);
    }
  } catch {
    // Nothing more to do here: the error that brought us here is reported.
  }
}

async function uploadParts(
  client: S3Client,
  key: string,
  uploadId: string,
  head: Uint8Array<ArrayBuffer>[],
  rest: AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined>,
  pool: BufferPool,
  options: UploadOptions,
): Promise<UploadResult> {
  const completed: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let bytes = 0;
  let partNumber = 0;

  const start = (body: Uint8Array<ArrayBuffer>) => {
    partNumber += 1;
    const task = uploadPart(client, key, uploadId, partNumber, body, options.signal).then(
      async (part) => {
        completed.push(part);
        bytes += body.byteLength;
        options.onUploaded?.(body.byteLength);
        // A part the record cannot hold would be lost to a resume: the upload stops, as for a failed part.
        await options.journal?.partDone(part).catch((error: unknown) => {
          failure ??= { error };
        });
      },
      (error: unknown) => {
        failure ??= { error };
      },
    );
    const tracked = task.finally(() => {
      inFlight.delete(tracked);
      pool.give(body.buffer);
    });
    inFlight.add(tracked);
  };

  const sources = (async function* () {
    while (head.length > 0) yield head.shift() as Uint8Array<ArrayBuffer>;
    yield* rest;
  })();
  for await (const body of sources) {
    const maxParts = options.maxParts ?? MAX_PARTS;
    if (partNumber === maxParts) {
      failure ??= {
        error: new UploadError(
          `the input needs more than ${maxParts} parts of ${options.partSize} bytes, S3's limit: the upload was aborted; raise --part-size`,
        ),
      };
      break;
    }
    start(body);
    while (inFlight.size >= options.concurrency && !failure) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;

  completed.sort((a, b) => a.partNumber - b.partNumber);
  await completeMultipartUpload(client, key, uploadId, completed, options.signal, options.onlyIfAbsent ? IF_ABSENT : {});
  return { bytes, parts: completed.length };
}

async function takeParts(
  parts: AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined>,
  count: number,
): Promise<Uint8Array<ArrayBuffer>[]> {
  const taken: Uint8Array<ArrayBuffer>[] = [];
  while (taken.length < count) {
    const next = await parts.next();
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
}
