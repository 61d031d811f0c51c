// Where recovery files go. They hold encryption keys, and CI runs this tool inside somebody else's checkout,
// whose files get committed, cached and uploaded as build artifacts: so by default they go to
// `.publish-artifact/` in the working directory, a folder readable by its owner only that ignores itself in
// git (a `.gitignore` holding `*`, as pytest protects its cache). The folder is prepared before the artifact
// is read, so a publish never uploads first and then finds it has nowhere to keep the key.
//
// node:fs/promises for modes, ownership and symlink checks, which no web API offers.
import { chmod, lstat, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { UsageError, fileErrorReason } from "../errors.ts";
import { UNDER_BUN } from "../runtime.ts";

export const RECOVERY_DIR_NAME = ".publish-artifact";
const IGNORE_ALL = "*\n";

/**
 * The directory to save a recovery file in, created if missing. `explicit` (--recovery-dir) is used as given
 * and must be writable. Otherwise `.publish-artifact/` in `cwd`, or, where the working directory cannot hold
 * it (read-only, not ours), a private folder in the temporary directory.
 */
export async function prepareRecoveryDir(explicit: string | undefined, cwd = process.cwd()): Promise<string> {
  if (explicit !== undefined) {
    try {
      await mkdir(explicit, { recursive: true, mode: 0o700 });
      if (!(await lstat(explicit)).isDirectory()) throw new Error("it is not a directory");
      await probeWritable(explicit);
    } catch (error) {
      throw unusableRecoveryDir(explicit, error);
    }
    return explicit;
  }
  // Lazily: the temporary directory is looked up (Deno: a permission for TMPDIR) only when it is needed.
  const candidates = [() => join(cwd, RECOVERY_DIR_NAME), () => join(tmpdir(), `publish-artifact-recovery-${userId()}`)];
  const failures: string[] = [];
  for (const candidate of candidates) {
    const dir = candidate();
    try {
      await privateFolder(dir);
      return dir;
    } catch (error) {
      failures.push(`${dir}: ${fileErrorReason(error)}`);
    }
  }
  throw new UsageError(`no directory can hold recovery files (${failures.join("; ")}): give one with --recovery-dir DIR`);
}

function unusableRecoveryDir(dir: string, error: unknown): UsageError {
  return new UsageError(`--recovery-dir ${dir} cannot hold recovery files: ${fileErrorReason(error)}: give a writable directory`);
}

/** `dir` as a folder of our own, mode 0700, not a link, ignoring itself in git. */
async function privateFolder(dir: string): Promise<void> {
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  const stat = await lstat(dir);
  // A link or a folder someone else made (a checkout can contain either) could send keys where others read them.
  if (!stat.isDirectory()) throw new Error("it exists and is not a plain directory");
  // Our own uid is the owner of a file we just made (process.getuid needs an extra permission in Deno).
  const ignore = join(dir, ".gitignore");
  const temporary = join(dir, `.gitignore.${process.pid}.tmp`);
  await writeFile(temporary, IGNORE_ALL, { mode: 0o600, flag: "wx" });
  try {
    if ((await lstat(temporary)).uid !== stat.uid) throw new Error("it belongs to another user");
    if ((stat.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
    // A rename replaces the entry: a planted link named .gitignore is replaced, never written through.
    await rename(temporary, ignore);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** The uid under Bun; "user" under Deno, where asking needs --allow-sys and would prompt on a terminal. */
function userId(): string {
  if (!UNDER_BUN) return "user";
  return String(process.getuid?.() ?? "user");
}

/** What prepareRecoveryDir would use, found without creating anything (for --dry-run); throws as it would. */
export async function probeRecoveryDir(explicit: string | undefined, cwd = process.cwd()): Promise<string> {
  const dir = explicit ?? join(cwd, RECOVERY_DIR_NAME);
  const stat = await lstat(dir).catch(() => undefined);
  const target = stat === undefined ? dirname(dir) : dir;
  try {
    if (stat !== undefined && !stat.isDirectory()) throw new Error("it exists and is not a plain directory");
    await probeWritable(target);
  } catch (error) {
    if (explicit !== undefined) throw unusableRecoveryDir(explicit, error);
    return `${dir} cannot be used (${fileErrorReason(error)}): a private folder in the temporary directory would be`;
  }
  return stat === undefined ? `${dir} (would be created)` : dir;
}

/**
 * Whether files can be created in `dir`: by creating one and removing it. (Root passes any permission check,
 * and node:fs access needs an extra permission in Deno.)
 */
async function probeWritable(dir: string): Promise<void> {
  const probe = join(dir, `.publish-artifact-probe-${process.pid}`);
  await writeFile(probe, "", { flag: "wx", mode: 0o600 });
  await rm(probe, { force: true });
}
