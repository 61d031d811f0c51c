// `decrypt [--key-file PATH] [--sha256 HEX] IN OUT`: the loader's side, for people.
import type { KeySource } from "../records/key-source.ts";
import { UsageError } from "../errors.ts";
import { parseCommand } from "./flag-schema.ts";
import { DECRYPT } from "./flags.ts";
import { KEY_VARIABLES, keyGiven, keySourceOf, keyWarnings, twoKeyProblems } from "./key-config.ts";
import type { Env, RawFlags } from "./rules.ts";

export interface DecryptConfig {
  input: string;
  output: string;
  key: KeySource;
  sha256: string | undefined;
  warnings: string[];
}

const DECRYPT_USAGE = 'publish-artifact decrypt --key-file PATH IN OUT ("-" for stdin or stdout)';

export function loadDecryptConfig(input: unknown, output: unknown, flags: RawFlags, env: Env): DecryptConfig {
  const noKey = keyGiven(flags, env) ? [] : ["decrypt needs the key: --key-file PATH (a file holding it, or the metadata or recovery file) or PUBLISH_ARTIFACT_KEY"];
  const [f, e] = parseCommand(DECRYPT, DECRYPT.required, flags, env, KEY_VARIABLES, [...twoKeyProblems(flags), ...noKey]);
  const path = (value: unknown, what: string) => {
    if (typeof value !== "string" || value === "") throw new UsageError(`decrypt needs ${what}: ${DECRYPT_USAGE}`);
    return value;
  };
  // keyGiven held, so there is a source.
  const key = keySourceOf(f, e) as KeySource;
  return { input: path(input, "an input file"), output: path(output, "an output file"), key, sha256: f.sha256, warnings: keyWarnings(key) };
}
