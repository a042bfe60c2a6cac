// The client module's logic, driven through a fake WebSocket and Node's mock timers: no server, no network.
import { afterEach, beforeEach, describe, mock, test } from "node:test";
import assert from "node:assert/strict";
import {
  ChorusSendError, DEFAULTS, FINAL_CLOSE_CODES, chatUrl, closeVerdict, connect, reconnectDelay, splitFrame,
} from "../../main/webapp/chorus-client.js";

const SERVER = "http://chat.test/chorus/";

/** A WebSocket the test plays the server for: it records what the client sends and opens. */
class FakeSocket {
  static opened = [];

  constructor(url) {
    this.url = new URL(url);
    this.sent = [];
    this.listeners = { message: [], close: [] };
    this.closedWith = null;
    FakeSocket.opened.push(this);
  }

  addEventListener(type, listener) {
    this.listeners[type]?.push(listener);
  }

  send(text) {
    if (this.closedWith) throw new Error("sent on a closed socket");
    this.sent.push(text);
  }

  close(code, reason) {
    this.closedWith = { code, reason };
  }

  /** The server sends these events, in one frame, one a line, as `?batch=1` frames them. */
  frame(...events) {
    const data = events.map((event) => JSON.stringify(event)).join("\n");
    for (const listener of this.listeners.message) listener({ data });
  }

  /** The connection closes with this code. */
  drop(code, reason = "") {
    this.closedWith = { code, reason };
    for (const listener of this.listeners.close) listener({ code, reason });
  }

  static last() {
    return FakeSocket.opened[FakeSocket.opened.length - 1];
  }
}

/** Lets queued microtasks and promise reactions run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function welcome(overrides = {}) {
  return { type: "welcome", you: "alice", room: "lobby", epoch: "e1", count: 1, members: ["alice"], history: [], ...overrides };
}

function message(id, from = "bob", text = `m${id}`) {
  return { type: "message", room: "lobby", id, from, text, ts: "2026-12-05T09:00:00.000Z" };
}

/** A client in lobby as alice, with every event it emitted recorded by type. */
async function joined(options = {}, welcomeOverrides = {}) {
  const client = connect({ room: "lobby", name: "alice", server: SERVER, WebSocket: FakeSocket, random: () => 1, ...options });
  const seen = { message: [], status: [], presence: [], gap: [], reset: [], notice: [], error: [], welcome: [] };
  for (const type of Object.keys(seen)) client.on(type, (detail) => seen[type].push(detail));
  await settle();
  FakeSocket.last().frame(welcome(welcomeOverrides));
  return { client, seen, socket: FakeSocket.last() };
}

beforeEach(() => {
  FakeSocket.opened = [];
  mock.timers.enable({ apis: ["setTimeout"] });
});

afterEach(() => {
  mock.timers.reset();
});

describe("chatUrl", () => {
  test("asks for batching and names the member, encoding room and name", () => {
    const url = new URL(chatUrl(SERVER, "lobby", { name: "José Ωmega" }));
    assert.equal(url.protocol, "ws:");
    assert.equal(url.pathname, "/chorus/chat/lobby");
    assert.equal(url.searchParams.get("name"), "José Ωmega");
    assert.equal(url.searchParams.get("batch"), "1");
    assert.equal(url.searchParams.has("since"), false);
  });

  test("resumes with since and epoch, over wss behind TLS", () => {
    const url = new URL(chatUrl("https://chat.example.org/chorus/", "a.b-c_d", { name: "x", since: 42, epoch: "k3j9" }));
    assert.equal(url.protocol, "wss:");
    assert.equal(url.searchParams.get("since"), "42");
    assert.equal(url.searchParams.get("epoch"), "k3j9");
  });

  test("leaves out the name for a signed-in user, the epoch without a position, and batching when asked", () => {
    const url = new URL(chatUrl(SERVER, "lobby", { since: 0, epoch: "e1", batch: false }));
    assert.equal(url.search, "");
  });
});

describe("splitFrame", () => {
  test("reads one event a line and skips a trailing line break", () => {
    assert.deepEqual(splitFrame('{"type":"ack","id":1}\n{"type":"message","id":2}\n'), [
      { type: "ack", id: 1 }, { type: "message", id: 2 },
    ]);
  });

  test("reads an unbatched frame as one event, escaped line breaks in text intact", () => {
    assert.deepEqual(splitFrame('{"type":"message","text":"two\\nlines"}'), [{ type: "message", text: "two\nlines" }]);
  });
});

