#!/usr/bin/env bun
// The program: the process around runCli (argv, environment, stdout and stderr, signals) and nothing else.
import { SIGNAL_EXIT, interruptedUploads, runCli } from "./cli/run-cli.ts";

/**
 * How long an interrupted run may take to clean up (abort its multipart upload, save a registration) before it
 * exits anyway: CI cancels a step by a signal and expects it gone at once; against a healthy server the
 * clean-up takes milliseconds.
 */
const INTERRUPT_DEADLINE_MS = 1000;

const controller = new AbortController();
for (const name of ["SIGINT", "SIGTERM"] as const) {
  process.on(name, () => {
    // A second signal means "now": the first is already cleaning up.
    if (controller.signal.aborted) process.exit(SIGNAL_EXIT[name]);
    controller.abort(name);
    setTimeout(() => {
      process.stderr.write(`publish-artifact: error: interrupted by ${name}: the clean-up did not finish within 1 s; ${interruptedUploads()}nothing was registered\n`);
      process.exit(SIGNAL_EXIT[name]);
    }, INTERRUPT_DEADLINE_MS).unref();
  });
}
const code = await runCli(
  process.argv.slice(2),
  process.env,
  {
    // Not console.*: Bun colours console.error on a terminal, which NO_COLOR users do not want.
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    stderrWrite: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
  },
  controller.signal,
);
// Not process.exit(): it drops output a pipe has not taken yet (decrypt to stdout). Nothing is left to keep
// the process alive, so it ends once the output is written; but an interrupted run may still have a read of
// stdin pending, which would keep it alive: it ends once its last line is out.
process.exitCode = code;
if (controller.signal.aborted) process.stderr.write("", () => process.exit(code));
