// Where the bucket is and who signs for it: what every S3 request needs.
export interface S3Config {
  /** Base URL without a trailing slash, e.g. `https://s3.example.com` or `http://127.0.0.1:7480/prefix`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (STS, instance roles): sent as x-amz-security-token and signed in every request. */
  sessionToken?: string;
  bucket: string;
  region: string;
}
