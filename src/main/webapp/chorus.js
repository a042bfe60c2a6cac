// Connects to /chat/{room} beside this page, over wss: when the page came over https.
const joinForm = document.getElementById("join");
const sayForm = document.getElementById("say");
const status = document.getElementById("status");
const messages = document.getElementById("messages");

let socket = null;

function chatUrl(room) {
  const url = new URL(`chat/${encodeURIComponent(room)}`, document.baseURI);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return url;
}

function show(text, mine) {
  const item = document.createElement("li");
  item.textContent = text; // never innerHTML: the text is whatever another member typed
  if (mine) item.className = "mine";
  messages.append(item);
  item.scrollIntoView({ block: "end" });
}

function setConnected(connected, text) {
  status.textContent = text;
  for (const field of sayForm.elements) field.disabled = !connected;
}

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const room = joinForm.elements.room.value.trim();
  if (socket) socket.close(1000, "switching rooms");
  messages.replaceChildren();
  const ws = new WebSocket(chatUrl(room));
  socket = ws;
  setConnected(false, `Connecting to ${room}…`);
  ws.addEventListener("open", () => setConnected(true, `In ${room}`));
  ws.addEventListener("message", (event) => show(event.data, false));
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return;
    setConnected(false, `Disconnected (${event.code}${event.reason ? ": " + event.reason : ""})`);
  });
});

sayForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const input = sayForm.elements.text;
  if (!socket || socket.readyState !== WebSocket.OPEN || !input.value) return;
  socket.send(input.value);
  show(input.value, true);
  input.value = "";
});
