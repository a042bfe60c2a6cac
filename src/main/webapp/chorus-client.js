// Chorus' client: one room's conversation over a WebSocket, kept in order across reconnects.
// One dependency-free ES module for browsers and Node 22 or later; the API and the rules it keeps
// are in docs/client.md, the wire protocol in docs/protocol.md.

/**
 * Close codes that say the client itself is wrong, so the same request would fail again: a binary
 * frame (1003), a refused join or rate (1008), a message too large (1009), and the application
 * disconnecting this user (4000). The client stops after these; every other close is retried.
 */
export const FINAL_CLOSE_CODES = Object.freeze([1003, 1008, 1009, 4000]);

/** Error codes the server sends in place of a message's ack: the oldest unacknowledged send failed. */
export const SEND_ERROR_CODES = Object.freeze(["empty", "rate-limited", "rejected", "unavailable"]);

/**
 * What a client does unless told otherwise. The back-off doubles from reconnectBaseMs to
 * reconnectCapMs, so a server that is down is asked at most once per cap. An attempt with no
 * welcome after welcomeTimeoutMs is given up and retried: a network that swallows the handshake
 * would otherwise hold the client in "connecting" for as long as the platform's TCP timeout. The
 * queue holds sends made while disconnected; it stays under the server's default burst, so its
 * flush on reconnect is never refused for rate.
 */
export const DEFAULTS = Object.freeze({
  reconnectBaseMs: 1000,
  reconnectCapMs: 30000,
  reconnectAttempts: Infinity,
  welcomeTimeoutMs: 20000,
  queueLimit: 20,
  batch: true,
});

/** Why a send's promise rejected: `code` says whether the message may have reached the room. */
export class ChorusSendError extends Error {
  constructor(code, message, text) {
    super(message);
    this.name = "ChorusSendError";
    this.code = code;
    this.text = text;
  }
}

/**
 * The chat endpoint's address for a room: the server's base (`https://host/chorus/`) turned into
 * ws: or wss:, with the name, the resume position and batching in the query.
 */
export function chatUrl(server, room, { name, since = 0, epoch = null, batch = true } = {}) {
  const url = new URL(`chat/${encodeURIComponent(room)}`, server);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  if (name) url.searchParams.set("name", name);
  if (since > 0) {
    url.searchParams.set("since", String(since));
    // The numbering our ids belong to: if the room's has started again, the server says so (a gap with reset).
    if (epoch) url.searchParams.set("epoch", epoch);
  }
  if (batch) url.searchParams.set("batch", "1");
  return url.href;
}

