// A real HTTP admin API for the tests and the demo: checks the bearer token and validates the publish body
// as strictly as the real service should (exact key set, types, lowercase hex, sizes).

export interface RegistrationRecord {
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface AdminServer {
  url: string;
  token: string;
  /** Every request the server accepted. */
  registrations: RegistrationRecord[];
  /** Every registration attempt (any request but a HEAD) that reached the server, accepted or not. */
  requests: number;
  /** The HEAD requests of the reachability check a publish makes before its upload. */
  checks: number;
  /** Answer the next requests with this status and body instead of validating them. */
  failNext(count: number, status: number, body: string): void;
  stop(): Promise<void>;
}

const FIELDS = ["resource_name", "dev_stage", "architecture", "version", "cdn_url", "sha256", "encryption_key", "size_bytes"];

export function validateRegistration(body: unknown): string | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return "body must be a JSON object";
  const record = body as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  if (keys.join(",") !== [...FIELDS].sort().join(",")) return `fields must be exactly ${FIELDS.join(", ")}; got ${keys.join(", ")}`;
  for (const field of ["resource_name", "dev_stage", "architecture", "version", "cdn_url"]) {
    if (typeof record[field] !== "string" || record[field] === "") return `${field} must be a non-empty string`;
  }
  if (!/^https?:\/\//.test(record.cdn_url as string)) return "cdn_url must be an http(s) URL";
  if (typeof record.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(record.sha256)) return "sha256 must be 64 lowercase hex digits";
  if (typeof record.encryption_key !== "string" || !/^[0-9a-f]{64}$/.test(record.encryption_key)) {
    return "encryption_key must be 64 lowercase hex digits";
  }
  const size = record.size_bytes;
  // IV plus at least one AES block, and always whole blocks.
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 32 || size % 16 !== 0) {
    return "size_bytes must be an integer of at least 32 and a multiple of 16";
  }
  return undefined;
}

/** `tls`: PEM files of a certificate and its key, to be served over HTTPS. */
export function startAdminServer(options: { token?: string; path?: string; tls?: { cert: string; key: string } } = {}): AdminServer {
  const token = options.token ?? "admin-token-for-tests";
  const path = options.path ?? "/internal/resources/publish";
  const registrations: RegistrationRecord[] = [];
  const failures: { status: number; body: string }[] = [];
  let requests = 0;
  let checks = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...(options.tls ? { tls: { cert: Bun.file(options.tls.cert), key: Bun.file(options.tls.key) } } : {}),
    async fetch(request) {
      // The reachability check: an answer, as from a real API that only takes POST here.
      if (request.method === "HEAD") {
        checks += 1;
        return new Response(null, { status: 405 });
      }
      requests += 1;
      const url = new URL(request.url);
      const failure = failures.shift();
      if (failure) return new Response(failure.body, { status: failure.status });
      if (request.method !== "POST" || url.pathname !== path) return Response.json({ detail: "not found" }, { status: 404 });
      if (request.headers.get("authorization") !== `Bearer ${token}`) return Response.json({ detail: "bad token" }, { status: 401 });
      if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) {
        return Response.json({ detail: "content-type must be application/json" }, { status: 415 });
      }
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return Response.json({ detail: "body is not JSON" }, { status: 400 });
      }
      const problem = validateRegistration(body);
      if (problem) return Response.json({ detail: problem }, { status: 422 });
      registrations.push({ path: url.pathname, headers: Object.fromEntries(request.headers), body: body as Record<string, unknown> });
      return Response.json({ status: "ok" }, { status: 201 });
    },
  });
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${server.port}`,
    token,
    registrations,
    get requests() {
      return requests;
    },
    get checks() {
      return checks;
    },
    failNext(count, status, body) {
      for (let i = 0; i < count; i++) failures.push({ status, body });
    },
    async stop() {
      await server.stop(true);
    },
  };
}
