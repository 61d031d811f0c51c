// The --help text, kept beside nothing else so that printing it loads no heavy module.
import { versionLine } from "../version.ts";

export function helpText(): string {
  return `${versionLine()}
Compress a build artifact with gzip, encrypt it with a fresh AES-256 key (AES-CBC, PKCS7, IV first),
upload it to S3-compatible storage and register it with the admin API.

Usage:
  publish-artifact --file PATH --resource-name NAME --dev-stage STAGE --architecture ARCH --version VERSION [--json]
  publish-artifact verify  --file PATH --from FILE | (the same flags) --key-file PATH --sha256 HEX
                           download the object, check its sha256, decrypt it and compare it with --file
  publish-artifact decrypt --key-file PATH [--sha256 HEX] IN OUT
                           decrypt a downloaded object as a loader does ("-" for stdin or stdout)
  publish-artifact register --from FILE
                           send a registration saved after a failed publish (exit code 5) to ADMIN_API_URL
  publish-artifact version
  publish-artifact --help

Flags:
  --file PATH             The artifact to publish (a .trt model, a docker image tarball, ...);
                          "-" reads it from stdin (docker save IMAGE | publish-artifact --file - ...).
  --resource-name NAME    Name of the resource, e.g. my_model.
  --dev-stage STAGE       Stage, e.g. dev, staging, prod. First segment of the object key.
  --architecture ARCH     Target architecture, e.g. arm64 or x86_64.
  --version VERSION       The artifact's version, kept exactly as typed (1.10 stays 1.10).
  --json                  Print the result as one JSON object on stdout (no encryption key in it).
  --quiet                 No progress and no summary; errors and warnings only.
  --output FILE           Write the encrypted artifact to FILE and its metadata, with the key, to FILE.json
                          (mode 0600) instead of uploading and registering. Needs no S3 or admin variables.
  --dry-run               Validate everything, print the object key, URLs and input size, and run the
                          read-only checks of a publish (recovery directory, admin API answers, S3 takes
                          the credentials and has the bucket); upload and register nothing.
  --part-size SIZE        Multipart part size, 5MiB to 5GiB (default: 8MiB or more, from the file's size;
                          64MiB for stdin, enough for about 625 GiB).
  --concurrency N         Parts uploaded at the same time, 1 to 64 (default: 4).
  --workers N             Compression workers, 0 to 64 (default: cores - 1; 0 or one core: a single
                          CompressionStream). The output is one standard gzip stream either way.
  --level N               gzip level, 1 (fastest) to 9 (smallest); default 6, as the Python script.
  --retries N             Retries of each request on network errors, timeouts, 408, 429 and 5xx, with
                          exponential backoff and jitter, 0 to 20 (default: 4).
  --timeout SECONDS       Time a request may go without progress (no answer, no bytes taken) before it is
                          tried again (default: 30). A slow upload that keeps moving is never cut.
  --recovery-dir DIR      Where to save the registration if the upload succeeds but registration fails
                          (default: .publish-artifact/ in the working directory, mode 0700 and ignored by
                          git; else a private folder in the temporary directory). Checked before the upload.
  --no-overwrite          Refuse (exit 4, nothing uploaded) when an object is already at the key, and upload
                          with If-None-Match: * against a race. Without it, an existing object is replaced
                          with a warning: its current registration's key will no longer decrypt it.
  --allow-empty           Publish an empty stdin (refused by default: a failed command before the pipe
                          looks just like it). An empty --file is always published.
  --allow-http            Let ADMIN_API_URL be plain http:// to another machine (the token and the key then
                          travel unencrypted); loopback addresses need no such permission.
  -h, --help              Show this help. The program's own version: publish-artifact version.

decrypt and verify take the key from --key-file PATH (a file holding the 64 hex digits, or the metadata or
recovery file, which also gives the sha256) or PUBLISH_ARTIFACT_KEY. --key HEX works too, with a warning:
a command line is visible to every user of the machine.

The object key is {dev_stage}/{resource_name}-{architecture}-{version}.enc

Environment:
  S3_ENDPOINT             required  S3-compatible endpoint URL, e.g. https://s3.example.com
  S3_ACCESS_KEY           required  Upload credentials: access key id
  S3_SECRET_KEY           required  Upload credentials: secret key
  S3_BUCKET               required  Target bucket
  S3_REGION               optional  Signing region (default: us-east-1)
  S3_SESSION_TOKEN        optional  Session token of temporary credentials (STS, instance roles)
  ADMIN_API_URL           required  Admin API base URL
  ADMIN_API_TOKEN         required  Bearer token for the publish request
  ADMIN_API_PUBLISH_PATH  optional  Path below ADMIN_API_URL (default: internal/resources/publish)
  CDN_PUBLIC_BASE_URL     optional  cdn_url becomes {CDN_PUBLIC_BASE_URL}/{object_key};
                                    without it {S3_ENDPOINT}/{S3_BUCKET}/{object_key}
  PUBLISH_ARTIFACT_RETRIES, PUBLISH_ARTIFACT_TIMEOUT, PUBLISH_ARTIFACT_RECOVERY_DIR,
  PUBLISH_ARTIFACT_WORKERS, PUBLISH_ARTIFACT_LEVEL, PUBLISH_ARTIFACT_ALLOW_HTTP (1 or 0)
                          optional  defaults for --retries, --timeout, --recovery-dir, --workers, --level,
                                    --allow-http
  PUBLISH_ARTIFACT_KEY    optional  decrypt and verify: the encryption key (64 hex digits)

Exit codes:
  0    published: uploaded and registered
  1    unexpected internal error (a bug: please report it)
  2    usage or configuration error: nothing was read or sent
  3    the input file could not be read, or changed while it was read
  4    upload failed: nothing was registered, a multipart upload was aborted
  5    uploaded but not registered: the admin API refused or could not be reached; the registration,
       with the key, was saved to a file (mode 0600): publish-artifact register --from FILE sends it
  6    verify or decrypt: the data is not what it should be (sha256, key or content differ)
  7    verify: there is no object at the key (NoSuchKey)
  130  interrupted by SIGINT (143: by SIGTERM); a multipart upload was aborted

Progress goes to stderr for runs over a second: one line redrawn on a terminal, a line each 10% or
15 s (whichever is later) in logs. NO_COLOR is respected.

Example:
  export S3_ENDPOINT=https://s3.example.com S3_ACCESS_KEY=... S3_SECRET_KEY=... S3_BUCKET=artifacts
  export ADMIN_API_URL=https://admin.example.com ADMIN_API_TOKEN=...
  publish-artifact --file ./model.trt --resource-name my_model --dev-stage dev \\
    --architecture arm64 --version 2026-04-15
`;
}
