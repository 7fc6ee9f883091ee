// The widget's UI: launcher (with an unread badge), panel (header with 转人工/热线, message log,
// quick replies, typing indicator, offline banner), the composer (IME-safe Enter, length counter,
// kept draft) and, under it, 重新开始 (asks first, in the widget). Everything lives in an open
// shadow root so the host page's CSS cannot break it.

import { createImeGuard } from "./ime.js";
import { clampInput, counter } from "./text.js";
import { textColorFor } from "./color.js";
import { fromBotPayload, renderMessage, renderQuickReplies } from "./render.js";
import { messageId } from "./store.js";

const SVG = "http://www.w3.org/2000/svg";
const TYPING_TIMEOUT_MS = 45000;
const STATUS_TEXT = { online: "在线", connecting: "正在连接…", offline: "已离线，正在重新连接…" };

function el(doc, tag, attrs = {}, text) {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "className") e.className = v;
    else e.setAttribute(k, v);
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

function chatIcon(doc) {
  const svg = doc.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS(SVG, "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  path.setAttribute("fill", "currentColor");
  svg.appendChild(path);
  return svg;
}

/**
 * Build and mount the widget.
 * @param {object} o
 * @param {Document} o.doc
 * @param {HTMLElement} o.container  where the host element is appended (document.body)
 * @param {object} o.config          from readConfig
 * @param {SessionStore} o.store
 * @param {(handlers) => object} o.connect  creates the transport with {onMessage, onStatus, onReady, sessionId}
 * @param {() => number} [o.now]
 */
export function createWidget({ doc, container, config, store, connect, now = () => Date.now() }) {
  const host = el(doc, "div", { id: "zhicheng-chat", "data-zhicheng-chat": "" });
  const shadow = host.attachShadow({ mode: "open" });
  const root = el(doc, "div", { className: "zc-root" });
  root.style.setProperty("--zc-color", config.color);
  root.style.setProperty("--zc-on-color", textColorFor(config.color));
  if (config.css) {
    root.style.visibility = "hidden";
    const link = el(doc, "link", { rel: "stylesheet", href: config.css });
    const show = () => {
      root.style.visibility = "";
      scrollDown(); // the log has its real height only once styled
    };
    link.addEventListener("load", show);
    link.addEventListener("error", show);
    shadow.appendChild(link);
  }
  shadow.appendChild(root);

  const panelId = "zc-panel";
  const launcherLabel = `打开在线咨询：${config.title}`;
  const launcher = el(doc, "button", {
    type: "button", className: "zc-launcher", "aria-expanded": "false", "aria-controls": panelId,
    "aria-label": launcherLabel,
  });
  launcher.appendChild(chatIcon(doc));
  launcher.appendChild(el(doc, "span", { className: "zc-launcher-text" }, "在线咨询"));
  const badge = el(doc, "span", { className: "zc-badge", "aria-hidden": "true" }); // the label says it
  badge.hidden = true;
  launcher.appendChild(badge);

  const panel = el(doc, "section", { className: "zc-panel", id: panelId, role: "dialog", "aria-label": config.title });
  panel.hidden = true;
  const header = el(doc, "header", { className: "zc-header" });
  const titles = el(doc, "div", { className: "zc-titles" });
  titles.appendChild(el(doc, "h2", { className: "zc-title" }, config.title));
  const state = el(doc, "p", { className: "zc-state", "data-status": "connecting" }, STATUS_TEXT.connecting);
  titles.appendChild(state);
  header.appendChild(titles);
  const actions = el(doc, "div", { className: "zc-actions" });
  const human = el(doc, "button", { type: "button", className: "zc-human", "aria-label": "转人工或查看咨询热线" }, "转人工/热线");
  const close = el(doc, "button", { type: "button", className: "zc-close", "aria-label": "关闭对话窗口" }, "×");
  actions.append(human, close);
  header.appendChild(actions);

  const banner = el(doc, "div", { className: "zc-banner", role: "status" });
  banner.hidden = true;
  banner.appendChild(el(doc, "span", {}, "网络连接中断，正在自动重连。未发送的消息会在恢复后自动发送。"));
  const retryAll = el(doc, "button", { type: "button", className: "zc-retry-now" }, "立即重试");
  banner.appendChild(retryAll);

  const log = el(doc, "div", { className: "zc-log", role: "log", "aria-live": "polite", "aria-label": "对话记录", tabindex: "0" });
  const typing = el(doc, "div", { className: "zc-row zc-bot zc-typing", role: "status", "aria-label": "助手正在输入" });
  const dots = el(doc, "div", { className: "zc-bubble" });
  for (let i = 0; i < 3; i++) dots.appendChild(el(doc, "span", { className: "zc-dot", "aria-hidden": "true" }));
  typing.appendChild(dots);
  typing.hidden = true;

  const form = el(doc, "form", { className: "zc-form", novalidate: "" });
  const input = el(doc, "textarea", {
    className: "zc-input", rows: "1", "aria-label": "输入您的问题", placeholder: "请输入您的问题，按回车发送",
    enterkeyhint: "send", "aria-describedby": "zc-counter",
  });
  const send = el(doc, "button", { type: "submit", className: "zc-send", "aria-label": "发送" }, "发送");
  const foot = el(doc, "div", { className: "zc-foot" });
  const count = el(doc, "span", { className: "zc-counter", id: "zc-counter" }, `0/${config.maxLength}`);
  const note = el(doc, "span", { className: "zc-note", "aria-live": "polite" });
  // 重新开始 sits under the input, away from 转人工 in the header, and asks before it clears
  const restart = el(doc, "button", { type: "button", className: "zc-restart", "aria-label": "重新开始对话", "aria-haspopup": "dialog" }, "重新开始");
  foot.append(restart, note, count);
  const row = el(doc, "div", { className: "zc-compose" });
  row.append(input, send);
  form.append(row, foot);

  const confirmBox = el(doc, "div", {
    className: "zc-confirm", role: "alertdialog", "aria-modal": "true",
    "aria-labelledby": "zc-confirm-title", "aria-describedby": "zc-confirm-text",
  });
  confirmBox.hidden = true;
  const confirmCard = el(doc, "div", { className: "zc-confirm-card" });
  confirmCard.appendChild(el(doc, "p", { className: "zc-confirm-title", id: "zc-confirm-title" }, "确定重新开始吗？"));
  confirmCard.appendChild(el(doc, "p", { className: "zc-confirm-text", id: "zc-confirm-text" }, "您当前的对话记录将被清空，无法恢复。"));
  const confirmActions = el(doc, "div", { className: "zc-confirm-actions" });
  const confirmCancel = el(doc, "button", { type: "button", className: "zc-confirm-cancel" }, "取消");
  const confirmOk = el(doc, "button", { type: "button", className: "zc-confirm-ok" }, "重新开始");
  confirmActions.append(confirmCancel, confirmOk);
  confirmCard.appendChild(confirmActions);
  confirmBox.appendChild(confirmCard);

  panel.append(header, banner, log, form, confirmBox);
  root.append(panel, launcher);
  container.appendChild(host);

  // --- state and rendering -------------------------------------------------------------------
  const ime = createImeGuard();
  const timers = doc.defaultView || globalThis;
  let typingTimer = null;
  let transport = null;

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function showTyping(on) {
    timers.clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) {
      log.appendChild(typing);
      typingTimer = timers.setTimeout(() => (typing.hidden = true), TYPING_TIMEOUT_MS);
    }
    scrollDown();
  }

  function rowFor(msg) {
    return renderMessage(doc, msg, { onRetry: retryOne, onFeedback: rate, now: now() });
  }

  /** 有帮助 / 没帮助 under an answer: sent once, beside the conversation; the buttons give way to a
   * thank-you (kept in the history, so also after a reload). */
  function rate(id, helpful) {
    const msg = store.history().find((m) => m.id === id);
    if (!msg || !msg.answerId || msg.feedback) return;
    const sent = transport && transport.sendFeedback && transport.sendFeedback(msg.answerId, helpful, (ack) => {
      if (ack && (ack.ok || ack.error === "unknown_answer" || ack.error === "malformed")) return;
      // not recorded (server busy, timeout): the buttons come back for another try
      const back = store.update(id, { feedback: undefined });
      if (back) replaceRow(back, false);
      note.textContent = "反馈没有送达，请稍后再试。";
    });
    if (!sent) {
      note.textContent = "当前网络不可用，请恢复连接后再反馈。";
      return;
    }
    const updated = store.update(id, { feedback: helpful ? "helpful" : "not_helpful" });
    if (updated) replaceRow(updated, true);
  }

  function renderQuick() {
    for (const q of log.querySelectorAll(".zc-quick")) q.remove();
    const list = store.history();
    const last = list[list.length - 1];
    if (last && last.from === "bot" && last.quickReplies && last.quickReplies.length) {
      log.insertBefore(renderQuickReplies(doc, last.quickReplies, (r) => sendText(r.payload, r.title)), typing.parentNode === log ? typing : null);
    }
  }

  function renderAll() {
    log.replaceChildren();
    for (const m of store.history()) log.appendChild(rowFor(m));
    log.appendChild(typing);
    renderQuick();
    scrollDown();
  }

  function addRow(msg) {
    log.insertBefore(rowFor(msg), typing.parentNode === log ? typing : null);
    renderQuick();
    scrollDown();
  }

  function replaceRow(msg, focusFeedback = false) {
    const old = log.querySelector(`[data-id="${msg.id}"]`);
    if (!old) return;
    const hadFocus = focusFeedback && old.contains(shadow.activeElement);
    const row = rowFor(msg);
    old.replaceWith(row);
    if (hadFocus) {
      const target = row.querySelector(".zc-feedback-done, .zc-feedback-btn");
      if (target) target.focus();
    }
  }

  function ensureGreeting() {
    if (!store.history().length && config.greeting) {
      store.append({ id: messageId(), from: "bot", text: config.greeting, time: now(), local: true });
    }
  }

  /**
   * Hand a user message to the transport: "sending" until the server acknowledges it ("sent"),
   * back to "pending" (未发送, sent again after reconnecting) when it does not.
   */
  function deliver(msg) {
    store.update(msg.id, { status: "sending" });
    if (!transport || !transport.send(msg.payload ?? msg.text, msg.id, (ok) => settle(msg.id, ok))) {
      store.update(msg.id, { status: "pending" });
      return false;
    }
    const current = store.history().find((m) => m.id === msg.id);
    if (current) replaceRow(current);
    showTyping(true);
    return true;
  }

  function settle(id, delivered) {
    const msg = store.history().find((m) => m.id === id);
    if (!msg || msg.status !== "sending") return;
    replaceRow(store.update(id, { status: delivered ? "sent" : "pending" }));
    if (!delivered) {
      showTyping(false);
      note.textContent = "消息未能送达，将在恢复连接后自动发送。";
    }
  }

  /** Show `shown` as the user's message and send `payload` (a quick reply's payload, or the text). */
  function sendText(payload, shown = payload) {
    const text = String(payload || "").trim();
    if (!text) return null;
    const msg = store.append({ id: messageId(), from: "user", text: shown, payload: text, time: now(), status: "pending" });
    addRow(msg);
    if (!deliver(msg)) {
      note.textContent = "当前网络不可用，消息将在恢复连接后自动发送。";
      if (transport) transport.retryNow();
    }
    return msg;
  }

  function retryOne(id) {
    const msg = store.history().find((m) => m.id === id);
    if (msg && msg.status === "pending" && !deliver(msg) && transport) transport.retryNow();
  }

  function flushPending() {
    for (const m of store.pending()) if (!deliver(m)) break;
    if (!store.pending().length && /^(当前网络|消息未能送达)/.test(note.textContent)) note.textContent = "";
  }

  /** The launcher's badge and label: how many answers arrived while the panel was closed. */
  function showUnread() {
    const n = store.unread();
    badge.hidden = n === 0;
    badge.textContent = n > 99 ? "99+" : String(n);
    launcher.setAttribute("aria-label", n ? `${launcherLabel}（${n}条未读消息）` : launcherLabel);
  }

  function onBotMessage(payload) {
    const msg = store.append(fromBotPayload(payload, messageId(), now()));
    showTyping(false);
    addRow(msg);
    if (panel.hidden) {
      store.setUnread(store.unread() + 1);
      showUnread();
    }
  }

  function onStatus(status) {
    state.dataset.status = status;
    state.textContent = STATUS_TEXT[status] || status;
    root.dataset.status = status;
    banner.hidden = status !== "offline";
    if (status === "offline") showTyping(false);
  }

  function updateCounter() {
    const c = counter(input.value, config.maxLength);
    count.textContent = c.label;
    count.classList.toggle("zc-warn", c.warn);
    send.disabled = !input.value.trim();
  }

  function enforceLimit() {
    if (ime.composing) {
      updateCounter(); // never change the value mid-composition: that breaks the input method
      return;
    }
    const { text, cut } = clampInput(input.value, config.maxLength);
    if (cut) {
      input.value = text;
      note.textContent = `最多输入${config.maxLength}字，超出部分未保留。`;
    }
    updateCounter();
  }

  /** Keep what is typed (also mid-composition: storing the value does not disturb the IME). */
  function keepDraft() {
    store.saveDraft(input.value);
  }

  function submit() {
    enforceLimit();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    store.saveDraft("");
    note.textContent = "";
    updateCounter();
    sendText(text);
    input.focus();
  }

  function setOpen(open) {
    panel.hidden = !open;
    root.classList.toggle("zc-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    store._set(`${store.prefix}:open`, open ? "1" : "0");
    if (open) {
      store.setUnread(0);
      showUnread();
      scrollDown();
      input.focus();
    } else {
      hideConfirm(false);
      launcher.focus();
    }
  }

  // --- events ----------------------------------------------------------------------------------
  launcher.addEventListener("click", () => setOpen(panel.hidden));
  close.addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") setOpen(false);
  });
  human.addEventListener("click", () => sendText(config.humanPayload, "转人工/热线"));
  function askRestart() {
    confirmBox.hidden = false;
    for (const part of [header, banner, log, form]) part.inert = true;
    confirmCancel.focus();
  }

  function hideConfirm(focusBack = true) {
    if (confirmBox.hidden) return;
    confirmBox.hidden = true;
    for (const part of [header, banner, log, form]) part.inert = false;
    if (focusBack) restart.focus();
  }

  function doRestart() {
    hideConfirm(false);
    store.restart();
    store.saveDraft(input.value); // what is typed stays in the input, now for the new conversation
    note.textContent = "";
    ensureGreeting();
    showTyping(false);
    renderAll();
    if (transport) transport.resetSession();
    input.focus();
  }

  restart.addEventListener("click", askRestart);
  confirmCancel.addEventListener("click", () => hideConfirm());
  confirmOk.addEventListener("click", doRestart);
  confirmBox.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.stopPropagation(); // cancel the question, keep the panel open
      hideConfirm();
    } else if (e.key === "Tab") {
      // keep the focus on the two answers while the question is open
      e.preventDefault();
      (shadow.activeElement === confirmCancel ? confirmOk : confirmCancel).focus();
    }
  });
  retryAll.addEventListener("click", () => transport && transport.retryNow());
  input.addEventListener("compositionstart", () => ime.start());
  input.addEventListener("compositionend", () => {
    ime.end();
    enforceLimit();
    keepDraft();
  });
  input.addEventListener("input", () => {
    enforceLimit();
    keepDraft();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    if (ime.shouldSend(e)) {
      e.preventDefault();
      submit();
    } else if (e.isComposing || ime.composing || e.keyCode === 229) {
      // confirming an IME candidate: leave it to the input method
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
  });

  // --- start -----------------------------------------------------------------------------------
  store.requeueSending();
  ensureGreeting();
  renderAll();
  input.value = clampInput(store.draft(), config.maxLength).text;
  updateCounter();
  showUnread();
  transport = connect({
    sessionId: () => store.sessionId(),
    onMessage: onBotMessage,
    onStatus,
    onReady: flushPending,
  });
  onStatus(transport.status || "connecting");
  const wasOpen = store._get(`${store.prefix}:open`) === "1";
  if (config.open || wasOpen) setOpen(true);

  return {
    host,
    shadow,
    open: () => setOpen(true),
    close: () => setOpen(false),
    send: (text) => sendText(text),
    get status() {
      return transport ? transport.status : "offline";
    },
    get transport() {
      return transport;
    },
  };
}
