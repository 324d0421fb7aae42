// Telegram text + entities → DOM nodes. Built with createElement/textContent only, so nothing
// the bot sends is ever parsed as HTML. Entity offsets are UTF-16 units, like JS strings.

const SAFE_LINK = /^(https?:|mailto:|tg:)/i;

function element(entity, text) {
  switch (entity.type) {
    case "bold": return document.createElement("strong");
    case "italic": return document.createElement("em");
    case "underline": return document.createElement("u");
    case "strikethrough": return document.createElement("s");
    case "code": return document.createElement("code");
    case "pre": {
      const pre = document.createElement("pre");
      if (entity.language) pre.dataset.language = entity.language;
      return pre;
    }
    case "blockquote":
    case "expandable_blockquote":
      return document.createElement("blockquote");
    case "spoiler": {
      const span = document.createElement("span");
      span.className = "spoiler";
      span.addEventListener("click", () => span.classList.add("revealed"));
      return span;
    }
    case "text_link":
    case "url": {
      const href = entity.type === "url" ? text : entity.url;
      if (!SAFE_LINK.test(href || "")) return document.createElement("span");
      const a = document.createElement("a");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    default: {
      const span = document.createElement("span");
      span.className = "entity-" + String(entity.type).replace(/[^a-z_]/g, "");
      return span;
    }
  }
}

function build(parent, text, start, end, entities) {
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    const entityEnd = Math.min(entity.offset + entity.length, end);
    if (entity.offset > pos) parent.append(text.slice(pos, entity.offset));
    // Entities that start inside this one nest in it (Telegram's HTML yields proper nesting).
    let j = i + 1;
    while (j < entities.length && entities[j].offset < entityEnd) j++;
    const node = element(entity, text.slice(entity.offset, entityEnd));
    build(node, text, Math.max(entity.offset, pos), entityEnd, entities.slice(i + 1, j));
    parent.append(node);
    pos = Math.max(pos, entityEnd);
    i = j;
  }
  if (pos < end) parent.append(text.slice(pos, end));
}

export function renderText(text, entities) {
  const fragment = document.createDocumentFragment();
  const sorted = [...(entities || [])]
    .filter((e) => e.length > 0 && e.offset >= 0 && e.offset < text.length)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(fragment, text, 0, text.length, sorted);
  return fragment;
}
