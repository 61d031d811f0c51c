// Every flag, declared once: its name, the value it takes, what it means, an example, and the variable that
// gives its default; then, per command, the flags it takes. cac's options (cli/run-cli.ts), --help
// (cli/help.ts), the validation (config/flag-schema.ts) and the README's flag table (checked by
// test/unit/flags.test.ts) are all made from these tables. Plain data: printing --help loads no
// validator.

interface FlagBase {
  /** As typed, without the dashes. */
  readonly name: string;
  /** What the value is called in help, e.g. PATH; absent for a switch. */
  readonly value?: string;
  /** A typical value, shown in errors and in the README. */
  readonly example: string;
  /** The variable that gives the flag's default. */
  readonly env?: string;
  /** What it does, for --help and the README: sentences, `code` in backquotes. */
  readonly help: string;
  /** Said after "needs a value": what a user who typed the flag alone may have meant. */
  readonly hint?: string;
}

/** The value types: each names the rule its text must follow (config/flag-schema.ts). */
export type Flag =
  | (FlagBase & { readonly kind: "switch" })
  /** Any text but empty; `empty` says what to give instead, `refuse` one value that cannot be. */
  | (FlagBase & { readonly kind: "text"; readonly empty: string; readonly refuse?: { readonly value: string; readonly why: string } })
  /** A part of the object key: no "/", no control characters, no spaces around it. */
  | (FlagBase & { readonly kind: "name" })
  | (FlagBase & { readonly kind: "whole"; readonly min: number; readonly max: number; readonly unit?: string })
  /** A byte size such as 64MiB, from 5MiB to 5GiB (S3's part sizes). */
  | (FlagBase & { readonly kind: "size" })
  /** 64 hex digits; `what` they are. */
  | (FlagBase & { readonly kind: "hex"; readonly what: string });

