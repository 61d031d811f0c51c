// Where `decrypt` and `verify` take the key from: --key-file, PUBLISH_ARTIFACT_KEY, or --key (with a warning).
import * as v from "valibot";
import { KEY_ON_COMMAND_LINE_WARNING, type KeySource } from "../records/key-source.ts";
import { optionalVar, type Env, type RawFlags } from "./rules.ts";
import { VARIABLES, type VariableName } from "./variables.ts";

export const KEY_VARIABLES = {
  PUBLISH_ARTIFACT_KEY: optionalVar(
    v.pipe(
      v.string(),
      v.transform((s) => s.trim().toLowerCase()),
      v.regex(/^[0-9a-f]{64}$/, `${VARIABLES.PUBLISH_ARTIFACT_KEY.name} must be the encryption key as 64 hex digits`),
    ),
  ),
} satisfies Partial<Record<VariableName, unknown>>;

/** Whether any key was given, read from the raw flags and environment (for problems reported with the others). */
export function keyGiven(flags: RawFlags, env: Env): boolean {
  return flags.key !== undefined || flags.keyFile !== undefined || !!env.PUBLISH_ARTIFACT_KEY;
}

/** A key given twice on the command line. */
export function twoKeyProblems(flags: RawFlags): string[] {
  return flags.key !== undefined && flags.keyFile !== undefined ? ["give the key once: --key-file PATH or --key HEX, not both"] : [];
}

/** The key's one source, flags before the environment; undefined when none was given. */
export function keySourceOf(f: { key?: string | undefined; keyFile?: string | undefined }, e: { PUBLISH_ARTIFACT_KEY?: string | undefined }): KeySource | undefined {
  if (f.keyFile !== undefined) return { kind: "file", path: f.keyFile };
  if (f.key !== undefined) return { kind: "flag", hex: f.key };
  if (e.PUBLISH_ARTIFACT_KEY !== undefined) return { kind: "env", hex: e.PUBLISH_ARTIFACT_KEY };
  return undefined;
}

export function keyWarnings(source: KeySource | undefined): string[] {
  return source?.kind === "flag" ? [KEY_ON_COMMAND_LINE_WARNING] : [];
}
