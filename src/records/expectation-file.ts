// What a `verify --from FILE` says the object must be. Either a file that holds a key (a recovery file, the
// metadata --output wrote: record-file.ts), or a publish's own `--json` output (`--json > published.json`),
// which names the object and its hash but never holds the key: the key then comes from --key-file or
// PUBLISH_ARTIFACT_KEY. Read back from disk, so untrusted: every field is checked, printable text only.
import * as v from "valibot";
import { InputFileError } from "../errors.ts";
import { printableText, readNamedFile, recordOf } from "./record-file.ts";

export interface Expectation {
  objectKey: string;
  sha256: string;
  size: number;
  /** The key, from a file that holds one; undefined for a publish's --json output. */
  key: string | undefined;
}

/** The --json output of a publish (exit 0 or 5) or of --output: the fields verify needs; others are let be. */
const PublishedSchema = v.looseObject({
  object_key: v.pipe(printableText, v.nonEmpty()),
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  size_bytes: v.pipe(v.number(), v.integer(), v.minValue(32)),
});

export async function readExpectation(path: string, flag = "--from"): Promise<Expectation> {
  const { text } = await readNamedFile(path, flag);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputFileError(`${flag} ${path} is not a publish-artifact file (a recovery file, --output's metadata, or a publish's --json output): it is not JSON`, path);
  }
  if (typeof parsed === "object" && parsed !== null && "kind" in parsed) {
    const record = recordOf(parsed, path, flag);
    return { objectKey: record.object_key, sha256: record.payload.sha256, size: record.payload.size_bytes, key: record.payload.encryption_key };
  }
  const result = v.safeParse(PublishedSchema, parsed);
  if (!result.success) {
    const where = v.getDotPath(result.issues[0]) ?? "the file";
    throw new InputFileError(
      `${flag} ${path} is neither a recovery or metadata file nor a publish's --json output: ${where} is wrong or missing`,
      path,
    );
  }
  return { objectKey: result.output.object_key, sha256: result.output.sha256, size: result.output.size_bytes, key: undefined };
}
