// The sandbox chat page: pick a persona, talk to the bot, watch the channel.
// Reads with the control API's long poll (after_seq + wait), so updates show at once.
import { renderText } from "./render.js";

const $ = (id) => document.getElementById(id);
const state = {
  personas: [],
  current: null, // {type: "persona", id} or {type: "channel"}
  messages: new Map(),
  seq: 0,
  noticeSeq: 0,
  generation: 0, // bumps on every switch so an old poll loop stops
  abort: null,
  lastPersona: null, // the persona who taps a channel post's deep link
};
const DEEP_LINK = /^https?:\/\/t\.me\/[A-Za-z0-9_]+\?start=/i;

async function api(path, options = {}) {
  const init = { ...options };
  if (init.json !== undefined) {
    init.method = init.method || "POST";
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(init.json);
    delete init.json;
  }
  const response = await fetch(path, init);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// -- personas -------------------------------------------------------------------------------

async function loadPersonas() {
  const { personas } = await api("/api/personas");
  const changed = JSON.stringify(personas) !== JSON.stringify(state.personas);
  state.personas = personas;
  if (changed) renderPersonas();
}

function renderPersonas() {
  const list = $("persona-list");
  list.replaceChildren();
  for (const persona of state.personas) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "persona";
    button.dataset.userId = persona.user_id;
    const name = document.createElement("span");
    name.className = "persona-name";
    name.textContent = persona.name;
    const meta = document.createElement("span");
    meta.className = "persona-meta";
    meta.textContent = [persona.title, persona.language_code].filter(Boolean).join(" · ");
    button.append(name, meta);
    if (persona.blocked) button.classList.add("blocked");
    const current = state.current;
    if (current && current.type === "persona" && current.id === persona.user_id) {
      button.classList.add("active");
      button.setAttribute("aria-current", "true");
    }
    button.addEventListener("click", () => select({ type: "persona", id: persona.user_id }));
    item.append(button);
    list.append(item);
  }
  $("channel-tab").classList.toggle("active", state.current?.type === "channel");
}

async function createPersona(event) {
  event.preventDefault();
  const form = event.target;
  const name = form.elements.name.value.trim();
  if (!name) return;
  const persona = await api("/api/personas", {
    json: { name, language_code: form.elements.lang.value },
  });
  form.reset();
  form.closest("details").open = false;
  await loadPersonas();
  select({ type: "persona", id: persona.user_id });
}

// -- the chat -------------------------------------------------------------------------------

function chatPath() {
  const current = state.current;
  return current.type === "channel" ? "/api/channel" : `/api/personas/${current.id}/chat`;
}

function select(target) {
  if (state.abort) state.abort.abort();
  state.current = target;
  if (target.type === "persona") state.lastPersona = target;
  state.generation += 1;
  state.messages.clear();
  state.seq = 0;
  state.noticeSeq = Infinity; // notices older than the first read are not toasted
  $("messages").replaceChildren();
  $("command-menu").hidden = true;
  $("attach-menu").hidden = true;
  const persona = state.personas.find((p) => p.user_id === target.id);
  $("chat-title").textContent =
    target.type === "channel" ? "📢 清风公示 @qingfeng_public" : persona ? persona.name : "";
  $("composer").hidden = target.type === "channel";
  renderPersonas();
  pollChat(state.generation);
}

async function pollChat(generation) {
  let first = true;
  while (generation === state.generation) {
    state.abort = new AbortController();
    const wait = first ? 0 : 25;
    try {
      const view = await api(`${chatPath()}?after_seq=${state.seq}&wait=${wait}`, {
        signal: state.abort.signal,
      });
      if (generation !== state.generation) return;
      applyView(view, first);
      first = false;
    } catch (error) {
      if (generation !== state.generation) return;
      await sleep(1000); // the server restarting: try again shortly
    }
  }
}

function applyView(view, first) {
  for (const message of view.messages) state.messages.set(message.message_id, message);
  if (first) state.noticeSeq = Math.max(0, ...view.notices.map((n) => n.seq));
  for (const notice of view.notices) {
    if (notice.seq > state.noticeSeq) showNotice(notice);
  }
  state.noticeSeq = Math.max(state.noticeSeq, ...view.notices.map((n) => n.seq));
  state.seq = view.seq;
  if (view.messages.length) renderMessages(first);
  renderReplyKeyboard(view.reply_keyboard);
  $("chat-action").textContent = view.chat_action ? "正在输入… / typing…" : "";
}

