// DOM for messages. Bot and user text is only ever inserted as text nodes (textContent),
// links are built as elements with a checked http/https href.

import { formatTime, splitLinks, isSafeUrl } from "./text.js";

/** Fill `parent` with the text, turning http/https URLs into safe links; line breaks kept by CSS. */
export function appendRichText(doc, parent, text) {
  for (const seg of splitLinks(text)) {
    if (seg.type === "link") {
      const a = doc.createElement("a");
      a.href = seg.href;
      a.textContent = seg.text;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.appendChild(a);
    } else {
      parent.appendChild(doc.createTextNode(seg.text));
    }
  }
  return parent;
}

/** Normalise a Rasa socket.io bot message into the stored shape. */
export function fromBotPayload(payload, id, time) {
  const p = payload && typeof payload === "object" ? payload : { text: String(payload ?? "") };
  const msg = { id, from: "bot", text: typeof p.text === "string" ? p.text : "", time };
  const replies = Array.isArray(p.quick_replies) ? p.quick_replies : Array.isArray(p.buttons) ? p.buttons : [];
  const quick = replies
    .filter((r) => r && (typeof r.title === "string" || typeof r.payload === "string"))
    .map((r) => ({ title: String(r.title ?? r.payload), payload: String(r.payload ?? r.title) }));
  if (quick.length) msg.quickReplies = quick;
  const att = p.attachment;
  if (att && att.type === "image" && att.payload && isSafeUrl(att.payload.src)) msg.image = att.payload.src;
  return msg;
}

/**
 * One message row: bubble with text (and image), time and, for undelivered user messages,
 * a status with a retry button (`onRetry(id)`).
 */
export function renderMessage(doc, msg, { onRetry, now } = {}) {
  const row = doc.createElement("div");
  row.className = `zc-row zc-${msg.from === "user" ? "user" : "bot"}`;
  row.dataset.id = msg.id;
  const bubble = doc.createElement("div");
  bubble.className = "zc-bubble";
  const who = doc.createElement("span");
  who.className = "zc-sr";
  who.textContent = msg.from === "user" ? "您说：" : "助手：";
  bubble.appendChild(who);
  const body = doc.createElement("span");
  body.className = "zc-text";
  appendRichText(doc, body, msg.text);
  bubble.appendChild(body);
  if (msg.image) {
    const img = doc.createElement("img");
    img.src = msg.image;
    img.alt = "图片";
    img.loading = "lazy";
    bubble.appendChild(img);
  }
  row.appendChild(bubble);

  const meta = doc.createElement("div");
  meta.className = "zc-meta";
  const time = doc.createElement("time");
  time.dateTime = new Date(msg.time).toISOString();
  time.textContent = formatTime(msg.time, now);
  meta.appendChild(time);
  if (msg.from === "user" && msg.status === "pending") {
    row.classList.add("zc-pending");
    const st = doc.createElement("span");
    st.className = "zc-status";
    st.textContent = "未发送";
    meta.appendChild(st);
    const retry = doc.createElement("button");
    retry.type = "button";
    retry.className = "zc-retry";
    retry.textContent = "重试";
    retry.setAttribute("aria-label", "重新发送这条消息");
    retry.addEventListener("click", () => onRetry && onRetry(msg.id));
    meta.appendChild(retry);
  }
  row.appendChild(meta);
  return row;
}

/** The quick-reply buttons: each shows its title and sends its payload via `onPick(reply)`. */
export function renderQuickReplies(doc, replies, onPick) {
  const box = doc.createElement("div");
  box.className = "zc-quick";
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", "可选回复");
  for (const r of replies) {
    const b = doc.createElement("button");
    b.type = "button";
    b.className = "zc-quick-btn";
    b.textContent = r.title;
    b.addEventListener("click", () => onPick(r));
    box.appendChild(b);
  }
  return box;
}
