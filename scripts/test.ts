// `npm test`: start a real S3 server (Ceph radosgw, scripts/radosgw.sh), run `bun test` against it, and stop
// exactly what was started, whatever happens. Extra arguments go to `bun test` (e.g. a file filter).
import { spawn, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRadosgw, stopRadosgw } from "../test/support/s3.ts";

const dir = join(tmpdir(), `publish-artifact-radosgw-${process.pid}`);

// What the tests use beside the S3 server: qemu to run the arm64 binary, setpriv to run as another user,
// script for a pseudo-terminal.
const tools = spawnSync(
  "bash",
  [
    "scripts/apt-install.sh",
    "the tests",
    "qemu-aarch64-static=qemu-user-static",
    "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1=libc6-arm64-cross",
    "setpriv=util-linux",
    "script=bsdutils",
    "python3=python3",
  ],
  { stdio: "inherit" },
);
if (tools.status !== 0) process.exit(1);
// The tests run the compiled executables of this very source.
if (spawnSync(process.execPath, ["scripts/build.ts"], { stdio: "inherit" }).status !== 0) {
  console.error("test: the build failed");
  process.exit(1);
}

// A recognisable S3 secret: the tests scan every output for it.
const secret = `s3-secret-RECOGNISABLE-${crypto.randomUUID()}`;
if (!startRadosgw(dir, { ...process.env, RADOSGW_SECRET_KEY: secret })) {
  console.error("test: could not start the S3 server (radosgw); see the messages above");
  process.exit(1);
}

const child = spawn(process.execPath, ["test", "--timeout", "300000", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, TEST_RADOSGW_ENV: join(dir, "env") },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
const code: number = await new Promise((resolve) => child.on("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0))));
stopRadosgw(dir);
process.exit(code);
