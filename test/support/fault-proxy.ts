// A fault-injecting HTTP proxy on 127.0.0.1, in front of the real S3 server or the admin API. It forwards
// bytes untouched (so SigV4 signatures, which cover the Host header, stay valid), one request per connection,
// and on the requests a fault matches it answers an error instead, resets the connection in the middle of the
// body, or stalls.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface ProxiedRequest {
  method: string;
  /** Path and query, as sent. */
  target: string;
  headers: Record<string, string>;
  /** What the proxy did with it. */
  fault?: FaultAction["kind"];
}

export type FaultAction =
  | { kind: "status"; status: number; body?: string }
  | { kind: "reset"; afterBodyBytes: number }
  | { kind: "stall" }
  /** The request reaches the server and takes effect; its answer is lost on the way back. */
  | { kind: "lose-answer" }
  /** The request body reaches the server at this pace: a slow line that keeps moving. */
  | { kind: "throttle"; bytesPerSecond: number };

export interface Fault {
  /** Which requests this fault is about, e.g. `(r) => r.method === "PUT" && r.target.includes("partNumber=2")`. */
  match: (request: ProxiedRequest) => boolean;
  /** Hit the Nth matching request first (1-based; default 1)… */
  nth?: number;
  /** …and this many matching requests from there on (default 1; Infinity for a permanent failure). */
  times?: number;
  action: FaultAction;
}

/** An S3-style error document. */
export function s3ErrorBody(code: string, message = `injected ${code}`): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
}

export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  readonly #faults: { fault: Fault; seen: number; hits: number }[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  private constructor(readonly upstream: URL) {
    this.#server = createServer((client) => this.#handle(client));
  }

  static async start(upstreamUrl: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(upstreamUrl));
    await new Promise<void>((resolve) => proxy.#server.listen(0, "127.0.0.1", resolve));
    proxy.#port = (proxy.#server.address() as { port: number }).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  add(fault: Fault): void {
    this.#faults.push({ fault, seen: 0, hits: 0 });
  }

  clear(): void {
    this.#faults.length = 0;
    this.requests.length = 0;
  }

  /** The faults added since the last clear() that never hit a request: a test that injects one must see it fire. */
  unfired(): Fault[] {
    return this.#faults.filter((entry) => entry.hits === 0).map((entry) => entry.fault);
  }

  count(predicate: (request: ProxiedRequest) => boolean): number {
    return this.requests.filter(predicate).length;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #faultFor(request: ProxiedRequest): FaultAction | undefined {
    for (const entry of this.#faults) {
      if (!entry.fault.match(request)) continue;
      entry.seen += 1;
      const first = entry.fault.nth ?? 1;
      if (entry.seen >= first && entry.hits < (entry.fault.times ?? 1)) {
        entry.hits += 1;
        return entry.fault.action;
      }
    }
    return undefined;
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => {});
  }

  #handle(client: Socket): void {
    this.#track(client);
    let buffered = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      client.pause();
      this.#dispatch(client, buffered.subarray(0, end).toString("latin1"), buffered.subarray(end + 4));
    };
    client.on("data", onData);
  }

  #dispatch(client: Socket, head: string, bodyStart: Buffer): void {
    const [requestLine = "", ...headerLines] = head.split("\r\n");
    const [method = "", target = ""] = requestLine.split(" ");
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const request: ProxiedRequest = { method, target, headers };
    const action = this.#faultFor(request);
    request.fault = action?.kind;
    this.requests.push(request);
    const bodyLength = Number(headers["content-length"] ?? 0);
    // One request per connection keeps request boundaries simple; Connection is not a signed header.
    const forwardedHead =
      [requestLine, ...headerLines.filter((line) => !/^connection:/i.test(line)), "Connection: close"].join("\r\n") + "\r\n\r\n";

    if (action?.kind === "status") {
      readBody(client, bodyStart, bodyLength, () => {
        const body = action.body ?? "";
        client.end(
          `HTTP/1.1 ${action.status} Injected\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      return;
    }
    if (action?.kind === "stall") {
      // Take the request and never answer: only the client's own timeout ends this.
      client.resume();
      return;
    }

    const upstream = connect(Number(this.upstream.port), this.upstream.hostname);
    this.#track(upstream);
    upstream.on("error", () => client.destroy());
    upstream.write(forwardedHead);
    if (action?.kind === "reset") {
      let sent = 0;
      const forward = (chunk: Buffer) => {
        const room = action.afterBodyBytes - sent;
        upstream.write(chunk.subarray(0, Math.max(0, room)));
        sent += chunk.length;
        if (sent >= action.afterBodyBytes) {
          client.off("data", forward);
          client.resetAndDestroy?.() ?? client.destroy();
          upstream.destroy();
        }
      };
      forward(bodyStart);
      client.on("data", forward);
      client.resume();
      return;
    }
    if (bodyStart.length > 0) upstream.write(bodyStart);
    if (action?.kind === "throttle") {
      // Read no faster than the pace: TCP's own flow control then slows the sender down.
      client.on("data", (chunk: Buffer) => {
        upstream.write(chunk);
        client.pause();
        setTimeout(() => client.resume(), (chunk.length / action.bytesPerSecond) * 1000);
      });
      upstream.pipe(client);
      client.resume();
      return;
    }
    client.pipe(upstream);
    if (action?.kind === "lose-answer") {
      upstream.once("data", () => {
        client.destroy();
        upstream.destroy();
      });
    } else {
      upstream.pipe(client);
    }
    client.resume();
  }
}

function readBody(client: Socket, start: Buffer, length: number, done: () => void): void {
  let received = start.length;
  if (received >= length) return done();
  const onData = (data: Buffer) => {
    received += data.length;
    if (received >= length) {
      client.off("data", onData);
      done();
    }
  };
  client.on("data", onData);
  client.resume();
}
