// Independent checks of a published object: download with curl, size and sha256sum against the registered
// payload, then `openssl enc -d` with the registered key and the first 16 bytes as IV, gunzip, and cmp with
// the original. None of it uses our own code.
import { expect } from "bun:test";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { curlDownload, type S3Env } from "./s3.ts";

export interface RegisteredPayload {
  sha256: string;
  encryption_key: string;
  size_bytes: number;
}

export function checkPublished(env: S3Env, objectKey: string, payload: RegisteredPayload, originalPath: string, workDir: string): void {
  const encrypted = join(workDir, "downloaded.enc");
  const decrypted = join(workDir, "decrypted.bin");
  expect(curlDownload(env, objectKey, encrypted)).toBe(200);
  expect(statSync(encrypted).size).toBe(payload.size_bytes);
  const sha = spawnSync("sha256sum", [encrypted]).stdout.toString().split(" ")[0];
  expect(sha).toBe(payload.sha256);
  const script =
    'iv=$(head -c 16 "$1" | od -An -tx1 | tr -d " \\n") && tail -c +17 "$1" | openssl enc -d -aes-256-cbc -K "$2" -iv "$iv" | gunzip > "$3"';
  const decode = spawnSync("bash", ["-c", script, "decode", encrypted, payload.encryption_key, decrypted]);
  expect(decode.stderr.toString()).toBe("");
  expect(decode.status).toBe(0);
  const compare = spawnSync("cmp", [decrypted, originalPath]);
  expect(compare.stdout.toString() + compare.stderr.toString()).toBe("");
  expect(compare.status).toBe(0);
}
