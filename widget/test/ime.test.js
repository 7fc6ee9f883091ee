import { test } from "node:test";
import assert from "node:assert/strict";
import { createImeGuard } from "../src/ime.js";

const enter = (extra = {}) => ({ key: "Enter", keyCode: 13, ...extra });

test("plain Enter sends", () => {
  assert.equal(createImeGuard().shouldSend(enter()), true);
});

test("Enter that confirms an IME candidate does not send", () => {
  const g = createImeGuard();
  assert.equal(g.shouldSend(enter({ isComposing: true })), false);
  assert.equal(g.shouldSend(enter({ keyCode: 229 })), false); // Safari / older IMEs
  g.start();
  assert.equal(g.shouldSend(enter()), false); // between compositionstart and compositionend
  g.end();
  assert.equal(g.shouldSend(enter()), true); // after compositionend
});

test("Shift+Enter (new line) and other keys never send", () => {
  const g = createImeGuard();
  assert.equal(g.shouldSend(enter({ shiftKey: true })), false);
  assert.equal(g.shouldSend({ key: "a" }), false);
  assert.equal(g.shouldSend(null), false);
});
