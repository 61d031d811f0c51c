// Where the CLI's words go: stdout for results, stderr for everything else, each line through the redaction of
// every secret the run knows, control characters escaped; progress and notices kept apart from each other.
import type { Env } from "../config/rules.ts";
import { printable } from "../format.ts";
import type { Secrets } from "../redact.ts";
import type { Progress } from "./progress.ts";

export interface CliIo {
  /** One line (or block) of output each; a newline is added. */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Raw writes to stderr, for a progress line redrawn in place. */
  stderrWrite?: (text: string) => void;
  /** Whether stderr is a terminal. */
  stderrIsTTY?: boolean;
}

/**
 * Every line out of the CLI passes through the redaction of every secret known so far, and has its control
 * characters escaped (a name read from a file could otherwise forge lines). Raw writes are the progress
 * line's own redrawing, whose notes escape themselves (progress.ts).
 */
export function redacting(io: CliIo, secrets: Secrets): CliIo {
  return {
    stdout: (text) => io.stdout(printable(secrets.redact(text))),
    stderr: (text) => io.stderr(printable(secrets.redact(text))),
    stderrWrite: io.stderrWrite && ((text) => io.stderrWrite?.(secrets.redact(text))),
    stderrIsTTY: io.stderrIsTTY,
  };
}

/** Warnings go to stderr even with --quiet: each is about something the user should fix. */
export function warn(io: CliIo, warnings: readonly string[]): void {
  for (const line of warnings) io.stderr(`publish-artifact: warning: ${line}`);
}

/** Notices (retries) on stderr, one line each, kept clear of the progress line. */
export function notice(io: CliIo, quiet: boolean, progress?: Progress): (line: string) => void {
  return (line) => {
    if (quiet) return;
    const text = `publish-artifact: ${line}`;
    if (progress) progress.note(text);
    else io.stderr(text);
  };
}

/** Run `work` with a progress line, gone (stopped and cleared) before anything else is printed, however it ends. */
export async function withProgress<T>(file: string, quiet: boolean, env: Env, io: CliIo, work: (progress: Progress) => Promise<T>): Promise<T> {
  const progress = await progressFor(file, quiet, env, io);
  try {
    return await work(progress);
  } finally {
    progress.stop();
  }
}

/** Progress on stderr: redrawn on a terminal, plain lines in logs, nothing with --quiet. */
async function progressFor(file: string, quiet: boolean, env: Env, io: CliIo): Promise<Progress> {
  const { Progress } = await import("./progress.ts");
  const { stat } = await import("node:fs/promises");
  const total = file === "-" ? undefined : await stat(file).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
  const mode = quiet || !io.stderrWrite ? "off" : io.stderrIsTTY ? "terminal" : "lines";
  const color = mode === "terminal" && !env.NO_COLOR;
  return new Progress({ mode, total, color, write: io.stderrWrite ?? (() => {}) }).start();
}
