// The admin client's handling of every kind of answer, against a real HTTP server in this process.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { registerArtifact, type RegistrationPayload } from "../../src/admin/register-artifact.ts";
import { RegistrationError } from "../../src/errors.ts";
import { DEFAULT_RETRY_POLICY } from "../../src/http/retry.ts";

const KEY = "0123456789abcdef".repeat(4);
const TOKEN = "admin-token-RECOGNISABLE-unit";
const payload: RegistrationPayload = {
  resource_name: "m",
  dev_stage: "dev",
  architecture: "arm64",
  version: "1",
  cdn_url: "https://cdn.example/dev/m-arm64-1.enc",
  sha256: "f".repeat(64),
  encryption_key: KEY,
  size_bytes: 48,
};
const retry = { ...DEFAULT_RETRY_POLICY, attempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 2000 };

let answers: (() => Response)[] = [];
let seen: { method: string; authorization: string | null }[] = [];
let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      seen.push({ method: request.method, authorization: request.headers.get("authorization") });
      return (answers.shift() ?? (() => Response.json({ status: "ok" }, { status: 201 })))();
    },
  });
});
afterAll(() => server.stop(true));

async function register(...queued: (() => Response)[]) {
  answers = queued;
  seen = [];
  const notices: string[] = [];
  const error = await registerArtifact(`http://127.0.0.1:${server.port}/internal/resources/publish`, TOKEN, payload, {
    retry,
    log: (line) => notices.push(line),
  }).catch((e: unknown) => e);
  return { error: error as RegistrationError | undefined, notices };
}

test("201: one POST with the bearer token", async () => {
  const { error } = await register();
  expect(error).toBeUndefined();
  expect(seen).toEqual([{ method: "POST", authorization: `Bearer ${TOKEN}` }]);
});

test("a 503 is retried with a notice; a 401 is not retried", async () => {
  const busy = await register(() => Response.json({ detail: "busy" }, { status: 503 }));
  expect(busy.error).toBeUndefined();
  expect(seen.length).toBe(2);
  expect(busy.notices[0]).toMatch(/^admin API registration failed: HTTP 503: busy; retrying in /);
  const refused = await register(() => Response.json({ detail: "bad token" }, { status: 401 }));
  expect(refused.error?.message).toBe("admin API registration failed: HTTP 401: bad token");
  expect(seen.length).toBe(1);
});

test("FastAPI's 422 that echoes the body: the message keeps detail, never the key or the token, even where it is cut", async () => {
  const echo = () => Response.json({ detail: [{ msg: "x".repeat(200), input: { ...payload, token: TOKEN } }] }, { status: 422 });
  const { error } = await register(echo);
  expect(error).toBeInstanceOf(RegistrationError);
  expect(error?.status).toBe(422);
  expect(error?.message).toStartWith('admin API registration failed: HTTP 422: [{"msg":"xxx');
  for (let at = 0; at + 8 <= KEY.length; at++) expect(error?.message).not.toContain(KEY.slice(at, at + 8));
  expect(error?.message).not.toContain(TOKEN);
});

test("a redirect is not followed and not retried; the message names only the target's origin", async () => {
  const { error } = await register(() => new Response(null, { status: 308, headers: { location: "https://elsewhere.example:8443/steal?token=1" } }));
  expect(error?.message).toBe(
    "admin API registration failed: HTTP 308: the admin API redirects to https://elsewhere.example:8443, which is not followed (the token and the key would go there): set ADMIN_API_URL to the API's own address",
  );
  expect(seen.length).toBe(1);
});

test("no answer: status 0, host:port and the cause, retried quietly", async () => {
  const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = closed.port;
  await closed.stop(true);
  const notices: string[] = [];
  const error = (await registerArtifact(`http://127.0.0.1:${port}/p`, TOKEN, payload, { retry, log: (line) => notices.push(line) }).catch(
    (e: unknown) => e,
  )) as RegistrationError;
  expect(error.status).toBe(0);
  expect(error.message).toBe(`admin API registration failed: no response from 127.0.0.1:${port}: connection refused`);
  expect(notices).toEqual([]);
});
