import { test } from "node:test";
import assert from "node:assert/strict";
import { createTransport } from "../src/transport.js";

/** A stand-in for socket.io-client's `io`: records emits, lets the test fire server events. */
function fakeIo() {
  const calls = { opts: null, emitted: [], connects: 0, timeouts: [], acks: [] };
  const handlers = {};
  const socket = {
    connected: false,
    io: { opts: null, engine: { transport: { name: "websocket" } } },
    on(ev, fn) { handlers[ev] = fn; },
    emit(ev, data) { calls.emitted.push([ev, data]); },
    timeout(ms) {
      calls.timeouts.push(ms);
      return { emit(ev, data, ack) { calls.emitted.push([ev, data]); calls.acks.push(ack); } };
    },
    connect() { calls.connects += 1; },
    disconnect() { socket.connected = false; },
  };
  socket.io.engine.close = () => { calls.engineCloses = (calls.engineCloses || 0) + 1; };
  const io = (url, opts) => {
    calls.url = url;
    calls.opts = opts;
    socket.io.opts = { ...opts, transports: [...opts.transports] };
    return socket;
  };
  const fire = (ev, arg) => {
    if (ev === "connect") socket.connected = true;
    if (ev === "disconnect") socket.connected = false;
    handlers[ev](arg);
  };
  return { io, calls, fire, socket };
}

function start(f, id = "abc123abc123") {
  const seen = { messages: [], statuses: [], ready: 0 };
  const t = createTransport({
    io: f.io, config: { server: "http://h:5005", socketPath: "/socket.io", transports: ["websocket", "polling"] },
    sessionId: () => id, onMessage: (m) => seen.messages.push(m), onStatus: (s) => seen.statuses.push(s),
    onReady: () => (seen.ready += 1),
  });
  return { t, seen };
}

test("every connect asks for the kept session; online only after session_confirm", () => {
  const f = fakeIo();
  const { t, seen } = start(f);
  assert.equal(f.calls.url, "http://h:5005");
  assert.deepEqual(f.calls.opts.transports, ["websocket", "polling"]);
  assert.equal(t.send("x"), false); // not confirmed yet
  f.fire("connect");
  assert.deepEqual(f.calls.emitted, [["session_request", { session_id: "abc123abc123" }]]);
  f.fire("session_confirm", "abc123abc123");
  assert.equal(t.status, "online");
  assert.equal(seen.ready, 1);
  assert.equal(t.send("长治中级评审费多少"), true);
  assert.deepEqual(f.calls.emitted.at(-1), ["user_uttered", { message: "长治中级评审费多少", session_id: "abc123abc123" }]);
  f.fire("bot_uttered", { text: "300元" });
  assert.deepEqual(seen.messages, [{ text: "300元" }]);
});

test("a disconnect makes it offline and sending fails; reconnecting asks for the session again", () => {
  const f = fakeIo();
  const { t, seen } = start(f);
  f.fire("connect");
  f.fire("session_confirm", "abc123abc123");
  f.fire("disconnect", "transport close");
  assert.equal(t.status, "offline");
  assert.equal(t.send("x"), false);
  f.fire("connect");
  f.fire("session_confirm", "abc123abc123");
  assert.equal(f.calls.emitted.filter(([ev]) => ev === "session_request").length, 2);
  assert.equal(seen.ready, 2);
  assert.deepEqual(seen.statuses, ["online", "offline", "connecting", "online"]);
});

test("after a failed connection it falls back to long-polling first", () => {
  const f = fakeIo();
  start(f);
  f.fire("connect_error", new Error("websocket error"));
  assert.deepEqual(f.socket.io.opts.transports, ["polling", "websocket"]);
});

test("feedback is its own event with the session and answer id, acknowledged or timed out", () => {
  const f = fakeIo();
  const { t, seen } = start(f);
  assert.equal(t.sendFeedback("0123456789abcdef0123456789abcdef", false), false); // not online yet
  f.fire("connect");
  f.fire("session_confirm", "abc123abc123");
  const acks = [];
  assert.equal(t.sendFeedback("0123456789abcdef0123456789abcdef", false, (a) => acks.push(a)), true);
  assert.deepEqual(f.calls.emitted.at(-1), ["feedback",
    { session_id: "abc123abc123", answer_id: "0123456789abcdef0123456789abcdef", helpful: false }]);
  assert.ok(f.calls.timeouts[0] > 0);
  f.calls.acks[0](null, { ok: true, first: true });
  t.sendFeedback("fedcba9876543210fedcba9876543210", true, (a) => acks.push(a));
  f.calls.acks[1](new Error("operation has timed out"));
  assert.deepEqual(acks, [{ ok: true, first: true }, { ok: false, error: "timeout" }]);
  assert.equal(f.calls.emitted.filter(([ev]) => ev === "user_uttered").length, 0); // never a chat message
  assert.deepEqual(seen.messages, []);
});

test("a message asks for an acknowledgement; none in time means the connection is dropped and reopened", () => {
  const f = fakeIo();
  const { t, seen } = start(f);
  f.fire("connect");
  f.fire("session_confirm", "abc123abc123");
  const results = [];
  assert.equal(t.send("长治中级评审费多少", "m1", (ok) => results.push(ok)), true);
  assert.deepEqual(f.calls.emitted.at(-1),
    ["user_uttered", { message: "长治中级评审费多少", session_id: "abc123abc123", message_id: "m1" }]);
  assert.ok(f.calls.timeouts.at(-1) >= 5000);
  f.calls.acks.at(-1)(null, { ok: true }); // acknowledged
  t.send("那重庆呢", "m2", (ok) => results.push(ok));
  f.calls.acks.at(-1)(new Error("operation has timed out")); // the socket looked connected, it was not
  assert.deepEqual(results, [true, false]);
  assert.equal(f.calls.engineCloses, 1); // dropped: socket.io reconnects by itself
  assert.equal(t.status, "offline");
  assert.deepEqual(seen.statuses.at(-1), "offline");
  t.send("x", "m3", (ok) => results.push(ok)); // refused while offline: the caller keeps it
  assert.equal(results.length, 2);
  f.fire("disconnect", "forced close");
  f.fire("connect");
  f.fire("session_confirm", "abc123abc123");
  t.send("再问", "m4", (ok) => results.push(ok));
  f.fire("disconnect", "transport close");
  f.calls.acks.at(-1)(new Error("socket has been disconnected")); // socket.io on disconnect
  assert.deepEqual(results, [true, false, false]);
  assert.equal(f.calls.engineCloses, 1); // already closed: nothing more to drop
});
