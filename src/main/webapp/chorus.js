// The Chorus chat page: renders what chorus-client.js reports, and nothing else talks to the server.
// All text from the server is set with textContent, so hostile text stays text.
import { connect } from "./chorus-client.js";

/** How far from the bottom a reader still counts as following the conversation: new lines scroll into view. */
const FOLLOWING_SLACK_PX = 48;
/** Consecutive messages of one sender within this time share one heading, as chat apps group them. */
const GROUPING_MS = 5 * 60 * 1000;
/** At most this many pages of members are fetched for "Show everyone": bounds a room of any size. */
const MEMBER_PAGES_MAX = 50;

const joinForm = document.getElementById("join");
const sayForm = document.getElementById("say");
const textInput = document.getElementById("text");
const statusLine = document.getElementById("status");
const retryButton = document.getElementById("retry");
const countdownText = document.getElementById("countdown");
const scroller = document.getElementById("scroller");
const messages = document.getElementById("messages");
const outbox = document.getElementById("outbox");
const latestButton = document.getElementById("latest");
const memberList = document.getElementById("members");
const memberCount = document.getElementById("count");
const everyoneButton = document.getElementById("everyone");
const announcer = document.getElementById("announcer");

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullTime = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const longDay = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });

/** The conversation on screen: one client, and what the page drew from it. */
let chat = null;
let you = "";
let lastShown = null; // { day, from, time } of the last message drawn, for day separators and grouping
let replaying = false; // between a welcome and "live": the history, not read out
let catchingUp = false; // the history a resume brings: what was missed, so it counts as unread
let unread = 0;
let countdown = null;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // never innerHTML: the text comes from users
  return node;
}

function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(date) === dayKey(today)) return "Today";
  if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
  return longDay.format(date);
}

function timeElement(ts) {
  const date = new Date(ts);
  const time = element("time", "time", timeOfDay.format(date));
  time.dateTime = ts;
  time.title = fullTime.format(date);
  return time;
}

/** Whether the reader is at the bottom: then new lines keep the view there, else the view stays put. */
function following() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < FOLLOWING_SLACK_PX;
}

/** Adds lines to the conversation without moving what the reader is looking at, unless they follow it. */
function append(...items) {
  const follow = following();
  messages.append(...items);
  if (follow) scroller.scrollTop = scroller.scrollHeight;
  else latestButton.hidden = false;
}

/** Lines that happen now (joins, gaps, notices): after a day separator if today has none yet. */
function appendNow(item) {
  const today = dayKey(new Date());
  if (lastShown?.day === today) {
    append(item);
  } else {
    append(element("li", "day", dayLabel(new Date())), item);
  }
  lastShown = { day: today, from: null, server: false, time: new Date() };
}

function notice(text, kind = "") {
  appendNow(element("li", `notice ${kind}`.trim(), text));
}

function announce(text) {
  announcer.textContent = text;
}

function showMessage(message) {
  const date = new Date(message.ts);
  const items = [];
  if (lastShown?.day !== dayKey(date)) {
    items.push(element("li", "day", dayLabel(date)));
    lastShown = null;
  }
  const server = message.origin === "server";
  const kind = ["message", server ? "server" : "", message.mine ? "mine" : ""].filter(Boolean).join(" ");
  const item = element("li", kind);
  item.dataset.id = String(message.id);
  const grouped = lastShown && lastShown.from === message.from && lastShown.server === server
      && date - lastShown.time < GROUPING_MS;
  if (grouped) item.classList.add("continued");
  const heading = element("div", "meta");
  heading.append(element("span", "from", message.from), timeElement(message.ts));
  item.append(heading, element("div", "text", message.text));
  items.push(item);
  append(...items);
  lastShown = { day: dayKey(date), from: message.from, server, time: date };

  if (message.mine) return;
  if (!replaying) announce(`${server ? "Announcement from " : ""}${message.from}: ${message.text}`);
  if (document.hidden && (!replaying || catchingUp)) {
    unread += 1;
    showTitle();
  }
}

function showTitle() {
  const room = chat ? `${chat.room} · Chorus` : "Chorus";
  document.title = unread > 0 ? `(${unread}) ${room}` : room;
}

