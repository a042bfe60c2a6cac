// The Chorus chat page: one module, no globals. Protocol: see the README.

// Close codes after which reconnecting would fail the same way: the client must change something.
const FINAL_CLOSE_CODES = new Set([1003, 1008, 1009]);
// Reconnect backoff: base doubles per failed attempt up to the cap; each delay is jittered to
// 50-100% so that clients dropped together do not all come back in the same instant.
const RECONNECT_BASE_MS = 1000;
const RECONNECT_CAP_MS = 30000;

const joinForm = document.getElementById("join");
const sayForm = document.getElementById("say");
const status = document.getElementById("status");
const messages = document.getElementById("messages");
const memberList = document.getElementById("members");
const memberCount = document.getElementById("count");

let connection = null;

function chatUrl(room, name, since, epoch) {
  const url = new URL(`chat/${encodeURIComponent(room)}`, document.baseURI);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("name", name);
  if (since > 0) url.searchParams.set("since", String(since));
  // The numbering our ids belong to: if the room's has started again, the server says so (gap, reset).
  if (since > 0 && epoch) url.searchParams.set("epoch", epoch);
  // Several events per frame, one per line: a burst arrives in fewer frames.
  url.searchParams.set("batch", "1");
  return url;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // never innerHTML: all text here comes from users
  return node;
}

function append(item) {
  messages.append(item);
  item.scrollIntoView({ block: "end" });
}

function notice(text) {
  append(element("li", "notice", text));
}

/** Who is here: the names this page knows (the welcome's page of them, then joins and leaves) and the count. */
function showMembers(names, count) {
  const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  memberList.replaceChildren(...sorted.map((member) => element("li", "", member)));
  memberCount.textContent = count > names.size ? `${count} here, ${count - names.size} not listed` : `${count} here`;
}

function setStatus(text, canSend) {
  status.textContent = text;
  for (const field of sayForm.elements) field.disabled = !canSend;
}

/** One conversation in one room: survives reconnects, resuming after the last id it has shown. */
class Connection {
  constructor(room, name) {
    this.room = room;
    this.name = name;
    this.you = null;
    this.lastId = 0;
    this.epoch = null;
    this.pending = [];
    this.attempt = 0;
    this.closed = false;
    this.timer = null;
    this.members = new Set();
    this.open();
  }

  open() {
    setStatus(this.attempt === 0 ? `Connecting to ${this.room}…` : `Reconnecting to ${this.room}…`, false);
    const socket = new WebSocket(chatUrl(this.room, this.name, this.lastId, this.epoch));
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      for (const line of event.data.split("\n")) this.receive(JSON.parse(line));
    });
    socket.addEventListener("close", (event) => this.lost(socket, event));
  }

  receive(event) {
    switch (event.type) {
      case "welcome":
        this.attempt = 0;
        this.you = event.you;
        this.epoch = event.epoch;
        event.history.forEach((message) => this.show(message));
        this.members = new Set(event.members);
        showMembers(this.members, event.count);
        setStatus(`In ${event.room} as ${event.you}`, true);
        break;
      case "gap":
        if (event.reset || event.until <= event.after) {
          notice("The room's history was reset; showing what it has now.");
        } else {
          notice(`${event.until - event.after - 1} earlier message(s) could not be recovered.`);
        }
        this.lastId = event.until - 1;
        break;
      case "message":
        this.show(event);
        break;
      case "ack":
        this.confirm(event);
        break;
      case "join":
      case "leave":
        if (event.type === "join") this.members.add(event.member);
        else this.members.delete(event.member);
        showMembers(this.members, event.count);
        notice(`${event.member} ${event.type === "join" ? "joined" : "left"}`);
        break;
      case "error":
        notice(`Not sent: ${event.reason}`);
        this.pending.shift()?.remove();
        break;
    }
  }

  show(message) {
    if (message.id <= this.lastId) return; // already shown: a resume replays from the last id we had
    this.lastId = message.id;
    // "origin":"server" is what the application published: no client can send it, whatever name it picked.
    const kind = message.origin === "server" ? "message server" : message.from === this.you ? "message mine" : "message";
    const item = element("li", kind);
    item.dataset.id = String(message.id);
    item.title = message.ts;
    item.append(element("span", "from", message.from), element("span", "text", message.text));
    append(item);
  }

  send(text) {
    this.socket.send(text);
    const item = element("li", "message mine pending");
    item.append(element("span", "from", this.you), element("span", "text", text));
    this.pending.push(item);
    append(item);
  }

  confirm(ack) {
    const item = this.pending.shift();
    if (!item) return;
    item.classList.remove("pending");
    item.dataset.id = String(ack.id);
    item.title = ack.ts;
    this.lastId = Math.max(this.lastId, ack.id);
  }

  lost(socket, event) {
    if (socket !== this.socket || this.closed) return;
    // Unconfirmed messages may or may not have reached the room: drop them here, and the resume
    // shows them again if they did.
    this.pending.forEach((item) => item.remove());
    this.pending = [];
    if (FINAL_CLOSE_CODES.has(event.code)) {
      setStatus(`Disconnected: ${event.reason || event.code}`, false);
      return;
    }
    const ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** this.attempt);
    const delay = Math.round(ceiling * (0.5 + Math.random() / 2));
    this.attempt += 1;
    setStatus(`Connection lost (${event.code}); reconnecting in ${Math.ceil(delay / 1000)} s…`, false);
    this.timer = setTimeout(() => this.open(), delay);
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket.close(1000, "leaving");
  }
}

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  connection?.close();
  messages.replaceChildren();
  memberList.replaceChildren();
  memberCount.textContent = "";
  const name = joinForm.elements.name.value.trim();
  const room = joinForm.elements.room.value.trim();
  connection = new Connection(room, name);
});

sayForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const input = sayForm.elements.text;
  if (!connection || connection.socket.readyState !== WebSocket.OPEN || !input.value.trim()) return;
  connection.send(input.value);
  input.value = "";
});
