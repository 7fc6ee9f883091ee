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

test("重新开始 starts a new session with only the greeting", () => {
  const w = mount({ config: { greeting: "您好" } });
  w.widget.send("评审费多少");
  const old = w.store.sessionId();
  w.$(".zc-restart").click();
  assert.notEqual(w.store.sessionId(), old);
  assert.deepEqual(w.texts(), ["您好"]);
  assert.equal(w.transport.resets, 1);
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