/** Who is here: the names the client knows, and the count when the room is too large to list. */
function showMembers({ members, count, complete }) {
  memberList.replaceChildren(...members.map((member) => element("li", member === you ? "you" : "", member)));
  memberCount.textContent = complete ? `${count} here` : `${count} here, ${count - members.length} not listed`;
  everyoneButton.hidden = complete;
}

async function showEveryone() {
  everyoneButton.disabled = true;
  const names = [];
  try {
    let after;
    for (let page = 0; page < MEMBER_PAGES_MAX; page += 1) {
      const answer = await chat.fetchMembers({ after, limit: 100 });
      names.push(...answer.members);
      if (!answer.next) break;
      after = answer.next;
    }
    memberList.replaceChildren(...names.map((member) => element("li", member === you ? "you" : "", member)));
    memberCount.textContent = `${names.length} here`;
    everyoneButton.hidden = true;
  } catch (failure) {
    memberCount.textContent += ` (could not list everyone: ${failure.message})`;
  } finally {
    everyoneButton.disabled = false;
  }
}

function setStatus(state, text, canWrite) {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
  textInput.disabled = !canWrite;
  sayForm.querySelector("button").disabled = !canWrite;
  retryButton.hidden = state !== "reconnecting";
}

function showStatus(status) {
  clearInterval(countdown);
  countdownText.textContent = "";
  switch (status.state) {
    case "connecting":
      setStatus("connecting", `${status.attempt > 0 ? "Reconnecting" : "Connecting"} to ${status.room}…`, true);
      break;
    case "live":
      replaying = false;
      setStatus("live", `In ${status.room} as ${status.you}`, true);
      offerAgainWhatWasNotConfirmed();
      break;
    case "reconnecting": {
      // The seconds change outside the status region: a screen reader hears the loss once, not every tick.
      setStatus("reconnecting", `Connection lost (${status.code}${status.reason ? `: ${status.reason}` : ""}); reconnecting`, true);
      const tick = () => {
        countdownText.textContent = `in ${Math.max(0, Math.ceil((status.retryAt - Date.now()) / 1000))} s…`;
      };
      tick();
      countdown = setInterval(tick, 1000);
      break;
    }
    case "disconnected":
      setStatus("disconnected", disconnectedText(status), false);
      break;
  }
}

function disconnectedText({ why, code, reason }) {
  switch (why) {
    case "application": return `Disconnected by the application: ${reason || "no reason given"}. Not reconnecting.`;
    case "closed": return "Not connected";
    case "gave-up": return `Disconnected: gave up reconnecting (${reason || code}).`;
    default: return `Disconnected: ${reason || `closed with ${code}`}. Not reconnecting.`;
  }
}

/** A message of ours on its way: shown below the conversation until the server numbers it. */
function sending(text) {
  const item = element("li", "message mine pending");
  const heading = element("div", "meta");
  heading.append(element("span", "from", you || joinForm.elements.name.value), element("span", "time", "sending…"));
  item.append(heading, element("div", "text", text));
  const follow = following();
  outbox.append(item);
  if (follow) scroller.scrollTop = scroller.scrollHeight;
  chat.send(text).then(() => item.remove(), (failure) => unsent(item, failure));
}

function unsent(item, failure) {
  if (!item.isConnected) return;
  item.classList.remove("pending");
  if (failure.code === "outcome-unknown") {
    // The resume shows it if the server had it; otherwise it is offered again once live.
    item.classList.add("unconfirmed");
    item.querySelector(".time").textContent = "checking…";
    return;
  }
  failed(item, `Not sent: ${failure.message}`);
}

function failed(item, why) {
  item.classList.remove("pending", "unconfirmed");
  item.classList.add("failed");
  item.querySelector(".time").textContent = "";
  const text = item.querySelector(".text").textContent;
  const again = element("button", "", "Send again");
  again.type = "button";
  again.addEventListener("click", () => {
    item.remove();
    sending(text);
  });
  const dismiss = element("button", "", "Dismiss");
  dismiss.type = "button";
  dismiss.addEventListener("click", () => item.remove());
  const actions = element("div", "actions");
  actions.append(element("span", "why", why), again, dismiss);
  item.append(actions);
  announce(why);
}

/** After a resume: a message the history holds arrived; the rest are offered again. */
function settleUnconfirmed(message) {
  if (!message.mine) return;
  for (const item of outbox.querySelectorAll(".unconfirmed")) {
    if (item.querySelector(".text").textContent === message.text) {
      item.remove();
      return;
    }
  }
}

