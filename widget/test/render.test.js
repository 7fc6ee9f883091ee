import { test } from "node:test";
import assert from "node:assert/strict";
import { makeDom } from "./dom.js";
import { renderMessage, renderQuickReplies, fromBotPayload } from "../src/render.js";

const ANSWER = "0123456789abcdef0123456789abcdef";

const win = makeDom();
const doc = win.document;

test("HTML in bot or user text is shown as text, never parsed", () => {
  for (const from of ["bot", "user"]) {
    const evil = '<img src=x onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">点我</a>';
    const row = renderMessage(doc, { id: "1", from, text: evil, time: Date.now() });
    assert.equal(row.querySelector(".zc-text").textContent, evil);
    assert.equal(row.querySelector("img, script, a"), null);
  }
});

test("bot answers keep their line breaks and citation", () => {
  const text = "【长治市｜长工信〔2022〕139号】\n· 工程师评审费：每人300元";
  const row = renderMessage(doc, { id: "1", from: "bot", text, time: Date.now() });
  assert.equal(row.querySelector(".zc-text").textContent, text);
  assert.ok(row.querySelector("time").textContent.match(/^\d\d:\d\d$/));
});

test("phone numbers are tel: links (digits only) and markup around them stays text", () => {
  const evil = '<a href="javascript:alert(1)">0835-2222222</a>或13812345678<img src=x onerror="alert(2)">';
  for (const from of ["bot", "user"]) {
    const row = renderMessage(doc, { id: "1", from, text: evil, time: 0 });
    assert.equal(row.querySelector(".zc-text").textContent, evil);
    const links = [...row.querySelectorAll("a")];
    assert.deepEqual(links.map((a) => [a.textContent, a.getAttribute("href"), a.className]), [
      ["0835-2222222", "tel:08352222222", "zc-tel"], ["13812345678", "tel:13812345678", "zc-tel"]]);
    assert.equal(links[0].getAttribute("target"), null);
    assert.equal(row.querySelector("img, script"), null);
  }
});

test("links open safely in a new tab", () => {
  const row = renderMessage(doc, { id: "1", from: "bot", text: "见 https://example.gov.cn/n 与 javascript:alert(1)", time: 0 });
  const links = row.querySelectorAll("a");
  assert.equal(links.length, 1);
  assert.equal(links[0].getAttribute("href"), "https://example.gov.cn/n");
  assert.equal(links[0].rel, "noopener noreferrer");
  assert.equal(links[0].target, "_blank");
});

test("an undelivered user message shows 未发送 and a retry button", () => {
  let retried = null;
  const row = renderMessage(doc, { id: "m7", from: "user", text: "a", time: 0, status: "pending" }, { onRetry: (id) => (retried = id) });
  assert.equal(row.querySelector(".zc-status").textContent, "未发送");
  row.querySelector(".zc-retry").click();
  assert.equal(retried, "m7");
});

test("quick replies show the title and hand back the payload", () => {
  const msg = fromBotPayload({ text: "请问是哪个地区？", quick_replies: [
    { content_type: "text", title: "长治市", payload: '/inform{"region":"changzhi"}' },
    { content_type: "text", title: "<b>重庆市</b>", payload: "/x" },
  ] }, "1", 0);
  let picked = null;
  const box = renderQuickReplies(doc, msg.quickReplies, (r) => (picked = r));
  const buttons = box.querySelectorAll("button");
  assert.deepEqual([...buttons].map((b) => b.textContent), ["长治市", "<b>重庆市</b>"]);
  assert.equal(box.querySelector("b"), null);
  buttons[0].click();
  assert.equal(picked.payload, '/inform{"region":"changzhi"}');
});

test("image attachments only with http/https sources", () => {
  assert.equal(fromBotPayload({ attachment: { type: "image", payload: { src: "javascript:alert(1)" } } }, "1", 0).image, undefined);
  assert.equal(fromBotPayload({ attachment: { type: "image", payload: { src: "https://a.b/c.png" } } }, "1", 0).image, "https://a.b/c.png");
});

test("an answer's id is kept; anything else in its place is dropped", () => {
  assert.equal(fromBotPayload({ text: "300元", answer: { id: ANSWER } }, "1", 0).answerId, ANSWER);
  for (const answer of [undefined, null, "x", { id: 5 }, { id: "<script>" }, { id: "ABC" }]) {
    assert.equal("answerId" in fromBotPayload({ text: "300元", answer }, "1", 0), false);
  }
});

test("only answers get 有帮助 / 没帮助, as labelled buttons; once rated, a thank-you instead", () => {
  const picked = [];
  const row = renderMessage(doc, { id: "7", from: "bot", text: "300元", time: 0, answerId: ANSWER },
    { onFeedback: (id, helpful) => picked.push([id, helpful]) });
  const group = row.querySelector(".zc-feedback");
  assert.equal(group.getAttribute("role"), "group");
  const buttons = [...group.querySelectorAll("button")];
  assert.deepEqual(buttons.map((b) => b.textContent), ["有帮助", "没帮助"]);
  assert.deepEqual(buttons.map((b) => b.getAttribute("aria-label")), ["这个回答有帮助", "这个回答没有帮助"]);
  assert.ok(buttons.every((b) => b.type === "button"));
  buttons[1].click();
  assert.deepEqual(picked, [["7", false]]);
  assert.equal(renderMessage(doc, { id: "8", from: "bot", text: "请问哪个地区？", time: 0 }).querySelector(".zc-feedback"), null);
  assert.equal(renderMessage(doc, { id: "9", from: "user", text: "x", time: 0, answerId: ANSWER }).querySelector(".zc-feedback"), null);
  const done = renderMessage(doc, { id: "7", from: "bot", text: "300元", time: 0, answerId: ANSWER, feedback: "not_helpful" });
  assert.equal(done.querySelector(".zc-feedback button"), null);
  assert.match(done.querySelector(".zc-feedback-done").textContent, /感谢反馈/);
});
