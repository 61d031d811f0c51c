// Where `decrypt` and `verify` get the encryption key. A key typed as `--key HEX` sits in the process list, where
// every user of the machine can read it (ps, /proc/PID/cmdline); a file (`--key-file`) or the environment
// (`PUBLISH_ARTIFACT_KEY`) does not.
//
// node:fs/promises to see whether the key file is a link, which no web API tells.
import { lstat } from "node:fs/promises";
import { InputFileError } from "../errors.ts";
import { parseRecord, readNamedFile } from "./record-file.ts";

export type KeySource = { kind: "flag" | "env"; hex: string } | { kind: "file"; path: string };

export interface ResolvedKey {
  /** 64 lowercase hex digits. */
  key: string;
  /** The ciphertext's SHA-256, when the key came from a recovery or --output metadata file. */
  sha256?: string;
  /** One line each: a key file others may read, or a link (as ssh warns of a private key). */
  warnings: string[];
}

export const KEY_ON_COMMAND_LINE_WARNING =
  "--key puts the encryption key on the command line, where other users of this machine can read it: use --key-file PATH or PUBLISH_ARTIFACT_KEY";

/** The key itself; a --key-file holds the hex key alone, or is a recovery or --output metadata file. */
export async function resolveKey(source: KeySource): Promise<ResolvedKey> {
  if (source.kind !== "file") return { key: source.hex, warnings: [] };
  const { text, mode } = await readNamedFile(source.path, "--key-file");
  const warnings = await keyFileWarnings(source.path, mode);
  const bare = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(bare)) return { key: bare.toLowerCase(), warnings };
  if (!bare.startsWith("{")) {
    throw new InputFileError(
      `--key-file ${source.path} holds neither a key (64 hex digits) nor a publish-artifact recovery or metadata file`,
      source.path,
    );
  }
  const record = parseRecord(text, source.path, "--key-file");
  return { key: record.payload.encryption_key, sha256: record.payload.sha256, warnings };
}

/**
 * A key file whose bits let others in, or that is a link (whoever controls the link chooses the key, and the
 * file behind it may be anyone's): one warning each, as ssh gives for a private key. Not refused: the key may
 * be one the user was handed, and a loader's decrypt does not depend on who else read it.
 */
async function keyFileWarnings(path: string, mode: number): Promise<string[]> {
  const warnings: string[] = [];
  if ((mode & 0o077) !== 0) {
    warnings.push(`--key-file ${path} can be read or changed by others (mode ${mode.toString(8).padStart(4, "0")}): chmod 600 ${path}`);
  }
  if ((await lstat(path).catch(() => undefined))?.isSymbolicLink()) {
    warnings.push(`--key-file ${path} is a symbolic link: give the key file itself, which only you can change`);
  }
  return warnings;
}