// The newest message in view: on opening a chat, and on news while the reader is at the end.
function renderMessages(opening = false) {
  const list = $("messages");
  const nearBottom = opening || list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const ordered = [...state.messages.values()]
    .filter((m) => !m.deleted)
    .sort((a, b) => a.message_id - b.message_id);
  list.replaceChildren(...ordered.map(renderMessage));
  if (nearBottom || ordered.length < 30) {
    list.scrollTop = list.scrollHeight;
    // Pictures take their height once loaded: keep the end in view then too.
    for (const image of list.querySelectorAll("img")) {
      if (!image.complete) {
        image.addEventListener("load", () => (list.scrollTop = list.scrollHeight), { once: true });
      }
    }
  }
}

function renderMessage(message) {
  const item = document.createElement("li");
  item.className = "message " + (message.from_bot ? "from-bot" : "from-me");
  item.dataset.messageId = message.message_id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  const media = renderMedia(message);
  if (media) bubble.append(media);
  if (message.text) {
    const text = document.createElement("div");
    text.className = "text";
    text.append(renderText(message.text, message.entities));
    bubble.append(text);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  const time = new Date(message.date * 1000).toTimeString().slice(0, 5);
  meta.textContent = (message.edited ? "已编辑 edited · " : "") + time;
  bubble.append(meta);
  item.append(bubble);
  const markup = message.reply_markup;
  if (markup && markup.inline_keyboard) item.append(renderInlineKeyboard(message, markup));
  return item;
}

function renderMedia(message) {
  if (message.photo) {
    const img = document.createElement("img");
    img.src = message.photo.url;
    img.alt = "photo";
    img.className = "photo";
    return img;
  }
  if (message.sticker) {
    const span = document.createElement("span");
    span.className = "sticker";
    span.textContent = message.sticker.emoji || "🖼";
    return span;
  }
  if (message.contact) {
    const span = document.createElement("span");
    span.className = "voice";
    span.textContent = `📱 ${message.contact.phone_number}`;
    return span;
  }
  if (message.voice) {
    const span = document.createElement("span");
    span.className = "voice";
    span.textContent = `🎤 语音 voice · ${message.voice.duration}s`;
    return span;
  }
  if (message.document) {
    const a = document.createElement("a");
    a.href = message.document.url;
    a.className = "document";
    a.download = message.document.file_name || "file";
    a.textContent = `📄 ${message.document.file_name || "file"}`;
    return a;
  }
  return null;
}

function renderInlineKeyboard(message, markup) {
  const box = document.createElement("div");
  box.className = "inline-keyboard";
  for (const row of markup.inline_keyboard) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      let node;
      if (button.url) {
        node = document.createElement("a");
        node.href = /^(https?:|tg:)/i.test(button.url) ? button.url : "#";
        node.target = "_blank";
        node.rel = "noopener noreferrer";
        node.textContent = button.text + " ↗";
        if (DEEP_LINK.test(button.url)) {
          // A deep link to the bot: the persona last chatted as sends /start <payload>.
          node.addEventListener("click", (event) => {
            event.preventDefault();
            openDeepLink(button.url);
          });
        }
      } else {
        node = document.createElement("button");
        node.type = "button";
        node.textContent = button.text;
        if (button.callback_data !== undefined) {
          node.addEventListener("click", () => press(message.message_id, button.callback_data));
        } else {
          node.disabled = true;
        }
      }
      node.className = "inline-button";
      line.append(node);
    }
    box.append(line);
  }
  return box;
}

function renderReplyKeyboard(markup) {
  const box = $("reply-keyboard");
  const rows = state.current?.type === "persona" && markup ? markup.keyboard || [] : [];
  box.hidden = rows.length === 0;
  box.replaceChildren(
    ...rows.map((row) => {
      const line = document.createElement("div");
      line.className = "row";
      for (const button of row) {
        const node = document.createElement("button");
        node.type = "button";
        node.textContent = button.text;
        node.addEventListener("click", () =>
          // A request_contact button shares the persona's number, as Telegram's does.
          button.request_contact
            ? guard(() => api(personaPath("/contacts"), { json: {} }))
            : sendText(button.text),
        );
        line.append(node);
      }
      return line;
    }),
  );
  $("text").placeholder = markup?.input_field_placeholder || "消息 / Message";
}

