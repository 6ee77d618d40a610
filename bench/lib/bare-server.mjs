// The baseline: plain node:http, no framework, no tsx, answering every request with the same JSON body.
// Usage: node bench/lib/bare-server.mjs <port>   (body from env BENCH_BODY)
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const body = Buffer.from(process.env.BENCH_BODY ?? '{"status":"ok"}');
const headers = { "content-type": "application/json; charset=utf-8", "content-length": String(body.length) };

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(port, "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