function offerAgainWhatWasNotConfirmed() {
  for (const item of outbox.querySelectorAll(".unconfirmed")) {
    failed(item, "May not have been sent: the connection dropped before the server confirmed it, and the room does not show it.");
  }
}

function join(room, name) {
  chat?.close();
  messages.replaceChildren();
  outbox.replaceChildren();
  memberList.replaceChildren();
  memberCount.textContent = "";
  lastShown = null;
  unread = 0;
  you = "";
  chat = connect({ room, name: name || undefined });
  showTitle();
  chat.on("status", showStatus);
  chat.on("welcome", (welcome) => {
    you = welcome.you;
    replaying = true;
    catchingUp = welcome.resumed;
  });
  chat.on("message", (message) => {
    settleUnconfirmed(message);
    showMessage(message);
  });
  chat.on("presence", (presence) => {
    showMembers(presence);
    if (presence.change) {
      notice(`${presence.change.member} ${presence.change.type === "join" ? "joined" : "left"}`, "presence");
    }
  });
  chat.on("gap", ({ missed }) => {
    notice(`${missed} earlier message${missed === 1 ? "" : "s"} could not be recovered: the room no longer keeps them.`, "gap");
  });
  chat.on("reset", () => {
    messages.replaceChildren();
    lastShown = null;
    notice("The room's history was reset; showing what it has now.", "gap");
  });
  chat.on("notice", (privateNotice) => {
    const item = element("li", "private");
    const heading = element("div", "meta");
    heading.append(element("span", "from", privateNotice.from ? `Private notice from ${privateNotice.from}` : "Private notice"));
    if (privateNotice.ts) heading.append(timeElement(privateNotice.ts));
    item.append(heading, element("div", "text", privateNotice.text));
    appendNow(item);
    announce(`Private notice${privateNotice.from ? ` from ${privateNotice.from}` : ""}: ${privateNotice.text}`);
  });
}

/** The room and name in the address, so that a link opens the room. */
function fromAddress() {
  const query = new URLSearchParams(location.search);
  return { room: query.get("room") ?? "", name: query.get("name") ?? "" };
}

function rememberedName() {
  try {
    return localStorage.getItem("chorus.name") ?? "";
  } catch {
    return ""; // storage may be off: the name is just not prefilled
  }
}

function remember(name) {
  try {
    localStorage.setItem("chorus.name", name);
  } catch {
    // storage may be off: nothing to keep
  }
}

function openFromAddress() {
  const { room, name } = fromAddress();
  if (room) joinForm.elements.room.value = room;
  joinForm.elements.name.value = name || rememberedName();
  if (room && name) join(room, name);
  else joinForm.elements[name ? "room" : "name"].focus();
}

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = joinForm.elements.name.value.trim();
  const room = joinForm.elements.room.value.trim();
  const address = new URL(location.href);
  address.searchParams.set("room", room);
  if (name) address.searchParams.set("name", name);
  else address.searchParams.delete("name");
  if (address.href !== location.href) history.pushState(null, "", address);
  if (name) remember(name);
  join(room, name);
  textInput.focus();
});

sayForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textInput.value;
  if (!chat || textInput.disabled || !text.trim()) return;
  sending(text);
  textInput.value = "";
  fitTextInput();
});

/** Enter sends, Shift+Enter is a new line; Enter that ends an input method's composition is neither. */
textInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sayForm.requestSubmit();
  }
});

/** The box grows with its lines, up to a limit set in CSS. */
function fitTextInput() {
  textInput.style.height = "auto";
  textInput.style.height = `${textInput.scrollHeight + 2}px`;
}
textInput.addEventListener("input", fitTextInput);

retryButton.addEventListener("click", () => chat?.reconnectNow());
window.addEventListener("online", () => chat?.reconnectNow());
everyoneButton.addEventListener("click", showEveryone);
latestButton.addEventListener("click", () => {
  scroller.scrollTop = scroller.scrollHeight;
});
scroller.addEventListener("scroll", () => {
  if (following()) latestButton.hidden = true;
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    unread = 0;
    showTitle();
  }
});
window.addEventListener("popstate", openFromAddress);

openFromAddress();