const FILE = {
  name: "file",
  value: "PATH",
  kind: "text",
  example: "./model.trt",
  empty: "give the path of the artifact",
  help: "The artifact (a `.trt` model, a docker image tarball, ...); `--file -` reads it from stdin (`docker save IMAGE | publish-artifact --file - ...`). `verify` compares the object with it.",
} as const satisfies Flag;
const RESOURCE_NAME = {
  name: "resource-name",
  value: "NAME",
  kind: "name",
  example: "my_model",
  help: "The resource's name.",
} as const satisfies Flag;
const DEV_STAGE = {
  name: "dev-stage",
  value: "STAGE",
  kind: "name",
  example: "dev",
  help: "The stage, e.g. dev, staging or prod: the first segment of the object key.",
} as const satisfies Flag;
const ARCHITECTURE = {
  name: "architecture",
  value: "ARCH",
  kind: "name",
  example: "arm64",
  help: "The target architecture, e.g. arm64 or x86_64.",
} as const satisfies Flag;
const VERSION = {
  name: "version",
  value: "VERSION",
  kind: "name",
  example: "2026-04-15",
  // `--version` alone is how many programs print their own version: say where ours is.
  hint: " (the artifact's version; the program's own version is: publish-artifact version)",
  help: "The artifact's version, kept exactly as typed (1.10 stays 1.10).",
} as const satisfies Flag;
const JSON_OUTPUT = {
  name: "json",
  kind: "switch",
  example: "--json > published.json",
  help: "Print the result as one JSON object on stdout, without the encryption key.",
} as const satisfies Flag;
const QUIET = {
  name: "quiet",
  kind: "switch",
  example: "--quiet",
  help: "No progress and no summary: errors and warnings only.",
} as const satisfies Flag;
const OUTPUT = {
  name: "output",
  value: "FILE",
  kind: "text",
  example: "./model.trt.enc",
  empty: "give the path of the encrypted file",
  refuse: { value: "-", why: "the key goes into a metadata file beside the output (FILE.json); give a path, e.g. --output ./model.trt.enc" },
  help: "Write the encrypted artifact to FILE and its metadata, with the key, to FILE.json (mode 0600) instead of uploading and registering; needs no S3 or admin variables. FILE may not be the input; an existing FILE.json is replaced only if it is an earlier run's metadata. With `--json`, stdout gets the metadata without the key.",
} as const satisfies Flag;
const DRY_RUN = {
  name: "dry-run",
  kind: "switch",
  example: "--dry-run",
  help: "Validate everything, print the object key, the URLs, the input size and the compression (workers, level), and run the read-only checks of a publish (recovery directory, the admin API answers at the publish URL, S3 takes the credentials and has the bucket, with `--no-overwrite` the key is free, and where the parts would be held in files (from stdin) the temporary folder takes them; exit 2 or 4 when one fails, as the publish would); upload and register nothing.",
} as const satisfies Flag;
const PART_SIZE = {
  name: "part-size",
  value: "SIZE",
  kind: "size",
  example: "64MiB",
  help: "Multipart part size, 5MiB to 5GiB (KiB, MiB, GiB; KB, MB, GB mean the same, as in aws-cli). Default: 8MiB, more for files over ~78 GiB so that 5 TiB fits in 10,000 parts; 64MiB for stdin (enough for about 625 GiB).",
} as const satisfies Flag;
const CONCURRENCY = {
  name: "concurrency",
  value: "N",
  kind: "whole",
  min: 1,
  max: 64,
  example: "4",
  help: "Parts uploaded at the same time, 1 to 64 (default: 4); memory is about the part size × (N + 1).",
} as const satisfies Flag;
const WORKERS = {
  name: "workers",
  value: "N",
  kind: "whole",
  min: 0,
  max: 64,
  example: "3",
  env: "PUBLISH_ARTIFACT_WORKERS",
  help: "Compression workers, 0 to 64 (default: one per core, at most 16; 0, or one core: the main thread compresses, with libdeflate in the binary and under Bun, `CompressionStream` under Deno). The output is one standard gzip stream either way.",
} as const satisfies Flag;
const LEVEL = {
  name: "level",
  value: "N",
  kind: "whole",
  min: 1,
  max: 9,
  example: "6",
  env: "PUBLISH_ARTIFACT_LEVEL",
  help: "gzip level, 1 (fastest) to 9 (smallest); default 6, as the Python script.",
} as const satisfies Flag;
const RETRIES = {
  name: "retries",
  value: "N",
  kind: "whole",
  min: 0,
  max: 20,
  example: "4",
  env: "PUBLISH_ARTIFACT_RETRIES",
  help: "Retries of each request on network errors, timeouts, 408, 429 and 5xx (S3's `SlowDown`, `InternalError`), with exponential backoff and full jitter, 0 to 20 (default: 4).",
} as const satisfies Flag;
const TIMEOUT = {
  name: "timeout",
  value: "SECONDS",
  kind: "whole",
  min: 1,
  max: 86_400,
  unit: "seconds",
  example: "120",
  env: "PUBLISH_ARTIFACT_TIMEOUT",
  help: "How long a request may go without progress (no answer, no bytes taken) before it is tried again, 1 to 86400 (default: 30); a slow upload that keeps moving is never cut.",
} as const satisfies Flag;
const RECOVERY_DIR = {
  name: "recovery-dir",
  value: "DIR",
  kind: "text",
  example: "/var/lib/publish-artifact",
  empty: "give a directory",
  env: "PUBLISH_ARTIFACT_RECOVERY_DIR",
  help: "Where the registration is saved if the upload succeeds but the registration fails (default: `.publish-artifact/` in the working directory, mode 0700 and ignored by git; else a private folder in the temporary directory). Checked before the upload.",
} as const satisfies Flag;
const NO_OVERWRITE = {
  name: "no-overwrite",
  kind: "switch",
  example: "--no-overwrite",
  help: "Refuse (exit 4, nothing uploaded) when an object is already at the key, and upload with `If-None-Match: *` against a publisher racing for it. Without it, an existing object is replaced with a warning: its current registration's key no longer decrypts it.",
} as const satisfies Flag;
const NO_RESUME = {
  name: "no-resume",
  kind: "switch",
  example: "--no-resume",
  help: "Start afresh: abort the multipart upload a killed or failed run of the same publish kept (see Resuming), and abort rather than keep this run's upload should it fail.",
} as const satisfies Flag;
const ALLOW_EMPTY = {
  name: "allow-empty",
  kind: "switch",
  example: "--allow-empty",
  help: "Publish an empty stdin; refused by default (exit 3), since a failed command before the pipe looks just like it. An empty `--file` always publishes, as with the Python script.",
} as const satisfies Flag;
const ALLOW_HTTP = {
  name: "allow-http",
  kind: "switch",
  example: "--allow-http",
  env: "PUBLISH_ARTIFACT_ALLOW_HTTP",
  help: "Let `ADMIN_API_URL` be plain `http://` to another machine (the token and the key then travel unencrypted); loopback addresses need no such permission.",
} as const satisfies Flag;
const FROM = {
  name: "from",
  value: "FILE",
  kind: "text",
  example: "./.publish-artifact/publish-artifact-recovery-....json",
  empty: "give the path of a recovery or metadata file",
  help: "A recovery file (saved when a publish exits 5) or the metadata `--output` wrote: `register` sends its registration, `verify` takes the key, the hash and the names from it. `verify` also takes a publish's `--json` output (`--json > published.json`: the names and the hash; the key then from `--key-file` or `PUBLISH_ARTIFACT_KEY`). `abort`: the record of a multipart upload a publish left open (`.publish-artifact/publish-artifact-resume-*.jsonl`).",
} as const satisfies Flag;
const KEY_FILE = {
  name: "key-file",
  value: "PATH",
  kind: "text",
  example: "./model.trt.enc.json",
  empty: "give the path of a file holding the key",
  help: "A file holding the key (64 hex digits), or a metadata or recovery file, which also gives the sha256.",
} as const satisfies Flag;
const KEY = {
  name: "key",
  value: "HEX",
  kind: "hex",
  what: "the encryption key",
  example: "<64 hex digits>",
  help: "The key itself: works, with a warning, since a command line is visible to every user of the machine.",
} as const satisfies Flag;
const SHA256 = {
  name: "sha256",
  value: "HEX",
  kind: "hex",
  what: "the SHA-256 of the encrypted object",
  example: "<64 hex digits>",
  help: "The SHA-256 the encrypted object must have. `verify` without it (and without `--from`) still decrypts the object and compares it with `--file`, and prints the object's hash.",
} as const satisfies Flag;

