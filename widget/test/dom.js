// Test helpers: a jsdom window, a fake transport and keyboard events.
import { JSDOM } from "jsdom";

export function makeDom() {
  const dom = new JSDOM("<!doctype html><html><body></body></html>", { url: "https://example.gov.cn/page" });
  return dom.window;
}

/** A transport double recording what the widget sends; `online` decides whether send succeeds. */
export function fakeTransport() {
  const t = {
    sent: [],
    deliveries: [],
    feedback: [],
    online: true,
    handlers: null,
    resets: 0,
    retries: 0,
    get status() {
      return this.online ? "online" : "offline";
    },
    /** Records the text; [id, onDelivered] in `deliveries`, for the test to acknowledge or not. */
    send(text, id, onDelivered) {
      if (!this.online) return false;
      this.sent.push(text);
      this.deliveries.push([id, onDelivered]);
      return true;
    },
    /** Records [answerId, helpful, onAck]; the test acknowledges by calling onAck. */
    sendFeedback(answerId, helpful, onAck) {
      if (!this.online) return false;
      this.feedback.push([answerId, helpful, onAck]);
      return true;
    },
    retryNow() {
      this.retries += 1;
    },
    resetSession() {
      this.resets += 1;
    },
  };
  t.connect = (handlers) => {
    t.handlers = handlers;
    return t;
  };
  return t;
}

export function key(win, type, init = {}, keyCode) {
  const e = new win.KeyboardEvent(type, { bubbles: true, cancelable: true, ...init });
  if (keyCode !== undefined) Object.defineProperty(e, "keyCode", { value: keyCode });
  return e;
}
