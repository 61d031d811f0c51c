// Every failure the tool can report is one of these classes; `exitCodeFor` is the one place that maps
// them to the process exit code, so the table in --help and the README stays true.

export const ExitCode = {
  ok: 0,
  /** A bug or an error we did not anticipate. */
  internal: 1,
  /** Bad flags or environment: nothing was read or sent. */
  usage: 2,
  /** The artifact file could not be read, or changed while it was read. */
  inputFile: 3,
  /** Upload to S3 failed: nothing was registered. */
  upload: 4,
  /** The object is in S3 but the admin API did not accept the registration. */
  notRegistered: 5,
  /** decrypt or verify: the data is not what it should be (hash, key or content). */
  mismatch: 6,
  /** verify: there is no object at the key. */
  notFound: 7,
  interruptedSigint: 130,
  interruptedSigterm: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class PublishArtifactError extends Error {
  abstract readonly exitCode: ExitCode;
  override get name(): string {
    return this.constructor.name;
  }
}

/** Invalid flags or environment. `problems` holds one line per problem found. */
export class UsageError extends PublishArtifactError {
  readonly exitCode = ExitCode.usage;
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[]) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"));
    this.problems = list;
  }
}

export class InputFileError extends PublishArtifactError {
  readonly exitCode = ExitCode.inputFile;
  constructor(
    message: string,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The upload did not complete: nothing was registered. */
export class UploadError extends PublishArtifactError {
  readonly exitCode: ExitCode = ExitCode.upload;
}

/** Where a request got no answer (status 0): the host and port, and a cause an operator can act on. */
export interface NoAnswer {
  host: string;
  /** The scheme, host and port asked (no path): which proxy, if any, the request took follows from it. */
  origin: string;
  cause: string;
  /** Not worth another attempt: a certificate stays untrusted however often it is tried. */
  permanent: boolean;
  timedOut: boolean;
  /** The URL itself is the likely fault (nothing listens there, no such host, no TLS there): the error names its variable. */
  wrongPlace: boolean;
}

/** A request to S3 failed; carries what S3 said so the user can act on it. */
export class S3Error extends UploadError {
  constructor(
    /** The S3 operation, e.g. "PutObject" or "UploadPart 3". */
    readonly operation: string,
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    /** S3's `<Code>`, e.g. "SignatureDoesNotMatch"; empty when the body had none. */
    readonly code: string,
    /** S3's `<Message>`, or a description of the network failure. */
    readonly serverMessage: string,
    readonly requestId = "",
    options?: ErrorOptions & { noAnswer?: NoAnswer; hint?: string },
  ) {
    const what = status === 0 ? `no response${options?.noAnswer ? ` from ${options.noAnswer.host}` : ""}` : `HTTP ${status}${code ? ` ${code}` : ""}`;
    const hint = options?.hint ? `: ${options.hint}` : "";
    super(`S3 ${operation} failed: ${what}${serverMessage ? `: ${serverMessage}` : ""}${hint}`, options);
    this.noAnswer = options?.noAnswer;
  }

  readonly noAnswer: NoAnswer | undefined;
}

/** No credentials to sign S3 requests with: STS or the instance metadata service refused or did not answer. */
export class CredentialsError extends UploadError {}

/** The admin API gave no answer to the check before the upload: nothing was uploaded. */
export class AdminUnreachableError extends UploadError {
  constructor(
    readonly noAnswer: NoAnswer,
    options?: ErrorOptions,
  ) {
    super(`the admin API at ${noAnswer.host} does not answer (${noAnswer.cause}): nothing was uploaded; check ADMIN_API_URL`, options);
  }
}

/**
 * A multipart upload that failed in a way that may pass (or was interrupted) and is kept in S3 to be resumed:
 * the failure, and what S3 holds of the upload. The caller says where its record is (keptLine).
 */
export class UploadKeptError extends UploadError {
  constructor(
    readonly failure: unknown,
    readonly uploadId: string,
    /** Parts S3 acknowledged, and their bytes. */
    readonly parts: number,
    readonly bytes: number,
    /** One line on what is kept and how to resume or drop it; empty until the caller knows the record. */
    readonly keptLine = "",
  ) {
    super(`${failure instanceof Error ? failure.message : String(failure)}${keptLine ? `\n${keptLine}` : ""}`, { cause: failure });
  }
}

/** A kept upload cannot be finished (it is gone from S3, or the input is not what made it): a publish starts afresh. */
export class ResumeRefusedError extends UploadError {}

/** Our own accounting of the bytes does not agree with itself: never publish such an object. */
export class IntegrityError extends UploadError {}

/** The object was uploaded but the admin API did not register it. */
export class RegistrationError extends PublishArtifactError {
  readonly exitCode = ExitCode.notRegistered;
  constructor(
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    /** The server's answer (cut short), or a description of the network failure. */
    readonly serverMessage: string,
    options?: ErrorOptions & { noAnswer?: NoAnswer },
  ) {
    const what = status === 0 ? `no response${options?.noAnswer ? ` from ${options.noAnswer.host}` : ""}` : `HTTP ${status}`;
    super(`admin API registration failed: ${what}${serverMessage ? `: ${serverMessage}` : ""}`, options);
    this.noAnswer = options?.noAnswer;
  }

  readonly noAnswer: NoAnswer | undefined;
}

/** decrypt or verify found data that is not what it should be. */
export class VerificationError extends PublishArtifactError {
  readonly exitCode = ExitCode.mismatch;
}

/** verify found no object at the key. */
export class ObjectNotFoundError extends PublishArtifactError {
  readonly exitCode = ExitCode.notFound;
}

/**
 * The object is in S3, the admin API did not take its registration, and the registration (with the key) is
 * saved in `recoveryFile` for `publish-artifact register --from`.
 */
export class NotRegisteredError extends PublishArtifactError {
  readonly exitCode = ExitCode.notRegistered;
  constructor(
    readonly objectKey: string,
    readonly recoveryFile: string,
    readonly registrationError: RegistrationError,
    /** What was uploaded, as the registration would have said it, less the key: for --json. */
    readonly published: { sha256: string; size_bytes: number; cdn_url: string },
  ) {
    // One line, as every failure is: what failed, what is where, and the command that finishes it.
    super(
      `${registrationError.message}; the object ${objectKey} is uploaded and its registration, with the encryption key, saved in ` +
        `${recoveryFile} (readable only by you): send it with: publish-artifact register --from ${recoveryFile}`,
      { cause: registrationError },
    );
  }
}

export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof PublishArtifactError ? error.exitCode : ExitCode.internal;
}

/** The text printed for an error: one line per problem, never a stack trace for expected failures. */
export function describeError(error: unknown): string {
  if (error instanceof PublishArtifactError) return error.message;
  if (error instanceof Error) return `unexpected error: ${error.message}`;
  return `unexpected error: ${String(error)}`;
}

/** Cut a server's answer to something fit for one line of a terminal. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** A file system error in a few plain words. */
export function fileErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory, not a file";
  if (code === "ENOSPC") return "no space left on the device";
  // regular-file.ts's code, spelled out here so that errors.ts imports nothing.
  if (code === "ENOTREGULAR") return "it is not a regular file (a pipe, a device or a socket): give the path of a file";
  return (error as Error | undefined)?.message ?? String(error);
}
