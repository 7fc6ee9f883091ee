import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionStore, newSessionId } from "../src/store.js";

function storage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), m };
}

test("the session id and history survive a reload (a new store on the same storage)", () => {
  const s = storage();
  const a = new SessionStore(s);
  const id = a.sessionId();
  assert.match(id, /^[0-9a-f]{32}$/);
  a.append({ id: "1", from: "user", text: "长治中级评审费多少", time: 1 });
  const b = new SessionStore(s);
  assert.equal(b.sessionId(), id);
  assert.deepEqual(b.history().map((m) => m.text), ["长治中级评审费多少"]);
});

test("重新开始 makes a new session id with an empty history and forgets the old one", () => {
  const s = storage();
  const a = new SessionStore(s);
  const old = a.sessionId();
  a.append({ id: "1", from: "user", text: "x", time: 1 });
  const fresh = a.restart();
  assert.notEqual(fresh, old);
  assert.equal(a.sessionId(), fresh);
  assert.deepEqual(a.history(), []);
  assert.equal(s.getItem(`zhicheng-chat:history:${old}`), null);
});

test("history is bounded, oldest dropped", () => {
  const a = new SessionStore(storage(), "p", 3);
  for (let i = 0; i < 5; i++) a.append({ id: String(i), from: "bot", text: String(i), time: i });
  assert.deepEqual(a.history().map((m) => m.id), ["2", "3", "4"]);
});

test("pending messages are listed until marked sent", () => {
  const a = new SessionStore(storage());
  a.append({ id: "1", from: "user", text: "a", time: 1, status: "pending" });
  a.append({ id: "2", from: "user", text: "b", time: 2, status: "sent" });
  assert.deepEqual(a.pending().map((m) => m.id), ["1"]);
  a.update("1", { status: "sent" });
  assert.deepEqual(a.pending(), []);
});

test("blocked or corrupt storage does not break the widget", () => {
  const broken = { getItem() { throw new Error("blocked"); }, setItem() { throw new Error("blocked"); }, removeItem() {} };
  const a = new SessionStore(broken);
  a.append({ id: "1", from: "user", text: "a", time: 1 });
  assert.equal(a.history().length, 1); // kept in memory
  const s = storage();
  const b = new SessionStore(s);
  s.setItem(b.historyKey(), "{not json");
  assert.deepEqual(b.history(), []);
  assert.notEqual(newSessionId(), newSessionId());
});
