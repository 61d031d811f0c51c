// Runs the CLI as a user does: a separate process, from source under Bun or Deno.
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Runtime = "bun" | "deno";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = process.cwd();
export const DENO = join(ROOT, "node_modules", ".bin", "deno");
/** The narrowest Deno permissions a publish needs (also in the README). */
export const DENO_PERMISSIONS = ["--allow-read", "--allow-net", "--allow-env"];

export function cliCommand(runtime: Runtime): string[] {
  const entry = join(ROOT, "src", "cli.ts");
  return runtime === "bun" ? [process.execPath, entry] : [DENO, "run", "--quiet", ...DENO_PERMISSIONS, entry];
}

/**
 * Spawned asynchronously: the admin API server answering the CLI lives in this same process. The working
 * directory is where a recovery file would be written, so tests give their own.
 */
export async function runCli(runtime: Runtime, args: string[], env: Record<string, string | undefined>, cwd = tmpdir()): Promise<CliRun> {
  const child = Bun.spawn([...cliCommand(runtime), ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}