describe("reconnectDelay", () => {
  test("doubles from the base to the cap, drawn from the upper half of each ceiling", () => {
    const options = { reconnectBaseMs: 1000, reconnectCapMs: 30000 };
    const ceilings = [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];
    ceilings.forEach((ceiling, attempt) => {
      assert.equal(reconnectDelay(attempt, options, () => 0), ceiling / 2, `lowest at attempt ${attempt}`);
      assert.equal(reconnectDelay(attempt, options, () => 1), ceiling, `highest at attempt ${attempt}`);
    });
  });

  test("stays within bounds for any attempt and any draw", () => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const delay = reconnectDelay(attempt, DEFAULTS);
      assert.ok(delay >= DEFAULTS.reconnectBaseMs / 2 && delay <= DEFAULTS.reconnectCapMs, `attempt ${attempt}: ${delay}`);
    }
  });

  test("jitters: clients dropped together come back at different times", () => {
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelay(3, DEFAULTS)));
    assert.ok(delays.size > 10, `only ${delays.size} different delays`);
  });
});

describe("closeVerdict", () => {
  test("stops after the codes that say the client is wrong", () => {
    assert.deepEqual(FINAL_CLOSE_CODES, [1003, 1008, 1009, 4000]);
    for (const code of FINAL_CLOSE_CODES) assert.equal(closeVerdict(code).retry, false, String(code));
    assert.equal(closeVerdict(4000).why, "application");
  });

  test("retries the server's own troubles and a lost network", () => {
    for (const code of [1000, 1001, 1005, 1006, 1011, 1012, 1013]) assert.equal(closeVerdict(code).retry, true, String(code));
  });
});

describe("order", () => {
  test("delivers each id once, in order, across history, live messages and a resume", async () => {
    const { seen, socket } = await joined({}, { history: [message(1), message(2)] });
    socket.frame(message(2), message(3));
    socket.drop(1012, "reconnect");
    mock.timers.tick(DEFAULTS.reconnectBaseMs);
    const resumed = FakeSocket.last();
    assert.notEqual(resumed, socket);
    assert.equal(resumed.url.searchParams.get("since"), "3");
    assert.equal(resumed.url.searchParams.get("epoch"), "e1");
    resumed.frame(welcome({ history: [message(3), message(4)] }), message(4), message(5));
    assert.deepEqual(seen.message.map((m) => m.id), [1, 2, 3, 4, 5]);
    assert.deepEqual(seen.welcome.map((w) => w.resumed), [false, true]);
  });

  test("marks the application's messages apart, even under a member's name", async () => {
    const { seen, socket } = await joined();
    socket.frame({ ...message(1, "alice"), origin: "server" }, message(2, "alice"));
    assert.deepEqual(seen.message.map((m) => [m.origin, m.mine]), [["server", false], ["member", true]]);
  });
});

describe("send", () => {
  test("settles each send with its ack's id, matched first in first out", async () => {
    const { client, seen, socket } = await joined();
    const first = client.send("one");
    const second = client.send("two");
    assert.deepEqual(socket.sent, ["one", "two"]);
    socket.frame(message(7), { type: "ack", id: 8, ts: "t8" }, message(9), { type: "ack", id: 10, ts: "t10" });
    assert.equal(await first, 8);
    assert.equal(await second, 10);
    assert.deepEqual(seen.message.map((m) => [m.id, m.text, m.mine]), [[7, "m7", false], [8, "one", true], [9, "m9", false], [10, "two", true]]);
  });

  test("rejects the oldest send that an error event answers in place of its ack", async () => {
    const { client, socket } = await joined();
    const refused = client.send("too fast");
    const accepted = client.send("later");
    socket.frame({ type: "error", code: "rate-limited", reason: "too fast" }, { type: "ack", id: 1, ts: "t" });
    await assert.rejects(refused, (error) => error instanceof ChorusSendError && error.code === "rate-limited");
    assert.equal(await accepted, 1);
  });

  test("refuses a blank message at once, without sending it", async () => {
    const { client, socket } = await joined();
    await assert.rejects(client.send(" \n "), { code: "empty" });
    assert.deepEqual(socket.sent, []);
  });

  test("never sends a message twice: a drop before its ack rejects it as outcome unknown", async () => {
    const { client, seen, socket } = await joined();
    const unsure = client.send("did it go?");
    socket.drop(1006);
    await assert.rejects(unsure, (error) => error.code === "outcome-unknown" && error.text === "did it go?");
    mock.timers.tick(DEFAULTS.reconnectBaseMs);
    const resumed = FakeSocket.last();
    resumed.frame(welcome({ history: [message(1, "alice", "did it go?")] }));
    assert.deepEqual(resumed.sent, []);
    assert.deepEqual(seen.message.map((m) => [m.id, m.mine]), [[1, true]]);
  });

  test("queues sends while disconnected and sends them in order after the welcome", async () => {
    const client = connect({ room: "lobby", name: "alice", server: SERVER, WebSocket: FakeSocket });
    const early = client.send("early");
    await settle();
    const socket = FakeSocket.last();
    assert.deepEqual(socket.sent, []);
    socket.frame(welcome());
    assert.deepEqual(socket.sent, ["early"]);
    socket.frame({ type: "ack", id: 1, ts: "t" });
    assert.equal(await early, 1);
  });

  test("bounds the queue: a send past it rejects at once", async () => {
    const client = connect({ room: "lobby", name: "alice", server: SERVER, WebSocket: FakeSocket, queueLimit: 2 });
    const queued = [client.send("a"), client.send("b")];
    await assert.rejects(client.send("c"), { code: "queue-full" });
    await settle();
    FakeSocket.last().frame(welcome());
    assert.deepEqual(FakeSocket.last().sent, ["a", "b"]);
    client.close();
    await Promise.allSettled(queued);
  });
});