/** The names that make the object key, in the order of the usage line. */
const NAMES = { resourceName: RESOURCE_NAME, devStage: DEV_STAGE, architecture: ARCHITECTURE, version: VERSION } as const;

/** A command's flags by the key cac gives each (its name in camelCase; `--no-overwrite` is `overwrite`). */
export type FlagTable = Readonly<Record<string, Flag>>;

export interface CommandSpec<T extends FlagTable = FlagTable> {
  /** As cac takes it: "" for the default command, arguments in angle brackets. */
  readonly cac: string;
  /** As help names it. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly flags: T;
  /** The flags a run cannot go without (some are required only in some cases: see its config). */
  readonly required: readonly (keyof T & string)[];
}

export const PUBLISH = {
  cac: "",
  name: "publish",
  usage: "publish-artifact --file PATH --resource-name NAME --dev-stage STAGE --architecture ARCH --version VERSION [flags]",
  summary: "compress, encrypt, upload and register the artifact (no command word: the default)",
  flags: {
    file: FILE,
    ...NAMES,
    json: JSON_OUTPUT,
    quiet: QUIET,
    output: OUTPUT,
    dryRun: DRY_RUN,
    partSize: PART_SIZE,
    concurrency: CONCURRENCY,
    workers: WORKERS,
    level: LEVEL,
    retries: RETRIES,
    timeout: TIMEOUT,
    recoveryDir: RECOVERY_DIR,
    overwrite: NO_OVERWRITE,
    resume: NO_RESUME,
    allowEmpty: ALLOW_EMPTY,
    allowHttp: ALLOW_HTTP,
  },
  required: ["file", "resourceName", "devStage", "architecture", "version"],
} as const satisfies CommandSpec;

export const VERIFY = {
  cac: "verify",
  name: "verify",
  usage: "publish-artifact verify --file PATH (--from FILE | the names) [--key-file PATH] [--sha256 HEX]",
  summary: "download the object, check its size and sha256, decrypt it and compare it with --file",
  flags: { file: FILE, ...NAMES, from: FROM, keyFile: KEY_FILE, key: KEY, sha256: SHA256, quiet: QUIET, retries: RETRIES, timeout: TIMEOUT },
  // The names too, unless --from names the object (config/verify-config.ts).
  required: ["file"],
} as const satisfies CommandSpec;

export const DECRYPT = {
  cac: "decrypt <in> <out>",
  name: "decrypt",
  usage: "publish-artifact decrypt --key-file PATH [--sha256 HEX] IN OUT",
  summary: 'decrypt a downloaded object as a loader does ("-" for stdin or stdout)',
  flags: { keyFile: KEY_FILE, key: KEY, sha256: SHA256 },
  required: [],
} as const satisfies CommandSpec;

export const REGISTER = {
  cac: "register",
  name: "register",
  usage: "publish-artifact register --from FILE",
  summary: "check a registration saved after a failed publish (exit code 5) against its object in S3, send it to ADMIN_API_URL, then remove the file",
  flags: { from: FROM, retries: RETRIES, timeout: TIMEOUT, allowHttp: ALLOW_HTTP },
  required: ["from"],
} as const satisfies CommandSpec;

export const ABORT = {
  cac: "abort",
  name: "abort",
  usage: "publish-artifact abort --from RECORD",
  summary: "abort the multipart upload a killed or failed publish left open in S3 (its record names it), then remove the record",
  flags: { from: FROM, retries: RETRIES, timeout: TIMEOUT },
  required: ["from"],
} as const satisfies CommandSpec;

const VERSION_COMMAND = {
  cac: "version",
  name: "version",
  usage: "publish-artifact version",
  summary: "print the program's version",
  flags: {},
  required: [],
} as const satisfies CommandSpec;

/** In the order of --help. */
export const COMMANDS: readonly CommandSpec[] = [PUBLISH, VERIFY, DECRYPT, REGISTER, ABORT, VERSION_COMMAND];

/** The key cac gives a flag: its name in camelCase, and `--no-x` is `x` (true unless the flag is given). */
export function keyOf(flag: Flag): string {
  return flag.name.replace(/^no-/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Every flag once, in the order of the commands' tables: publish's first. */
export function allFlags(): Flag[] {
  return [...new Set(COMMANDS.flatMap((command) => Object.values(command.flags)))];
}
