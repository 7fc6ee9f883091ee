import { test } from "node:test";
import assert from "node:assert/strict";
import { splitLinks, splitPhones, splitRichText, isSafeUrl, clampInput, counter, charCount, formatTime } from "../src/text.js";

test("http and https URLs become links, ending before Chinese punctuation", () => {
  const segs = splitLinks("详见 https://rsj.example.gov.cn/a?b=1。电话 0355-1234567");
  assert.deepEqual(segs, [
    { type: "text", text: "详见 " },
    { type: "link", text: "https://rsj.example.gov.cn/a?b=1", href: "https://rsj.example.gov.cn/a?b=1" },
    { type: "text", text: "。电话 0355-1234567" },
  ]);
});

test("javascript:, data: and relative URLs are never links", () => {
  for (const t of ["javascript:alert(1)", "data:text/html,<b>x</b>", "/relative/path", "ftp://x.y/z"]) {
    assert.ok(splitLinks(t).every((s) => s.type === "text"), t);
    assert.equal(isSafeUrl(t), false);
  }
  assert.equal(isSafeUrl("https://a.b/c"), true);
});

test("text with line breaks and citations is kept exactly", () => {
  const t = "长工信〔2022〕139号\n工程师评审费：每人300元";
  assert.deepEqual(splitLinks(t), [{ type: "text", text: t }]);
});

test("the limit counts characters, not UTF-16 units, and says when it cut", () => {
  assert.equal(charCount("评审😀"), 3);
  assert.deepEqual(clampInput("评审费", 5), { text: "评审费", cut: false });
  const long = "评".repeat(498) + "😀😀😀";
  const r = clampInput(long, 500);
  assert.equal(r.cut, true);
  assert.equal(charCount(r.text), 500);
  assert.ok(r.text.endsWith("😀😀"));
});

test("the counter shows n/max and warns near the limit", () => {
  assert.deepEqual(counter("", 500), { label: "0/500", warn: false, full: false });
  assert.equal(counter("评".repeat(450), 500).warn, true);
  assert.equal(counter("评".repeat(500), 500).full, true);
});

test("times: HH:MM today, with the date otherwise", () => {
  const now = new Date(2024, 9, 30, 15, 0).getTime();
  assert.equal(formatTime(new Date(2024, 9, 30, 9, 5).getTime(), now), "09:05");
  assert.equal(formatTime(new Date(2024, 9, 29, 18, 30).getTime(), now), "10月29日 18:30");
});

test("landlines with an area code and 11-digit mobiles become tel: links with the digits only", () => {
  assert.deepEqual(splitPhones("电话 023-63899976、15923960007，或0835－2222222。"), [
    { type: "text", text: "电话 " },
    { type: "tel", text: "023-63899976", href: "tel:02363899976" },
    { type: "text", text: "、" },
    { type: "tel", text: "15923960007", href: "tel:15923960007" },
    { type: "text", text: "，或" },
    { type: "tel", text: "0835－2222222", href: "tel:08352222222" },
    { type: "text", text: "。" },
  ]);
  assert.deepEqual(splitPhones("0355-3036240"), [{ type: "tel", text: "0355-3036240", href: "tel:03553036240" }]);
});

test("numbers that are not phone numbers stay text", () => {
  for (const t of [
    "身份证 110105199003071234", "2022-08-01", "长工信〔2022〕139号", "评审费300元", "12333短信",
    "订单159239600071", "A15923960007", "x-0355-3036240", "2033099", "0101 19900307", "",
  ]) {
    assert.ok(splitPhones(t).every((seg) => seg.type === "text"), t);
    assert.equal(splitPhones(t).map((seg) => seg.text).join(""), t);
  }
});

test("rich text: URLs first, phone numbers only outside them", () => {
  assert.deepEqual(splitRichText("见 https://a.gov.cn/15923960007 或 15923960007"), [
    { type: "text", text: "见 " },
    { type: "link", text: "https://a.gov.cn/15923960007", href: "https://a.gov.cn/15923960007" },
    { type: "text", text: " 或 " },
    { type: "tel", text: "15923960007", href: "tel:15923960007" },
  ]);
});
