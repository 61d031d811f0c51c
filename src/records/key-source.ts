// Where `decrypt` and `verify` get the encryption key. A key typed as `--key HEX` sits in the process list, where
// every user of the machine can read it (ps, /proc/PID/cmdline); a file (`--key-file`) or the environment
// (`PUBLISH_ARTIFACT_KEY`) does not.
import { InputFileError } from "../errors.ts";
import { parseRecord, readNamedFile } from "./record-file.ts";

export type KeySource = { kind: "flag" | "env"; hex: string } | { kind: "file"; path: string };

export interface ResolvedKey {
  /** 64 lowercase hex digits. */
  key: string;
  /** The ciphertext's SHA-256, when the key came from a recovery or --output metadata file. */
  sha256?: string;
}

export const KEY_ON_COMMAND_LINE_WARNING =
  "--key puts the encryption key on the command line, where other users of this machine can read it: use --key-file PATH or PUBLISH_ARTIFACT_KEY";

/** The key itself; a --key-file holds the hex key alone, or is a recovery or --output metadata file. */
export async function resolveKey(source: KeySource): Promise<ResolvedKey> {
  if (source.kind !== "file") return { key: source.hex };
  const text = await readNamedFile(source.path, "--key-file");
  const bare = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(bare)) return { key: bare.toLowerCase() };
  if (!bare.startsWith("{")) {
    throw new InputFileError(
      `--key-file ${source.path} holds neither a key (64 hex digits) nor a publish-artifact recovery or metadata file`,
      source.path,
    );
  }
  const record = parseRecord(text, source.path, "--key-file");
  return { key: record.payload.encryption_key, sha256: record.payload.sha256 };
}