// -- acting as the persona ------------------------------------------------------------------

function personaPath(suffix) {
  return `/api/personas/${state.current.id}${suffix}`;
}

async function guard(action) {
  try {
    await action();
  } catch (error) {
    toast("⚠ " + error.message);
  }
}

function sendText(text) {
  if (!text.trim() || state.current?.type !== "persona") return;
  return guard(() => api(personaPath("/messages"), { json: { text } }));
}

function press(messageId, callbackData) {
  return guard(() =>
    api(personaPath("/press"), { json: { message_id: messageId, callback_data: callbackData } }),
  );
}

function openDeepLink(url) {
  const persona = state.current?.type === "persona" ? state.current : state.lastPersona;
  if (!persona) {
    toast("⚠ 先选择一个人物 / pick a persona first");
    return;
  }
  return guard(async () => {
    await api(`/api/personas/${persona.id}/open_url`, { json: { url } });
    if (state.current?.type !== "persona" || state.current.id !== persona.id) select(persona);
  });
}

async function toggleCommands() {
  const menu = $("command-menu");
  if (!menu.hidden) {
    menu.hidden = true;
    return;
  }
  const { commands } = await api(personaPath("/commands"));
  menu.replaceChildren();
  if (!commands.length) {
    const empty = document.createElement("p");
    empty.textContent = "机器人未设置命令 / The bot set no commands";
    menu.append(empty);
  }
  for (const command of commands) {
    const button = document.createElement("button");
    button.type = "button";
    const name = document.createElement("b");
    name.textContent = "/" + command.command;
    button.append(name, " " + command.description);
    button.addEventListener("click", () => {
      menu.hidden = true;
      sendText("/" + command.command);
    });
    menu.append(button);
  }
  menu.hidden = false;
}

async function attach(kind) {
  $("attach-menu").hidden = true;
  if (kind === "photo" || kind === "document") {
    $(kind + "-input").click();
    return;
  }
  await guard(() => api(personaPath(kind === "sticker" ? "/stickers" : "/voices"), { json: {} }));
}

async function upload(kind, input) {
  const file = input.files[0];
  input.value = "";
  if (!file) return;
  const form = new FormData();
  form.append("file", file, file.name);
  await guard(() =>
    api(personaPath(kind === "photo" ? "/photos" : "/documents"), { method: "POST", body: form }),
  );
}

// -- notices, status ------------------------------------------------------------------------

function toast(text) {
  const node = document.createElement("div");
  node.className = "toast";
  node.textContent = text;
  $("toasts").append(node);
  setTimeout(() => node.remove(), 4000);
}

function showNotice(notice) {
  if (!notice.text) return;
  if (notice.show_alert) {
    $("alert-text").textContent = notice.text;
    $("alert").hidden = false;
  } else {
    toast(notice.text);
  }
}

async function watchStatus() {
  for (;;) {
    try {
      const status = await api("/api/status");
      $("banner").hidden = status.alive;
      await loadPersonas();
    } catch (error) {
      $("banner").hidden = false;
    }
    await sleep(2000);
  }
}

// -- wiring ---------------------------------------------------------------------------------

function init() {
  $("new-persona-form").addEventListener("submit", (event) => guard(() => createPersona(event)));
  $("channel-tab").addEventListener("click", () => select({ type: "channel" }));
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value;
    input.value = "";
    sendText(text);
  });
  $("menu-button").addEventListener("click", () => guard(toggleCommands));
  $("attach-button").addEventListener("click", () => {
    $("attach-menu").hidden = !$("attach-menu").hidden;
  });
  for (const button of document.querySelectorAll("[data-attach]")) {
    button.addEventListener("click", () => attach(button.dataset.attach));
  }
  $("photo-input").addEventListener("change", (e) => upload("photo", e.target));
  $("document-input").addEventListener("change", (e) => upload("document", e.target));
  $("alert-ok").addEventListener("click", () => {
    $("alert").hidden = true;
  });
  watchStatus();
}

init();
