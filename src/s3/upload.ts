// The upload sink: one PutObject when the ciphertext fits in one part, otherwise a multipart upload with
// several parts in flight. A failed multipart upload is aborted, so no orphaned parts keep costing storage,
// unless the caller can resume it and the failure may pass (a lost connection, a server in trouble, an
// interruption): then it is kept, and its record (the journal) says how to finish or end it.
//
// A kept upload is resumed by regenerating the same ciphertext from the start: a part whose bytes hash to what
// the journal says, and which S3 still holds with the journaled ETag, is not sent again.
import { ResumeRefusedError, UploadError, UploadKeptError } from "../errors.ts";
import { mayPass, type S3Client } from "./client.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  isGone,
  listMultipartUploads,
  listParts,
  uploadPart,
  type CompletedPart,
  type UploadedPart,
} from "./multipart.ts";
import { MAX_PARTS } from "./part-size.ts";
import { BufferPool } from "../bytes/buffer-pool.ts";
import { memoryParts, spooledParts, type Part, type Parts } from "./parts.ts";
import { PartSpool, spoolsParts } from "./part-spool.ts";
import { IF_ABSENT, putObject } from "./objects.ts";

export interface UploadOptions {
  partSize: number;
  /**
   * Parts uploaded at the same time. Parts are held in memory, partSize × (concurrency + 1), or when that is more
   * than part-spool.ts allows, in files in a temporary folder.
   */
  concurrency: number;
  signal?: AbortSignal;
  /** Called after each request body has been accepted by S3. */
  onUploaded?: (bytes: number) => void;
  /**
   * Told, as it changes, how many bytes of the requests not yet answered the connections have taken (Bun
   * streams a body and says so as it goes; Deno sends it whole): what is going up, beside what is up.
   */
  onSending?: (bytes: number) => void;
  /** Called when every part is up and the upload is being completed: the last step, which may take a while. */
  onCompleting?: () => void;
  /** S3's limit, 10,000; lower only to test what happens past it. */
  maxParts?: number;
  /**
   * Store the object only if the key is still free (`If-None-Match: *` on PutObject and on Complete), against a
   * publisher racing for the same key. Servers that ignore the header on Complete (Ceph before Squid) replace.
   */
  onlyIfAbsent?: boolean;
  /** Told what a multipart upload is as it goes, so that a record of it outlives this process (resume-record.ts). */
  journal?: UploadJournal;
  /** A kept multipart upload to finish rather than a new one: its id, and the parts its journal holds. */
  resume?: { uploadId: string; journaled: readonly UploadedPart[] };
  /** Keep the multipart upload when the failure may pass (see client.ts's mayPass), to be resumed: UploadKeptError. */
  keepWhenTransient?: boolean;
  /** Called for each part of a resumed upload that S3 already held, and that is not sent again. */
  onResumed?: (bytes: number) => void;
  /** Told of each chunk of the stream once its bytes are in a part (copied or written): nothing here reads it again. */
  onConsumed?: (chunk: Uint8Array) => void;
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
  /** The object's bytes: those sent now, and those of the parts a resumed upload found in S3. */
  bytes: number;
  /** 0 for a single PutObject. */
  parts: number;
  /** Parts a resumed upload found in S3 and did not send again, and their bytes. */
  resumedParts: number;
  resumedBytes: number;
}

export async function uploadStream(
  client: S3Client,
  key: string,
  stream: ReadableStream<Uint8Array>,
  options: UploadOptions,
): Promise<UploadResult> {
  const { partSize, concurrency } = options;
  // Made before the first byte is read: a spool that cannot be made leaves the input unread.
  const spool = spoolsParts(partSize, concurrency) ? await PartSpool.open(partSize * (concurrency + 1)) : undefined;
  const parts = spool ? spooledParts(stream, spool, partSize, options.onConsumed) : memoryParts(stream, new BufferPool(partSize), options.onConsumed);
  try {
    if (options.resume) return await resumeUpload(client, key, options.resume, parts, options);
    return await uploadNew(client, key, parts, options);
  } finally {
    await parts.return();
    await spool?.close();
  }
}

