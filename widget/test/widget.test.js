import { test, after } from "node:test";
import assert from "node:assert/strict";
import { makeDom, fakeTransport, key } from "./dom.js";
import { createWidget } from "../src/widget.js";
import { readConfig } from "../src/config.js";
import { SessionStore } from "../src/store.js";

const windows = [];
after(() => windows.forEach((w) => w.close()));

function mount({ win = makeDom(), transport = fakeTransport(), config = {} } = {}) {
  windows.push(win);
  const store = new SessionStore(win.localStorage);
  const widget = createWidget({
    doc: win.document, container: win.document.body, store, connect: transport.connect,
    config: { ...readConfig({ pageOrigin: "https://example.gov.cn" }), css: "", ...config },
  });
  const $ = (sel) => widget.shadow.querySelector(sel);
  const $$ = (sel) => [...widget.shadow.querySelectorAll(sel)];
  const texts = () => $$(".zc-row:not(.zc-typing) .zc-text").map((e) => e.textContent);
  return { win, widget, transport, store, $, $$, texts };
}

function type(w, text) {
  const input = w.$(".zc-input");
  input.value = text;
  input.dispatchEvent(new w.win.Event("input", { bubbles: true }));
}

test("the launcher opens the panel with the greeting; Escape closes it", () => {
  const w = mount({ config: { greeting: "您好，请问有什么可以帮您？" } });
  assert.equal(w.$(".zc-panel").hidden, true);
  w.$(".zc-launcher").click();
  assert.equal(w.$(".zc-panel").hidden, false);
  assert.equal(w.$(".zc-launcher").getAttribute("aria-expanded"), "true");
  assert.deepEqual(w.texts(), ["您好，请问有什么可以帮您？"]);
  w.$(".zc-panel").dispatchEvent(key(w.win, "keydown", { key: "Escape" }));
  assert.equal(w.$(".zc-panel").hidden, true);
});

test("Enter during IME composition does not send; Enter after compositionend does", () => {
  const w = mount();
  const input = w.$(".zc-input");
  input.dispatchEvent(new w.win.CompositionEvent("compositionstart", { bubbles: true }));
  type(w, "长治中级评审费多少");
  input.dispatchEvent(key(w.win, "keydown", { key: "Enter", isComposing: true }, 229));
  input.dispatchEvent(key(w.win, "keydown", { key: "Enter" })); // composing flag still set
  assert.deepEqual(w.transport.sent, []);
  assert.equal(input.value, "长治中级评审费多少");
  assert.equal(w.$(".zc-counter").textContent, "9/500"); // the counter follows the composition
  input.dispatchEvent(new w.win.CompositionEvent("compositionend", { bubbles: true, data: "长治中级评审费多少" }));
  input.dispatchEvent(key(w.win, "keydown", { key: "Enter" }));
  assert.deepEqual(w.transport.sent, ["长治中级评审费多少"]);
  assert.equal(input.value, "");
  assert.equal(w.texts().at(-1), "长治中级评审费多少");
  assert.equal(w.$(".zc-typing").hidden, false); // waiting for the answer
});

test("a bot answer is shown as text and hides the typing indicator", () => {
  const w = mount();
  w.widget.send("评审费");
  w.transport.handlers.onMessage({ text: "<b>300元</b>\n长工信〔2022〕139号" });
  assert.equal(w.texts().at(-1), "<b>300元</b>\n长工信〔2022〕139号");
  assert.equal(w.$(".zc-log b"), null);
  assert.equal(w.$(".zc-typing").hidden, true);
});

test("pasting long text is cut to the limit with a visible counter and note", () => {
  const w = mount({ config: { maxLength: 500 } });
  type(w, "评".repeat(120));
  assert.equal(w.$(".zc-counter").textContent, "120/500");
  type(w, "评".repeat(800));
  assert.equal(w.$(".zc-input").value.length, 500);
  assert.equal(w.$(".zc-counter").textContent, "500/500");
  assert.ok(w.$(".zc-counter").classList.contains("zc-warn"));
  assert.match(w.$(".zc-note").textContent, /最多输入500字/);
});

