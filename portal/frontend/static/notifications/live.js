// Live notifications: one websocket per signed-in page (same origin only), no inline script.
// Updates the header's unread and to-do counts and announces new notifications in an aria-live region; lists on the
// page that listen for "portal-notification" (htmx hx-trigger) refresh themselves in place.
const script = document.querySelector("script[data-ws-path]");
const region = document.querySelector("[data-live-region]");
const counters = document.querySelectorAll("[data-unread-count]");
const todoCounters = document.querySelectorAll("[data-todo-count]");
const unreadLabel = script ? script.dataset.unreadLabel : "unread";
const todoLabel = script ? script.dataset.todoLabel : "to do";
let delay = 1000;

function showUnread(count) {
  for (const counter of counters) {
    counter.hidden = !count;
    counter.textContent = count ? ` (${count} ${unreadLabel})` : "";
  }
  document.body.dataset.unread = String(count || 0);
}

// What waits for the user (the dashboard's to-do list), beside the header's dashboard link.
function showTodo(count) {
  for (const counter of todoCounters) {
    counter.hidden = !count;
    counter.textContent = count ? ` (${count} ${todoLabel})` : "";
  }
  document.body.dataset.todo = String(count || 0);
}

function connect() {
  if (!script) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}${script.dataset.wsPath}`);
  socket.addEventListener("open", () => { delay = 1000; document.body.dataset.live = "open"; });
  socket.addEventListener("message", (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "hello") {
      showUnread(data.unread);
      showTodo(data.todo);
    } else if (data.type === "notification") {
      if (typeof data.unread === "number") showUnread(data.unread);
      if (region && data.text) region.textContent = data.text;
      document.body.dispatchEvent(new CustomEvent("portal-notification", { detail: data }));
    }
  });
  socket.addEventListener("close", (event) => {
    document.body.dataset.live = "closed";
    if (event.code >= 4400 && event.code < 4500) return; // refused: not signed in, wrong site
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  });
}

connect();
