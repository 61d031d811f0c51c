// Runs the CLI as a user does, in a separate process: from source under Bun or Deno, or as a compiled binary
// (the arm64 one under qemu).
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TARGETS, binaryPath, runnerFor } from "../../scripts/build.ts";
import { secretValues, variablesRead } from "../../src/config/variables.ts";

export type Runtime = "bun" | "deno" | "binary-x64" | "binary-arm64";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = process.cwd();
export const DENO = join(ROOT, "node_modules", ".bin", "deno");

/** Every variable the CLI reads: Deno is given exactly these (the README's Deno line lists the same). */
export const ENV_VARS = variablesRead();

/**
 * The narrowest Deno permissions for one run: read the artifact and the tool's source (its workers), write
 * recovery files in the working directory, reach the two servers, read the variables above.
 */
export function denoPermissions(args: readonly string[], cwd: string, env: Record<string, string | undefined>): string[] {
  const file = args[args.indexOf("--file") + 1];
  const from = args[args.indexOf("--from") + 1];
  const paths = [args.includes("--file") ? file : undefined, args.includes("--from") ? from : undefined];
  // The workers' modules, and the modules they import, are read like files when Deno starts the workers: the
  // tool's own src/, as the README's Deno line grants.
  const readable = [cwd, join(ROOT, "src"), ...[...paths, env.AWS_WEB_IDENTITY_TOKEN_FILE].filter((path): path is string => path !== undefined && path !== "-")];
  // STS and the metadata service too, where the environment points the credential chain at them.
  const hosts = [env.S3_ENDPOINT, env.ADMIN_API_URL, env.AWS_ENDPOINT_URL_STS, env.AWS_EC2_METADATA_SERVICE_ENDPOINT]
    .filter((url): url is string => !!url && URL.canParse(url))
    .map((url) => new URL(url).host);
  return [
    `--allow-read=${readable.join(",")}`,
    `--allow-write=${cwd}`,
    ...(hosts.length > 0 ? [`--allow-net=${hosts.join(",")}`] : []),
    `--allow-env=${ENV_VARS.join(",")}`,
  ];
}

export function cliCommand(runtime: Runtime, args: readonly string[] = [], cwd = tmpdir(), env: Record<string, string | undefined> = {}): string[] {
  const entry = join(ROOT, "src", "main.ts");
  switch (runtime) {
    case "bun":
      return [process.execPath, entry];
    case "deno":
      return [DENO, "run", "--quiet", "--no-remote", ...denoPermissions(args, cwd, env), entry];
    case "binary-x64":
    case "binary-arm64": {
      const target = TARGETS.find((t) => t.name === (runtime === "binary-x64" ? "linux-x64" : "linux-arm64"));
      const runner = target && runnerFor(target);
      if (!target || !runner) throw new Error(`cannot run the ${runtime} binary on this machine`);
      return [...runner, join(ROOT, binaryPath(target))];
    }
  }
}

/**
 * Spawned asynchronously: the admin API server answering the CLI lives in this same process. The working
 * directory is where a recovery file would be written, so tests give their own.
 */
export async function spawnCli(runtime: Runtime, args: string[], env: Record<string, string | undefined>, cwd = tmpdir()): Promise<CliRun> {
  const child = Bun.spawn([...cliCommand(runtime, args, cwd, env), ...args], {
    cwd,
    // Deno would otherwise ask dl.deno.land for a newer Deno, as the README's Deno line says.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...(runtime === "deno" ? { DENO_NO_UPDATE_CHECK: "1" } : {}), ...env },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  assertNoSecretIn(`${stdout}\n${stderr}`, env, args);
  return { code, stdout, stderr };
}

/** The secrets of the environment (the table's), in every run's output: none may appear, whatever the test itself checks. */
export function assertNoSecretIn(output: string, env: Record<string, string | undefined>, args: readonly string[]): void {
  for (const value of secretValues(env)) {
    if (value !== undefined && value.length >= 6 && output.toLowerCase().includes(value.toLowerCase())) {
      throw new Error(`the output of publish-artifact ${args.join(" ")} shows a secret of its environment`);
    }
  }
}
