// Where the bucket is and who signs for it: what every S3 request needs.
import type { CredentialSource } from "./credentials.ts";

export interface S3Config {
  /** Base URL without a trailing slash, e.g. `https://s3.example.com`. */
  endpoint: string;
  /** Keys from the environment, or where temporary ones come from (credentials.ts). */
  credentials: CredentialSource;
  bucket: string;
  region: string;
  /** Told each secret fetched at run time (a temporary secret key, a session token), for the output's redaction. */
  onSecret?: (value: string) => void;
}