describe("reconnect", () => {
  test("backs off while attempts fail, and starts again from the base after a welcome", async () => {
    const { seen, socket } = await joined();
    socket.drop(1012);
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const delay = seen.status.at(-1).delayMs;
      assert.equal(delay, Math.min(DEFAULTS.reconnectCapMs, DEFAULTS.reconnectBaseMs * 2 ** (attempt - 1)));
      mock.timers.tick(delay);
      FakeSocket.last().drop(1006);
    }
    mock.timers.tick(seen.status.at(-1).delayMs);
    FakeSocket.last().frame(welcome());
    FakeSocket.last().drop(1001);
    assert.equal(seen.status.at(-1).delayMs, DEFAULTS.reconnectBaseMs);
    assert.equal(seen.status.at(-1).state, "reconnecting");
  });

  test("gives up after reconnectAttempts and says so", async () => {
    const { seen, socket } = await joined({ reconnectAttempts: 1 });
    socket.drop(1012);
    mock.timers.tick(DEFAULTS.reconnectBaseMs);
    FakeSocket.last().drop(1006);
    assert.equal(seen.status.at(-1).state, "disconnected");
    assert.equal(seen.status.at(-1).why, "gave-up");
  });

  for (const [code, why] of [[1008, "refused"], [1009, "too-large"], [1003, "refused"], [4000, "application"]]) {
    test(`never reconnects after ${code}, says why, and rejects what waits`, async () => {
      const { client, seen, socket } = await joined();
      socket.drop(code, `reason ${code}`);
      mock.timers.tick(DEFAULTS.reconnectCapMs * 10);
      assert.equal(FakeSocket.opened.length, 1);
      assert.deepEqual(seen.status.at(-1), { state: "disconnected", room: "lobby", code, reason: `reason ${code}`, why });
      await assert.rejects(client.send("anyone?"), { code: "closed" });
    });
  }

  test("gives the refusing error's reason when the close has none", async () => {
    const client = connect({ room: "lobby", name: "a!b", server: SERVER, WebSocket: FakeSocket });
    const statuses = [];
    client.on("status", (status) => statuses.push(status));
    const waiting = client.send("hello");
    await settle();
    FakeSocket.last().frame({ type: "error", code: "invalid-join", reason: "name: letters only" });
    FakeSocket.last().drop(1008, "");
    assert.equal(statuses.at(-1).reason, "name: letters only");
    await assert.rejects(waiting, { code: "not-sent" });
  });

  test("close() ends the conversation without reconnecting", async () => {
    const { client, seen, socket } = await joined();
    client.close();
    assert.deepEqual(socket.closedWith, { code: 1000, reason: "leaving" });
    socket.drop(1000, "leaving");
    mock.timers.tick(DEFAULTS.reconnectCapMs);
    assert.equal(FakeSocket.opened.length, 1);
    assert.equal(seen.status.at(-1).why, "closed");
  });

  test("gives up an attempt that gets no welcome in time, and tries again", async () => {
    const client = connect({ room: "lobby", name: "alice", server: SERVER, WebSocket: FakeSocket, random: () => 1 });
    const statuses = [];
    client.on("status", (status) => statuses.push(status));
    await settle();
    mock.timers.tick(DEFAULTS.welcomeTimeoutMs);
    assert.equal(FakeSocket.opened[0].closedWith.code, undefined);
    assert.equal(statuses.at(-1).state, "reconnecting");
    mock.timers.tick(DEFAULTS.reconnectBaseMs);
    FakeSocket.last().frame(welcome());
    mock.timers.tick(DEFAULTS.welcomeTimeoutMs * 2);
    assert.equal(statuses.at(-1).state, "live");
    assert.equal(FakeSocket.opened.length, 2);
  });

  test("reconnectNow skips the wait", async () => {
    const { client, socket } = await joined();
    socket.drop(1006);
    client.reconnectNow();
    assert.equal(FakeSocket.opened.length, 2);
  });
});

