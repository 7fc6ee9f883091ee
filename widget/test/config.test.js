import { test } from "node:test";
import assert from "node:assert/strict";
import { readConfig, DEFAULTS } from "../src/config.js";

test("data attributes configure the widget; the server defaults to the script's origin", () => {
  const c = readConfig({
    dataset: { title: "长治职称咨询", color: "#8b0000", greeting: "您好", maxLength: "300" },
    scriptSrc: "http://bot.example.cn:5005/webchat/widget.js",
    pageOrigin: "https://www.example.gov.cn",
  });
  assert.equal(c.server, "http://bot.example.cn:5005");
  assert.equal(c.title, "长治职称咨询");
  assert.equal(c.color, "#8b0000");
  assert.equal(c.greeting, "您好");
  assert.equal(c.maxLength, 300);
  assert.equal(c.css, "http://bot.example.cn:5005/webchat/widget.css");
  assert.deepEqual(c.transports, ["websocket", "polling"]);
});

test("window.ZhichengChat overrides data attributes; defaults fill the rest", () => {
  const c = readConfig({
    dataset: { server: "http://a:5005", title: "A" },
    overrides: { server: "https://b.example.cn/", title: "B" },
  });
  assert.equal(c.server, "https://b.example.cn");
  assert.equal(c.title, "B");
  assert.equal(c.maxLength, DEFAULTS.maxLength);
  assert.equal(c.humanPayload, "/ask_human");
});

test("nonsense limits fall back to the default", () => {
  assert.equal(readConfig({ dataset: { maxLength: "abc" } }).maxLength, 500);
  assert.equal(readConfig({ dataset: { maxLength: "-3" } }).maxLength, 500);
});
