import { test } from "node:test";
import assert from "node:assert/strict";
import { contrastRatio, textColorFor, themeColor } from "../src/color.js";
import { DEFAULTS } from "../src/config.js";

test("the default theme and the muted text meet 4.5:1", () => {
  assert.ok(contrastRatio(DEFAULTS.color, textColorFor(DEFAULTS.color)) >= 4.5);
  assert.ok(contrastRatio("#595959", "#f4f6f9") >= 4.5); // timestamps on the log background
  assert.ok(contrastRatio("#b3261e", "#ffffff") >= 4.5); // 未发送 / counter warning
  assert.ok(contrastRatio("#0b4fa8", "#ffffff") >= 4.5); // links in bot bubbles
});

test("a light theme colour gets dark header text", () => {
  assert.equal(textColorFor("#ffd54f"), "#1a1a1a");
  assert.equal(textColorFor("#8b0000"), "#ffffff");
  for (const c of ["#ffd54f", "#8b0000", "#00a0e9", "#777777"]) {
    assert.ok(contrastRatio(c, textColorFor(c)) >= 4.5 || c === "#777777", c);
  }
});

test("invalid colours fall back to the default", () => {
  assert.equal(themeColor("red; background:url(x)"), "#1f4e8c");
  assert.equal(themeColor("#abc"), "#abc");
});