describe("gaps and resets", () => {
  test("a gap says how many messages were lost, then the welcome's history follows", async () => {
    const { seen, socket } = await joined({}, { history: [message(1)] });
    socket.drop(1012);
    mock.timers.tick(DEFAULTS.reconnectBaseMs);
    FakeSocket.last().frame({ type: "gap", room: "lobby", after: 1, until: 5, reset: false }, welcome({ history: [message(5)] }));
    assert.deepEqual(seen.gap, [{ after: 1, until: 5, missed: 3 }]);
    assert.deepEqual(seen.message.map((m) => m.id), [1, 5]);
  });

  test("a reset forgets the old numbering and delivers the new history from its start", async () => {
    const { client, seen, socket } = await joined({}, { history: [message(1), message(2), message(3)] });
    socket.drop(1001);
    mock.timers.tick(DEFAULTS.reconnectBaseMs);
    FakeSocket.last().frame({ type: "gap", room: "lobby", after: 3, until: 1, reset: true },
        welcome({ epoch: "e2", history: [message(1, "carol", "new")] }));
    assert.equal(seen.reset.length, 1);
    assert.deepEqual(seen.message.map((m) => m.id), [1, 2, 3, 1]);
    assert.equal(client.epoch, "e2");
    FakeSocket.last().drop(1012);
    mock.timers.tick(DEFAULTS.reconnectBaseMs);
    assert.equal(FakeSocket.last().url.searchParams.get("since"), "1");
    assert.equal(FakeSocket.last().url.searchParams.get("epoch"), "e2");
  });
});

describe("presence and notices", () => {
  test("keeps the welcome's members and applies joins and leaves", async () => {
    const { client, seen, socket } = await joined({}, { count: 2, members: ["bob", "alice"] });
    socket.frame({ type: "join", room: "lobby", member: "Carol", count: 3 }, { type: "leave", room: "lobby", member: "bob", count: 2 });
    assert.deepEqual(seen.presence.map((p) => p.members), [["alice", "bob"], ["Carol", "alice", "bob"], ["Carol", "alice"]]);
    assert.deepEqual(seen.presence.at(-1).change, { type: "leave", member: "bob" });
    assert.equal(client.count, 2);
    assert.equal(seen.presence.at(-1).complete, true);
  });

  test("in a room too large to announce joins, says the list is incomplete and pages the members resource", async () => {
    const asked = [];
    const fetch = async (url) => {
      asked.push(url);
      return { ok: true, status: 200, json: async () => ({ room: "lobby", count: 250, members: ["a"], next: "a" }) };
    };
    const { client, seen } = await joined({ fetch }, { count: 250, members: ["alice"] });
    assert.equal(seen.presence[0].complete, false);
    const page = await client.fetchMembers({ after: "alice", limit: 100 });
    assert.equal(page.next, "a");
    assert.deepEqual(asked, ["http://chat.test/chorus/api/rooms/lobby/members?after=alice&limit=100"]);
  });

  test("passes a private notice on, with or without its sender", async () => {
    const { seen, socket } = await joined();
    socket.frame({ type: "notice", text: "Your card expires", from: "billing", ts: "t1" }, { type: "notice", text: "hi", ts: "t2" });
    assert.deepEqual(seen.notice, [{ text: "Your card expires", from: "billing", ts: "t1" }, { text: "hi", from: undefined, ts: "t2" }]);
  });

  test("a listener that throws does not stop the others, and its fault is reported, not swallowed", async () => {
    const { client, seen, socket } = await joined();
    const reported = [];
    const queueMicrotask = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (task) => reported.push(task);
    try {
      client.on("message", () => { throw new Error("listener fault"); });
      socket.frame(message(1), message(2));
    } finally {
      globalThis.queueMicrotask = queueMicrotask;
    }
    assert.deepEqual(seen.message.map((m) => m.id), [1, 2]);
    assert.equal(reported.length, 2);
    assert.throws(reported[0], /listener fault/);
  });
});

test("takes the server's address with or without its trailing slash", async () => {
  connect({ room: "lobby", name: "alice", server: "https://chat.example.org/chorus", WebSocket: FakeSocket });
  await settle();
  assert.equal(FakeSocket.last().url.href, "wss://chat.example.org/chorus/chat/lobby?name=alice&batch=1");
});

test("needs a WebSocket where there is no global one, and a server outside a web page", () => {
  assert.throws(() => connect({ room: "lobby", server: SERVER, WebSocket: null }), /WebSocket/);
  assert.throws(() => connect({ room: "lobby", WebSocket: FakeSocket }), /server/);
});