test("Shift+Enter does not send; an empty message is not sent", () => {
  const w = mount();
  type(w, "第一行");
  w.$(".zc-input").dispatchEvent(key(w.win, "keydown", { key: "Enter", shiftKey: true }));
  type(w, "   ");
  w.$(".zc-input").dispatchEvent(key(w.win, "keydown", { key: "Enter" }));
  assert.deepEqual(w.transport.sent, []);
  assert.equal(w.$(".zc-send").disabled, true);
});

test("quick replies send the payload, show the title, and disappear after use", () => {
  const w = mount();
  w.transport.handlers.onMessage({ text: "请问您问的是哪个地区？", quick_replies: [
    { title: "长治市", payload: '/inform{"region":"changzhi"}' }, { title: "重庆市", payload: '/inform{"region":"chongqing"}' }] });
  const buttons = w.$$(".zc-quick-btn");
  assert.deepEqual(buttons.map((b) => b.textContent), ["长治市", "重庆市"]);
  buttons[0].click();
  assert.deepEqual(w.transport.sent, ['/inform{"region":"changzhi"}']);
  assert.equal(w.texts().at(-1), "长治市");
  assert.equal(w.$$(".zc-quick-btn").length, 0);
});

test("转人工/热线 sends /ask_human and shows the words", () => {
  const w = mount();
  w.$(".zc-human").click();
  assert.deepEqual(w.transport.sent, ["/ask_human"]);
  assert.equal(w.texts().at(-1), "转人工/热线");
});

test("offline: the banner shows, messages wait as 未发送 and go out after reconnecting", () => {
  const w = mount();
  w.transport.online = false;
  w.transport.handlers.onStatus("offline");
  assert.equal(w.$(".zc-banner").hidden, false);
  assert.equal(w.$(".zc-state").textContent, "已离线，正在重新连接…");
  w.widget.send("长治中级评审费多少");
  assert.equal(w.$(".zc-status").textContent, "未发送");
  assert.deepEqual(w.transport.sent, []);
  w.$(".zc-retry").click(); // still offline: asks the transport to try now
  assert.ok(w.transport.retries >= 1);
  w.transport.online = true;
  w.transport.handlers.onStatus("online");
  w.transport.handlers.onReady();
  assert.deepEqual(w.transport.sent, ["长治中级评审费多少"]);
  assert.equal(w.$(".zc-status"), null);
  assert.equal(w.$(".zc-banner").hidden, true);
});

test("a reload shows the kept history and the last quick replies", () => {
  const win = makeDom();
  const first = mount({ win });
  first.widget.send("评审费多少");
  first.transport.handlers.onMessage({ text: "请问哪个地区？", quick_replies: [{ title: "长治市", payload: "/a" }] });
  const session = first.store.sessionId();
  first.widget.host.remove();
  const again = mount({ win });
  assert.equal(again.store.sessionId(), session);
  assert.deepEqual(again.texts().slice(-2), ["评审费多少", "请问哪个地区？"]);
  assert.deepEqual(again.$$(".zc-quick-btn").map((b) => b.textContent), ["长治市"]);
});

test("重新开始 asks first: 取消 or Escape keep everything, 重新开始 starts a new session", () => {
  const w = mount({ config: { greeting: "您好" } });
  w.$(".zc-launcher").click();
  w.widget.send("评审费多少");
  const old = w.store.sessionId();
  assert.equal(w.$(".zc-header .zc-restart"), null); // not beside 转人工
  const confirm = w.$(".zc-confirm");
  assert.equal(confirm.hidden, true);
  w.$(".zc-restart").click();
  assert.equal(confirm.hidden, false);
  assert.equal(confirm.getAttribute("role"), "alertdialog");
  assert.match(confirm.textContent, /您/);
  assert.equal(w.widget.shadow.activeElement, w.$(".zc-confirm-cancel"));
  assert.deepEqual(w.texts(), ["您好", "评审费多少"]); // nothing cleared while asking
  w.$(".zc-confirm-cancel").click();
  assert.equal(confirm.hidden, true);
  assert.equal(w.widget.shadow.activeElement, w.$(".zc-restart"));
  w.$(".zc-restart").click();
  confirm.dispatchEvent(key(w.win, "keydown", { key: "Escape" }));
  assert.equal(confirm.hidden, true);
  assert.equal(w.$(".zc-panel").hidden, false); // Escape answered the question, the panel stays
  assert.equal(w.store.sessionId(), old);
  assert.deepEqual(w.texts(), ["您好", "评审费多少"]);
  assert.equal(w.transport.resets, 0);
  w.$(".zc-restart").click();
  w.$(".zc-confirm-ok").click();
  assert.equal(confirm.hidden, true);
  assert.notEqual(w.store.sessionId(), old);
  assert.deepEqual(w.texts(), ["您好"]);
  assert.equal(w.transport.resets, 1);
});