/** The events in one frame: one JSON object a line, as `?batch=1` sends them (JSON never holds a raw line break). */
export function splitFrame(data) {
  return String(data)
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

/**
 * The wait before reconnect attempt `attempt` (0 for the first): the ceiling doubles per attempt up
 * to the cap, and the delay is drawn from its upper half, so that clients dropped together do not
 * all come back in the same instant.
 */
export function reconnectDelay(attempt, { reconnectBaseMs = DEFAULTS.reconnectBaseMs, reconnectCapMs = DEFAULTS.reconnectCapMs } = {},
    random = Math.random) {
  const ceiling = Math.min(reconnectCapMs, reconnectBaseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** Whether a close with this code is worth a reconnect, and why not when it is not. */
export function closeVerdict(code) {
  switch (code) {
    case 1003: return { retry: false, why: "refused" };
    case 1008: return { retry: false, why: "refused" };
    case 1009: return { retry: false, why: "too-large" };
    case 4000: return { retry: false, why: "application" };
    default: return { retry: true, why: null };
  }
}

/** Names in the server's order: by UTF-16 code unit, as its `members` list is sorted. */
function byCodeUnit(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The server's base address for this module: where it was served from, when that is a web address. */
function defaultServer() {
  const here = new URL(".", import.meta.url);
  return here.protocol === "http:" || here.protocol === "https:" ? here.href : null;
}

/**
 * One conversation in one room: connects, resumes after the last id it delivered, and tells its
 * listeners (see `on`) what happened. Create it with `connect`.
 */
export class ChorusClient {
  #options;
  #WebSocket;
  #listeners = new Map();
  #socket = null;
  #welcomed = false;
  #attempt = 0;
  #timer = null;
  #welcomeTimer = null;
  #closed = false;
  #state = "idle";
  #lastId = 0;
  #epoch = null;
  #you = null;
  #names = new Set();
  #members = new Set();
  #count = 0;
  #queued = [];
  #inFlight = [];
  #refusal = null;
  #closedReason = null;

  constructor(options) {
    if (!options || !options.room) throw new TypeError("connect needs a room");
    const server = options.server ?? defaultServer();
    if (!server) throw new TypeError("connect needs server, e.g. \"https://chat.example.org/chorus/\"");
    // A base without its trailing slash would resolve chat/ beside the context root instead of under it.
    const base = String(server).endsWith("/") ? String(server) : `${server}/`;
    this.#options = { ...DEFAULTS, ...options, server: base };
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== "function") {
      throw new TypeError("no WebSocket: pass connect({ WebSocket }) where there is no global one");
    }
  }

  /** The room this client is in. */
  get room() { return this.#options.room; }
  /** The name the server gave this client (`alice#2` if `alice` was taken), once welcomed. */
  get you() { return this.#you; }
  /** `idle`, `connecting`, `live`, `reconnecting` or `disconnected`. */
  get state() { return this.#state; }
  /** The id of the last message delivered: where a resume starts. */
  get lastId() { return this.#lastId; }
  /** The room's numbering the ids belong to, from the welcome. */
  get epoch() { return this.#epoch; }
  /** The names this client knows are here, sorted; all of them when `count` is no larger. */
  get members() { return [...this.#members].sort(byCodeUnit); }
  /** How many are in the room. */
  get count() { return this.#count; }

  /** Calls `listener` with each event of this type; returns a function that stops it. */
  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.#listeners.get(type)?.delete(listener);
  }

  /**
   * Opens the connection; `connect` calls it. The socket opens in a microtask, so that listeners
   * added in the same task see every event, the first `connecting` status included.
   */
  start() {
    if (this.#state !== "idle") return this;
    this.#state = "connecting";
    queueMicrotask(() => {
      if (!this.#closed) this.#open();
    });
    return this;
  }

  /**
   * Sends one message. The promise settles with its id when the server acknowledges it, or rejects
   * with a ChorusSendError. While not connected the message waits in a bounded queue and goes out
   * after the next welcome; a full queue rejects at once (`queue-full`).
   */
  send(text) {
    if (typeof text !== "string") return Promise.reject(new TypeError("send takes a string"));
    if (text.trim() === "") return Promise.reject(new ChorusSendError("empty", "the message is empty", text));
    if (this.#closed) return Promise.reject(new ChorusSendError("closed", this.#closedWhy(), text));
    return new Promise((resolve, reject) => {
      const sending = { text, resolve, reject };
      if (this.#welcomed) {
        this.#write(sending);
      } else if (this.#queued.length >= this.#options.queueLimit) {
        reject(new ChorusSendError("queue-full",
            `not connected, and ${this.#options.queueLimit} messages already wait to be sent`, text));
      } else {
        this.#queued.push(sending);
      }
    });
  }

  /** Ends the conversation: closes the connection, never reconnects, and rejects what was not sent. */
  close() {
    if (this.#closed) return;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) socket.close(1000, "leaving");
    this.#stop({ code: 1000, reason: "closed by the page", why: "closed" });
  }

  /** While waiting to reconnect, tries now (say, when the device comes back online). */
  reconnectNow() {
    if (this.#state !== "reconnecting") return;
    clearTimeout(this.#timer);
    this.#open();
  }

  /**
   * One page of the room's members from `GET {server}api/rooms/{room}/members`: for rooms too large
   * to announce each join. Resolves with `{ room, count, members, next }` (`next`: the `after` of
   * the following page, absent on the last).
   */
  async fetchMembers({ after, limit } = {}) {
    const url = new URL(`api/rooms/${encodeURIComponent(this.room)}/members`, this.#options.server);
    if (url.protocol === "ws:") url.protocol = "http:";
    else if (url.protocol === "wss:") url.protocol = "https:";
    if (after) url.searchParams.set("after", after);
    if (limit) url.searchParams.set("limit", String(limit));
    const fetching = this.#options.fetch ?? globalThis.fetch;
    const response = await fetching(url.href, { headers: { Accept: "application/json" } });
    if (response.status === 404) return { room: this.room, count: 0, members: [] };
    if (!response.ok) throw new Error(`members of ${this.room}: HTTP ${response.status}`);
    return response.json();
  }

  #emit(type, detail) {
    for (const listener of this.#listeners.get(type) ?? []) {
      try {
        listener(detail);
      } catch (failure) {
        // A listener's fault must not stop the conversation: report it as an uncaught error would be.
        queueMicrotask(() => { throw failure; });
      }
    }
  }

  #status(state, detail = {}) {
    this.#state = state;
    this.#emit("status", { state, room: this.room, ...detail });
  }

  #open() {
    this.#welcomed = false;
    this.#refusal = null;
    this.#status("connecting", { attempt: this.#attempt });
    const url = chatUrl(this.#options.server, this.room, {
      name: this.#options.name, since: this.#lastId, epoch: this.#epoch, batch: this.#options.batch,
    });
    let socket;
    try {
      socket = new this.#WebSocket(url);
    } catch (failure) {
      this.#stop({ code: null, reason: String(failure.message ?? failure), why: "refused" });
      return;
    }
    this.#socket = socket;
    this.#welcomeTimer = setTimeout(() => {
      if (socket !== this.#socket || this.#welcomed) return;
      socket.close();
      this.#lost(socket, 1006, "no welcome from the server in time");
    }, this.#options.welcomeTimeoutMs);
    socket.addEventListener("message", (event) => {
      if (socket !== this.#socket) return;
      for (const received of splitFrame(event.data)) this.#receive(received);
    });
    socket.addEventListener("close", (event) => this.#lost(socket, event.code, event.reason));
  }

  #receive(event) {
    switch (event.type) {
      case "welcome": return this.#welcome(event);
      case "gap": return this.#gap(event);
      case "message": return this.#deliver(event);
      case "ack": return this.#acknowledge(event);
      case "join":
      case "leave": return this.#presence(event);
      case "notice": return this.#emit("notice", { text: event.text, from: event.from, ts: event.ts });
      case "error": return this.#error(event);
      default: return undefined; // a newer server's event this client does not know
    }
  }

  #welcome(event) {
    const resumed = this.#lastId > 0;
    clearTimeout(this.#welcomeTimer);
    this.#welcomed = true;
    this.#attempt = 0;
    this.#you = event.you;
    this.#names.add(event.you);
    this.#epoch = event.epoch;
    this.#emit("welcome", { you: event.you, room: event.room, epoch: event.epoch, count: event.count, resumed });
    for (const message of event.history ?? []) this.#deliver(message);
    this.#members = new Set(event.members ?? []);
    this.#count = event.count;
    this.#emitPresence(null);
    this.#status("live", { you: event.you });
    const waiting = this.#queued;
    this.#queued = [];
    for (const sending of waiting) this.#write(sending);
  }

  #gap(event) {
    if (event.reset || event.until <= event.after) {
      // Our ids name another numbering: forget them, and the welcome's history is the room now.
      this.#lastId = 0;
      this.#epoch = null;
      this.#emit("reset", { room: this.room });
    } else {
      this.#emit("gap", { after: event.after, until: event.until, missed: event.until - event.after - 1 });
    }
  }

  /** Delivers a message once, in id order: ids at or below the last one delivered were delivered already. */
  #deliver(message) {
    if (!(message.id > this.#lastId)) return false;
    this.#lastId = message.id;
    const server = message.origin === "server";
    this.#emit("message", {
      id: message.id, from: message.from, text: message.text, ts: message.ts,
      origin: server ? "server" : "member", mine: !server && this.#names.has(message.from),
    });
    return true;
  }

  #acknowledge(ack) {
    const sending = this.#inFlight.shift();
    if (!sending) return;
    this.#deliver({ id: ack.id, from: this.#you, text: sending.text, ts: ack.ts });
    sending.resolve(ack.id);
  }

  #presence(event) {
    if (event.type === "join") this.#members.add(event.member);
    else this.#members.delete(event.member);
    this.#count = event.count;
    this.#emitPresence({ type: event.type, member: event.member });
  }

  #emitPresence(change) {
    this.#emit("presence", {
      members: this.members, count: this.#count, complete: this.#members.size >= this.#count, change,
    });
  }

  #error(event) {
    if (this.#welcomed && SEND_ERROR_CODES.includes(event.code) && this.#inFlight.length > 0) {
      const sending = this.#inFlight.shift();
      sending.reject(new ChorusSendError(event.code, event.reason, sending.text));
      return;
    }
    // Before a welcome, an error says why the close that follows refuses us.
    if (!this.#welcomed) this.#refusal = event;
    this.#emit("error", { code: event.code, reason: event.reason });
  }

  #write(sending) {
    this.#socket.send(sending.text);
    this.#inFlight.push(sending);
  }

  #lost(socket, code, reason) {
    if (socket !== this.#socket) return;
    clearTimeout(this.#welcomeTimer);
    this.#socket = null;
    this.#welcomed = false;
    this.#rejectInFlight();
    const verdict = closeVerdict(code);
    const why = reason || this.#refusal?.reason || "";
    if (!verdict.retry) {
      this.#stop({ code, reason: why, why: verdict.why });
      return;
    }
    if (this.#attempt >= this.#options.reconnectAttempts) {
      this.#stop({ code, reason: why, why: "gave-up" });
      return;
    }
    const delayMs = reconnectDelay(this.#attempt, this.#options, this.#options.random);
    this.#attempt += 1;
    this.#status("reconnecting", { attempt: this.#attempt, delayMs, retryAt: Date.now() + delayMs, code, reason: why });
    this.#timer = setTimeout(() => this.#open(), delayMs);
  }

  /**
   * Messages written but not acknowledged when the connection went: the server may have numbered
   * them or not, and sending them again could show them twice, so their senders are told so.
   */
  #rejectInFlight() {
    const unsure = this.#inFlight;
    this.#inFlight = [];
    for (const sending of unsure) {
      sending.reject(new ChorusSendError("outcome-unknown",
          "the connection dropped before the server confirmed this message: it may or may not have been sent", sending.text));
    }
  }

  #stop({ code, reason, why }) {
    this.#closed = true;
    this.#welcomed = false;
    clearTimeout(this.#timer);
    clearTimeout(this.#welcomeTimer);
    this.#rejectInFlight();
    this.#closedReason = { code, reason, why };
    const waiting = this.#queued;
    this.#queued = [];
    for (const sending of waiting) sending.reject(new ChorusSendError("not-sent", this.#closedWhy(), sending.text));
    this.#status("disconnected", { code, reason, why });
  }

  #closedWhy() {
    const closed = this.#closedReason;
    return closed?.reason ? `disconnected: ${closed.reason}` : "disconnected";
  }
}

/**
 * Joins a room and returns its ChorusClient. Options: `room` (required), `name` (left out where the
 * server signs users in), `server` (the deployment's address, e.g. `https://chat.example.org/chorus/`;
 * by default where this module was served from), `WebSocket`, `fetch`, `reconnectBaseMs`,
 * `reconnectCapMs`, `reconnectAttempts`, `welcomeTimeoutMs`, `queueLimit`, `batch`, `random`. Listeners added in the
 * same task as this call see every event.
 */
export function connect(options) {
  return new ChorusClient(options).start();
}
