// The live-delivery baseline: plain node:http + ioredis, no framework, no tsx, no database.
//   POST /ingest   publishes the request body, as is, on one Redis channel, then answers 202
//   GET  /events   an SSE stream: `event: connected` once, then `id:` + `data:` for every message on the channel
//   GET  /health   200 once both Redis connections are ready
// The server holds one subscriber connection and writes each message to every open stream (one write each).
// Usage: node bench/lib/bare-live-server.mjs <port>   (Redis from env BENCH_REDIS_URL, default redis://127.0.0.1:6379)
import { createServer } from "node:http";
import { Redis } from "ioredis";

const port = Number(process.argv[2]);
const redisUrl = process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379";
const channel = `bench:live:bare:${process.pid}`;

const publisher = new Redis(redisUrl, { lazyConnect: true });
const subscriber = new Redis(redisUrl, { lazyConnect: true });
/** @type {Set<import("node:http").ServerResponse>} */
const streams = new Set();
let ready = false;
let nextId = 0;

subscriber.on("message", (_channel, message) => {
  nextId++;
  const frame = Buffer.from(`id: ${nextId}\ndata: ${message}\n\n`);
  for (const res of streams) res.write(frame);
});

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
};

const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "GET" && path === "/events") {
    res.writeHead(200, SSE_HEADERS);
    streams.add(res);
    res.write("event: connected\ndata: {}\n\n");
    res.on("close", () => streams.delete(res));
    return;
  }
  if (req.method === "POST" && path === "/ingest") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      publisher.publish(channel, Buffer.concat(chunks).toString("utf8")).then(
        () => {
          res.writeHead(202, { "content-type": "application/json" });
          res.end('{"accepted":1}');
        },
        (error) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(String(error));
        },
      );
    });
    return;
  }
  if (req.method === "GET" && path === "/health") {
    res.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
    res.end(`{"ready":${ready},"streams":${streams.size}}`);
    return;
  }
  res.writeHead(404);
  res.end();
});
server.keepAliveTimeout = 60_000;

await Promise.all([publisher.connect(), subscriber.connect()]);
await subscriber.subscribe(channel);
ready = true;
server.listen(port, "127.0.0.1");

process.once("SIGTERM", () => {
  for (const res of streams) res.end();
  server.close(() => {
    publisher.disconnect();
    subscriber.disconnect();
    process.exit(0);
  });
  server.closeAllConnections();
});