test("answers that arrive while the panel is closed are counted on the launcher until it opens", () => {
  const win = makeDom();
  const w = mount({ win });
  const badge = w.$(".zc-badge");
  assert.equal(badge.hidden, true);
  w.transport.handlers.onMessage({ text: "300元" });
  w.transport.handlers.onMessage({ text: "还有什么想问的吗？" });
  assert.equal(badge.hidden, false);
  assert.equal(badge.textContent, "2");
  assert.match(w.$(".zc-launcher").getAttribute("aria-label"), /（2条未读消息）$/);
  w.widget.host.remove();
  const again = mount({ win }); // kept over a reload
  assert.equal(again.$(".zc-badge").textContent, "2");
  again.$(".zc-launcher").click();
  assert.equal(again.$(".zc-badge").hidden, true);
  assert.doesNotMatch(again.$(".zc-launcher").getAttribute("aria-label"), /未读/);
  again.transport.handlers.onMessage({ text: "面板开着：不算未读" });
  again.$(".zc-close").click();
  assert.equal(again.$(".zc-badge").hidden, true);
});

test("the draft is kept per conversation over a reload and cleared once sent", () => {
  const win = makeDom();
  const w = mount({ win });
  type(w, "长治中级评审费");
  const session = w.store.sessionId();
  assert.equal(win.localStorage.getItem(`zhicheng-chat:draft:${session}`), "长治中级评审费");
  w.widget.host.remove();
  const again = mount({ win });
  assert.equal(again.$(".zc-input").value, "长治中级评审费");
  assert.equal(again.$(".zc-counter").textContent, "7/500");
  assert.equal(again.$(".zc-send").disabled, false);
  again.$(".zc-input").dispatchEvent(key(win, "keydown", { key: "Enter" }));
  assert.deepEqual(again.transport.sent, ["长治中级评审费"]);
  assert.equal(win.localStorage.getItem(`zhicheng-chat:draft:${session}`), null);
  again.widget.host.remove();
  assert.equal(mount({ win }).$(".zc-input").value, "");
});

test("重新开始 drops the old conversation's draft; what is in the input stays for the new one", () => {
  const win = makeDom();
  const w = mount({ win });
  type(w, "重庆高级评审费");
  const old = w.store.sessionId();
  w.$(".zc-restart").click();
  w.$(".zc-confirm-ok").click();
  assert.equal(win.localStorage.getItem(`zhicheng-chat:draft:${old}`), null);
  assert.equal(w.$(".zc-input").value, "重庆高级评审费");
  assert.equal(w.store.draft(), "重庆高级评审费");
});

test("a message the server never acknowledged goes back to 未发送 and is sent again once, after reconnecting", () => {
  const w = mount();
  w.widget.send("长治中级评审费多少");
  assert.deepEqual(w.transport.sent, ["长治中级评审费多少"]);
  assert.equal(w.$(".zc-status"), null); // sending: not 未发送
  const [[id, onDelivered]] = w.transport.deliveries;
  assert.equal(id, w.store.history().at(-1).id); // the message id goes with it
  w.transport.online = false;
  onDelivered(false); // no acknowledgement: the connection was dead
  assert.equal(w.$(".zc-status").textContent, "未发送");
  assert.equal(w.$(".zc-typing").hidden, true);
  assert.match(w.$(".zc-note").textContent, /未能送达/);
  w.transport.handlers.onStatus("offline");
  w.transport.online = true;
  w.transport.handlers.onStatus("online");
  w.transport.handlers.onReady();
  assert.deepEqual(w.transport.sent, ["长治中级评审费多少", "长治中级评审费多少"]);
  assert.equal(w.transport.deliveries[1][0], id); // the same id: the server can drop a copy it had
  w.transport.deliveries[1][1](true);
  assert.equal(w.store.history().at(-1).status, "sent");
  w.transport.handlers.onReady(); // a later reconnect sends nothing again
  assert.equal(w.transport.sent.length, 2);
  onDelivered(false); // a late answer about the first try changes nothing
  assert.equal(w.store.history().at(-1).status, "sent");
  assert.equal(w.$(".zc-status"), null);
});

