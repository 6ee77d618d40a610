import { afterAll, describe, expect, it, vi } from "vitest";
import { Lifecycle } from "../../infra/lifecycle.ts";
import { EMPTY_STREAM_ID, type StreamEntry } from "../../infra/store/index.ts";
import { MemoryStore } from "../../infra/store/memory.ts";
import { type FollowOptions, type Followed, followLog, hubsOf } from "./follow.ts";

const store = new MemoryStore();
const lifecycle = new Lifecycle();
const deps = { store, lifecycle };
const hub = hubsOf(({ id, message }: StreamEntry) => ({ id, message }))(store);
const LOG = { maxLen: 100, ttlMs: 60_000 };

let streams = 0;
const newStream = () => `follow-test-${process.pid}-${++streams}`;
const append = (stream: string, ...messages: string[]) =>
  messages.reduce<Promise<string[]>>(
    async (ids, m) => [...(await ids), await store.append(stream, m, LOG)],
    Promise.resolve([]),
  );

type Follow = AsyncIterator<Followed<{ id: string; message: string }>>;
async function next(follow: Follow) {
  const { value, done } = await follow.next();
  if (done) throw new Error("the follower ended");
  return value.batch.kind === "reset"
    ? { id: value.id, reset: true }
    : { id: value.id, messages: value.batch.entries.map((e) => e.message) };
}

function follow(stream: string, lastEventId: string | null, options: FollowOptions, signal?: AbortSignal) {
  return followLog(deps, hub, stream, lastEventId, signal, options)[Symbol.asyncIterator]();
}

describe("following a log", () => {
  afterAll(() => store.close());

  it("catches up page by page from the start, then follows live without repeating what arrived meanwhile", async () => {
    const stream = newStream();
    await append(stream, "a", "b", "c", "d", "e");
    const controller = new AbortController();
    const received: string[][] = [];
    const follower = followLog(deps, hub, stream, null, controller.signal, { from: "start", pageSize: 2 });
    void follower.forEach(({ batch }) => {
      if (batch.kind === "reset") throw new Error("unexpected reset");
      received.push(batch.entries.map((e) => e.message));
      // Appended while the follower is still catching up: in the log it reads next, and in its live buffer.
      if (received.length === 1) void append(stream, "f", "g");
    });
    await vi.waitFor(() => expect(received.flat()).toContain("g"));
    await append(stream, "h");
    expect(received).toEqual([["a", "b"], ["c", "d"], ["e", "f"], ["g"], ["h"]]);
    controller.abort();
  });

  it("from the head, sends only what comes next; with a last event id, what came after it", async () => {
    const stream = newStream();
    const [, b] = await append(stream, "a", "b", "c");
    const fromNow = follow(stream, null, { from: "head", pageSize: 10 });
    const fromB = follow(stream, b!, { from: "head", pageSize: 10 });
    const nowPending = next(fromNow);
    expect(await next(fromB)).toMatchObject({ messages: ["c"] });
    const [d] = await append(stream, "d");
    expect(await nowPending).toEqual({ id: d, messages: ["d"] });
    expect(await next(fromB)).toEqual({ id: d, messages: ["d"] });
    await Promise.all([fromNow.return(undefined), fromB.return(undefined)]);
  });

  it("resets a position the log does not hold, or one too far behind, and goes on from the newest entry", async () => {
    const stream = newStream();
    const ids = await append(stream, "a", "b", "c", "d");
    const head = ids.at(-1)!;
    const unknown = follow(stream, "1-0", { from: "head", pageSize: 10 });
    expect(await next(unknown)).toEqual({ id: head, reset: true });
    const behind = follow(stream, ids[0]!, { from: "head", pageSize: 2, maxBehind: 2 });
    expect(await next(behind)).toEqual({ id: head, reset: true });
    const [e] = await append(stream, "e");
    expect(await next(unknown)).toEqual({ id: e, messages: ["e"] });
    expect(await next(behind)).toEqual({ id: e, messages: ["e"] });
    await Promise.all([unknown.return(undefined), behind.return(undefined)]);
  });

  it("resets a consumer that stops reading once more than maxBuffered entries wait for it", async () => {
    const stream = newStream();
    const [a] = await append(stream, "a");
    const follower = follow(stream, a!, { from: "head", pageSize: 10, maxBuffered: 2 });
    const pending = next(follower);
    await append(stream, "b");
    expect(await pending).toMatchObject({ messages: ["b"] });
    const ids = await append(stream, "c", "d", "e");
    expect(await next(follower)).toEqual({ id: ids.at(-1), reset: true });
    await follower.return(undefined);
  });

  it("with forEach, catches up alike and then hands each entry over as the log delivers it", async () => {
    const stream = newStream();
    const [a, b] = await append(stream, "a", "b");
    const controller = new AbortController();
    const received: { id: string; messages?: string[]; reset?: true }[] = [];
    const caughtUp = new Promise<void>((resolve) => {
      void followLog(deps, hub, stream, a, controller.signal, { from: "head", pageSize: 10 }).forEach(
        ({ id, batch }) => {
          received.push(
            batch.kind === "reset" ? { id, reset: true } : { id, messages: batch.entries.map((e) => e.message) },
          );
          if (id === b) resolve();
        },
      );
    });
    await caughtUp;
    const [c] = await append(stream, "c");
    // No await between the append and this check: the entry was handed over in the same turn.
    expect(received).toEqual([
      { id: b, messages: ["b"] },
      { id: c, messages: ["c"] },
    ]);
    controller.abort();
  });

  it("ends when its signal aborts, and every follower ends when the process drains", async () => {
    const stream = newStream();
    const controller = new AbortController();
    const mine = follow(stream, null, { from: "head", pageSize: 10 }, controller.signal);
    const others = follow(stream, EMPTY_STREAM_ID, { from: "start", pageSize: 10 });
    const minePending = mine.next();
    const othersPending = others.next();
    controller.abort();
    expect(await minePending).toEqual({ done: true, value: undefined });
    lifecycle.startDraining();
    expect(await othersPending).toEqual({ done: true, value: undefined });
  });
});
