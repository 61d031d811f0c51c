// The runtime's own environment variables that would hand the secrets of this step to someone else: the
// compiled binary is a Bun runtime and obeys them as `bun` does (measured: a binary built like ours sees each
// of these in its environment and acts on it). A CI step can carry one by accident (a debugging variable set
// for the whole pipeline), so the tool refuses to run while one is set.
//
// Checked in Bun's documentation (runtime/environment-variables, bundler/executables) and its list of the
// variables it reads (src/env_var.zig), for Bun 1.4.5. Not refused, and why:
// - SSL_CERT_FILE, SSL_CERT_DIR, NODE_EXTRA_CA_CERTS, NODE_USE_SYSTEM_CA: how users trust a private CA (README);
// - BUN_RUNTIME_TRANSPILER_CACHE_PATH, BUN_FEATURE_FLAG_DUMP_CODE: the binary's code is bundled, nothing is
//   transpiled or cached (from source, the README's line sets the cache off);
// - BUN_CONFIG_MAX_HTTP_REQUESTS, BUN_CONFIG_DNS_TIME_TO_LIVE_SECONDS, BUN_FEATURE_FLAG_DISABLE_*,
//   BUN_CRASH_REPORT_URL, DO_NOT_TRACK, NO_COLOR, FORCE_COLOR, TMPDIR, MIMALLOC_*: tuning and crash reports
//   (which hold no memory contents), nothing that carries a request or runs code;
// - NODE_OPTIONS: not read by Bun (measured: a --require in it ran nothing in the binary).
// What cannot be refused from inside, since it acts before any of our code runs: BUN_BE_BUN (the binary runs
// as the `bun` CLI instead of this program), a --preload in BUN_OPTIONS (the file runs first; this check then
// stops the run before any request), and LD_PRELOAD and its kind. The README says so.

import { UNDER_BUN } from "../runtime.ts";

export interface RuntimeSwitch {
  readonly name: string;
  /** What the runtime does while it is set, said in the refusal. */
  readonly effect: string;
  /** Values that leave the runtime as it is. */
  readonly harmless: readonly string[];
}

export const RUNTIME_SWITCHES: readonly RuntimeSwitch[] = [
  { name: "BUN_CONFIG_VERBOSE_FETCH", effect: "Bun prints every request, the admin token and the encryption key included, to stderr", harmless: ["0", "false"] },
  { name: "BUN_OPTIONS", effect: "Bun takes command-line flags from it (--preload runs other code, --inspect opens a debugger)", harmless: [] },
  { name: "BUN_INSPECT", effect: "Bun opens a debugger that can read every secret of the process", harmless: [] },
  { name: "BUN_INSPECT_CONNECT_TO", effect: "Bun connects a debugger that can read every secret of the process", harmless: [] },
  { name: "BUN_INSPECT_PRELOAD", effect: "Bun runs other code with the debugger", harmless: [] },
  { name: "NODE_TLS_REJECT_UNAUTHORIZED", effect: "Bun accepts any TLS certificate, so the token could go to whoever answers", harmless: ["1"] },
];

/**
 * One line per switch that is set. Only under Bun: Deno obeys none of them, and asking Deno for a variable its
 * --allow-env does not list would, on a terminal, stop the run at a permission prompt (measured).
 */
export function runtimeSwitchProblems(env: Record<string, string | undefined>, underBun = UNDER_BUN): string[] {
  if (!underBun) return [];
  return RUNTIME_SWITCHES.flatMap((entry) => {
    let value: string | undefined;
    try {
      value = env[entry.name];
    } catch {
      return [];
    }
    if (value === undefined || value === "" || entry.harmless.includes(value)) return [];
    return [`${entry.name} is set: ${entry.effect}; unset it for this step (publish-artifact runs with secrets in reach)`];
  });
}
