// A forward proxy as CI networks have them: plain http requests in absolute form are forwarded, and CONNECT
// opens a tunnel (for https). It counts what passes, by target host, so a test can tell what went through it.
import http from "node:http";
import net from "node:net";

export interface ForwardProxy {
  url: string;
  /** One line per request or tunnel: "GET http://host:port/path" or "CONNECT host:port". */
  readonly passed: string[];
  stop(): Promise<void>;
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const passed: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    passed.push(`${request.method} ${request.url}`);
    const target = new URL(request.url ?? "");
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  server.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    passed.push(`CONNECT ${request.url}`);
    const [host, port] = (request.url ?? "").split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on("close", () => sockets.delete(socket));
    }
  });
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    passed,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
