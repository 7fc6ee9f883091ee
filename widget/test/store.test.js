import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionStore, newSessionId, messageId } from "../src/store.js";

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

test("the draft is kept per conversation; 重新开始 forgets it", () => {
  const s = storage();
  const a = new SessionStore(s);
  const old = a.sessionId();
  assert.equal(a.draft(), "");
  a.saveDraft("长治中级");
  assert.equal(new SessionStore(s).draft(), "长治中级");
  assert.equal(s.getItem(`zhicheng-chat:draft:${old}`), "长治中级");
  a.restart();
  assert.equal(a.draft(), "");
  assert.equal(s.getItem(`zhicheng-chat:draft:${old}`), null);
  a.saveDraft("x");
  a.saveDraft("");
  assert.equal(s.getItem(a.draftKey()), null);
});

test("the unread count is kept; messages left sending become pending again", () => {
  const s = storage();
  const a = new SessionStore(s);
  assert.equal(a.unread(), 0);
  a.setUnread(3);
  assert.equal(new SessionStore(s).unread(), 3);
  a.setUnread(0);
  assert.equal(s.getItem(a.unreadKey), null);
  a.append({ id: "1", from: "user", text: "a", time: 1, status: "sending" });
  a.append({ id: "2", from: "user", text: "b", time: 2, status: "sent" });
  a.requeueSending();
  assert.deepEqual(a.pending().map((m) => m.id), ["1"]);
});

test("message ids are unique and fit what the server accepts", () => {
  const ids = new Set(Array.from({ length: 1000 }, () => messageId()));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{1,64}$/);
});