async function uploadNew(client: S3Client, key: string, parts: Parts, options: UploadOptions): Promise<UploadResult> {
  // Two parts tell a PutObject from a multipart upload; `head` is emptied as they go up, so no reference
  // here keeps their memory alive.
  const head = await takeParts(parts, 2);
  if (head.length < 2) {
    const part = head.pop();
    const body = part?.body ?? new Uint8Array(0);
    await putObject(client, key, body, {
      ...(part ? { sha256: part.sha256 } : {}),
      signal: options.signal,
      conditions: options.onlyIfAbsent ? IF_ABSENT : {},
      onSent: options.onSending,
    }).finally(() => options.onSending?.(0));
    options.onUploaded?.(body.byteLength);
    return { bytes: body.byteLength, parts: 0, resumedParts: 0, resumedBytes: 0 };
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
  const state = new MultipartState(uploadId);
  try {
    await options.journal?.started(uploadId);
    state.recorded = options.journal !== undefined;
    return await uploadParts(client, key, state, head, parts, options);
  } catch (error) {
    throw await abortOrKeep(client, key, state, parts, error, options);
  }
}

/**
 * Finish a kept upload: what S3 holds of it first (before anything is read), then the regenerated parts, each
 * sent or found. An upload S3 no longer has (aborted, expired) refuses the resume before the input is read.
 */
async function resumeUpload(
  client: S3Client,
  key: string,
  resume: NonNullable<UploadOptions["resume"]>,
  parts: Parts,
  options: UploadOptions,
): Promise<UploadResult> {
  const state = new MultipartState(resume.uploadId);
  state.recorded = true;
  try {
    const listed = new Map((await listParts(client, key, resume.uploadId, options.signal)).map((part) => [part.partNumber, part]));
    for (const part of resume.journaled) {
      state.journal.set(part.partNumber, part);
      const listedPart = listed.get(part.partNumber);
      // A part another client replaced (another ETag), or S3 lost, is not ours in S3: it is sent again.
      if (listedPart !== undefined && listedPart.etag === part.etag && listedPart.size === part.size) state.inS3.set(part.partNumber, part.size);
    }
  } catch (error) {
    await parts.return();
    if (isGone(error)) {
      throw new ResumeRefusedError("the upload is gone from S3 (aborted by someone, or by a lifecycle rule that expires incomplete uploads)", { cause: error });
    }
    throw error;
  }
  try {
    return await uploadParts(client, key, state, [], parts, options);
  } catch (error) {
    throw await abortOrKeep(client, key, state, parts, error, options);
  }
}

/** What is known of a multipart upload as it goes: what S3 holds of it, and what a resume found there. */
class MultipartState {
  /**
   * Part number → bytes, for every part of ours S3 holds: acknowledged now, or journaled before and listed by S3
   * with the journaled ETag (a regenerated part equal to one of those is not sent again).
   */
  readonly inS3 = new Map<number, number>();
  /** The parts a resumed upload's journal holds: a regenerated part must have their bytes, sent or not. */
  readonly journal = new Map<number, UploadedPart>();
  resumedParts = 0;
  resumedBytes = 0;
  /** Whether a record of the upload exists (the journal started it, or it is resumed from one): only such an upload can be kept. */
  recorded = false;
  constructor(readonly uploadId: string) {}

  get bytesInS3(): number {
    let sum = 0;
    for (const size of this.inS3.values()) sum += size;
    return sum;
  }
}

/**
 * After a failure: keep the upload when it can be resumed and the failure may pass, else abort it. Returns what
 * to throw: the upload's own failure (which the user must see), with a failed abort reported beside it.
 */
async function abortOrKeep(
  client: S3Client,
  key: string,
  state: MultipartState,
  parts: Parts,
  error: unknown,
  options: UploadOptions,
): Promise<unknown> {
  await parts.return();
  if (options.keepWhenTransient && state.recorded && (options.signal?.aborted || mayPass(error))) {
    return new UploadKeptError(error, state.uploadId, state.inS3.size, state.bytesInS3);
  }
  try {
    await abortMultipartUpload(client, key, state.uploadId);
    await options.journal?.aborted();
    return error;
  } catch (abortError) {
    return new UploadError(
      `${(error as Error).message}; the multipart upload ${state.uploadId} could not be aborted either (${(abortError as Error).message}): abort it yourself`,
      { cause: error },
    );
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
  state: MultipartState,
  head: Part[],
  rest: Parts,
  options: UploadOptions,
): Promise<UploadResult> {
  const { uploadId } = state;
  const completed: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let bytes = 0;
  let partNumber = 0;

  /** Part number → bytes the connection has taken of it, while it is not answered. */
  const sending = new Map<number, number>();
  const reportSending = () => options.onSending?.([...sending.values()].reduce((sum, bytes) => sum + bytes, 0));
  const start = (part: Part) => {
    const number = partNumber;
    const onSent = options.onSending
      ? (bytes: number) => {
          sending.set(number, bytes);
          reportSending();
        }
      : undefined;
    const task = uploadPart(client, key, uploadId, number, part.body, part.sha256, options.signal, onSent).then(
      async (uploaded) => {
        completed.push(uploaded);
        state.inS3.set(uploaded.partNumber, uploaded.size);
        bytes += part.byteLength;
        // Up, no longer going up: counted once.
        if (sending.delete(number)) reportSending();
        options.onUploaded?.(part.byteLength);
        // A part the record cannot hold would be lost to a resume: the upload stops, as for a failed part.
        await options.journal?.partDone(uploaded).catch((error: unknown) => {
          failure ??= { error };
        });
      },
      (error: unknown) => {
        failure ??= { error };
      },
    );
    const tracked = task.finally(() => {
      inFlight.delete(tracked);
      if (sending.delete(number)) reportSending();
      part.release();
    });
    inFlight.add(tracked);
  };

  const sources = (async function* () {
    while (head.length > 0) yield head.shift() as Part;
    yield* rest;
  })();
  for await (const part of sources) {
    const maxParts = options.maxParts ?? MAX_PARTS;
    if (partNumber === maxParts) {
      failure ??= {
        error: new UploadError(
          `the input needs more than ${maxParts} parts of ${options.partSize} bytes, S3's limit: the upload was aborted; raise --part-size`,
        ),
      };
      break;
    }
    partNumber += 1;
    const journaled = state.journal.get(partNumber);
    if (journaled !== undefined && (journaled.sha256 !== part.sha256 || journaled.size !== part.byteLength)) {
      // Sending it would put other plaintext under the kept key and IV beside what S3 holds: never.
      failure ??= { error: new ResumeRefusedError(`part ${partNumber} came out other than its journal says: the input changed since`) };
      part.release();
      break;
    }
    if (journaled !== undefined && state.inS3.has(partNumber)) {
      completed.push(journaled);
      state.resumedParts += 1;
      state.resumedBytes += part.byteLength;
      bytes += part.byteLength;
      options.onResumed?.(part.byteLength);
      part.release();
      continue;
    }
    start(part);
    while (inFlight.size >= options.concurrency && !failure) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;

  completed.sort((a, b) => a.partNumber - b.partNumber);
  options.onCompleting?.();
  await completeMultipartUpload(client, key, uploadId, completed, options.signal, options.onlyIfAbsent ? IF_ABSENT : {});
  return { bytes, parts: completed.length, resumedParts: state.resumedParts, resumedBytes: state.resumedBytes };
}

async function takeParts(parts: Parts, count: number): Promise<Part[]> {
  const taken: Part[] = [];
  while (taken.length < count) {
    const next = await parts.next();
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
}