test("a message left sending by a reload is 未发送 again and goes out after the next connect", () => {
  const win = makeDom();
  const first = mount({ win });
  first.widget.send("长治中级评审费多少"); // never acknowledged
  first.widget.host.remove();
  const transport = fakeTransport();
  transport.online = false;
  const again = mount({ win, transport });
  assert.equal(again.$(".zc-status").textContent, "未发送");
  transport.online = true;
  transport.handlers.onReady();
  assert.deepEqual(transport.sent, ["长治中级评审费多少"]);
});

test("screen-reader labels are present", () => {
  const w = mount();
  assert.equal(w.$(".zc-input").getAttribute("aria-label"), "输入您的问题");
  assert.equal(w.$(".zc-log").getAttribute("role"), "log");
  assert.equal(w.$(".zc-close").getAttribute("aria-label"), "关闭对话窗口");
  assert.equal(w.$(".zc-panel").getAttribute("role"), "dialog");
  assert.equal(w.$(".zc-typing").getAttribute("aria-label"), "助手正在输入");
});

test("a message left unsent survives a reload and goes out once connected", () => {
  const win = makeDom();
  const transport = fakeTransport();
  transport.online = false;
  const first = mount({ win, transport });
  first.widget.send("长治中级评审费多少");
  first.widget.host.remove();
  const again = mount({ win, transport });
  assert.equal(again.$(".zc-status").textContent, "未发送");
  transport.online = true;
  transport.handlers.onStatus("online");
  transport.handlers.onReady();
  assert.deepEqual(transport.sent, ["长治中级评审费多少"]);
  assert.equal(again.$(".zc-status"), null);
  assert.equal(again.store.pending().length, 0);
});

const ANSWER = "0123456789abcdef0123456789abcdef";

test("没帮助 under an answer is sent once, beside the chat, and stays used after a reload", () => {
  const win = makeDom();
  const w = mount({ win });
  w.widget.send("长治中级几篇论文");
  w.transport.handlers.onMessage({ text: "【长治2022｜长工信〔2022〕139号】\n· 2篇以上〔三（一）4〕", answer: { id: ANSWER } });
  w.transport.handlers.onMessage({ text: "还有什么想问的吗？" }); // not an answer: no buttons
  assert.equal(w.$$(".zc-feedback").length, 1);
  const notHelpful = w.$(".zc-not-helpful");
  notHelpful.focus();
  notHelpful.click();
  assert.deepEqual(w.transport.feedback.map(([id, helpful]) => [id, helpful]), [[ANSWER, false]]);
  assert.deepEqual(w.transport.sent, ["长治中级几篇论文"]); // no chat message
  assert.equal(w.$$(".zc-feedback-btn").length, 0);
  assert.match(w.$(".zc-feedback-done").textContent, /感谢反馈/);
  assert.equal(w.widget.shadow.activeElement, w.$(".zc-feedback-done")); // the keyboard stays at the answer
  w.transport.feedback[0][2]({ ok: true, first: true });
  assert.equal(w.$$(".zc-feedback-btn").length, 0);
  w.widget.host.remove();
  const again = mount({ win });
  assert.equal(again.$$(".zc-feedback-btn").length, 0);
  assert.match(again.$(".zc-feedback-done").textContent, /感谢反馈/);
});

test("feedback that did not arrive brings the buttons back; offline it is not taken", () => {
  const w = mount();
  w.transport.handlers.onMessage({ text: "300元", answer: { id: ANSWER } });
  w.$(".zc-helpful").click();
  w.transport.feedback[0][2]({ ok: false, error: "timeout" });
  assert.equal(w.$$(".zc-feedback-btn").length, 2);
  assert.match(w.$(".zc-note").textContent, /没有送达/);
  w.transport.online = false;
  w.$(".zc-helpful").click();
  assert.equal(w.transport.feedback.length, 1);
  assert.equal(w.$$(".zc-feedback-btn").length, 2);
  assert.match(w.$(".zc-note").textContent, /网络不可用/);
});
