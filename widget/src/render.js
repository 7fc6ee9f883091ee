// DOM for messages. Bot and user text is only ever inserted as text nodes (textContent),
// links are built as elements with a checked http/https href or a digits-only tel: href.

import { formatTime, splitRichText, isSafeUrl } from "./text.js";

/**
 * Fill `parent` with the text, turning http/https URLs into safe links and phone numbers into
 * tel: links (kept on one line by CSS); line breaks kept by CSS.
 */
export function appendRichText(doc, parent, text) {
  for (const seg of splitRichText(text)) {
    if (seg.type === "tel") {
      const a = doc.createElement("a");
      a.href = seg.href;
      a.className = "zc-tel";
      a.textContent = seg.text;
      a.setAttribute("aria-label", `拨打电话 ${seg.text}`);
      parent.appendChild(a);
    } else if (seg.type === "link") {
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
  const answerId = p.answer && typeof p.answer === "object" ? p.answer.id : undefined;
  if (typeof answerId === "string" && ANSWER_ID.test(answerId)) msg.answerId = answerId;
  return msg;
}

/** An answer's id as the server sends it (bot/storage/feedback.py). */
export const ANSWER_ID = /^[0-9a-f]{16,64}$/;

/** What the feedback area says once an answer was rated (`msg.feedback`). */
export const FEEDBACK_TEXT = Object.freeze({
  helpful: "感谢反馈！",
  not_helpful: "感谢反馈，我们会转给工作人员改进这个回答。您也可以换个说法再问一次。",
  sending: "正在提交反馈…",
});

/**
 * Under an answer: 有帮助 / 没帮助 buttons (`onFeedback(id, helpful)`), or, once rated, a thank-you.
 * Only rows of bot answers that carry an answer id get it.
 */
export function renderFeedback(doc, msg, onFeedback) {
  const box = doc.createElement("div");
  box.className = "zc-feedback";
  if (msg.feedback) {
    const thanks = doc.createElement("span");
    thanks.className = "zc-feedback-done";
    thanks.tabIndex = -1; // focus lands here after a button is used, so the keyboard stays in place
    thanks.textContent = FEEDBACK_TEXT[msg.feedback] || FEEDBACK_TEXT.helpful;
    box.appendChild(thanks);
    return box;
  }
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", "这个回答对您有帮助吗？");
  const ask = doc.createElement("span");
  ask.className = "zc-feedback-ask";
  ask.setAttribute("aria-hidden", "true"); // the group's label says it to screen readers
  ask.textContent = "这个回答有帮助吗？";
  box.appendChild(ask);
  for (const [helpful, label, aria] of [[true, "有帮助", "这个回答有帮助"], [false, "没帮助", "这个回答没有帮助"]]) {
    const b = doc.createElement("button");
    b.type = "button";
    b.className = `zc-feedback-btn ${helpful ? "zc-helpful" : "zc-not-helpful"}`;
    b.textContent = label;
    b.setAttribute("aria-label", aria);
    b.addEventListener("click", () => onFeedback && onFeedback(msg.id, helpful));
    box.appendChild(b);
  }
  return box;
}

/**
 * One message row: bubble with text (and image), time and, for undelivered user messages,
 * a status with a retry button (`onRetry(id)`).
 */
export function renderMessage(doc, msg, { onRetry, onFeedback, now } = {}) {
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
  if (msg.from === "bot" && msg.answerId) row.appendChild(renderFeedback(doc, msg, onFeedback));
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
