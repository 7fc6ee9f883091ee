// Entry point of widget.js: read the embedding script tag / window.ZhichengChat, then mount.

import { io } from "socket.io-client";
import { readConfig } from "./config.js";
import { SessionStore } from "./store.js";
import { createTransport } from "./transport.js";
import { createWidget } from "./widget.js";

function boot(script) {
  const w = window;
  const existing = w.ZhichengChat;
  if (existing && existing.instance) return;
  const overrides = existing && typeof existing === "object" ? existing : {};
  const config = readConfig({
    dataset: script ? script.dataset : {},
    scriptSrc: script ? script.src : "",
    pageOrigin: w.location.origin,
    overrides,
  });
  let storage = null;
  try {
    storage = w.localStorage;
  } catch {
    storage = null;
  }
  const store = new SessionStore(storage, config.storageKey);
  const instance = createWidget({
    doc: document,
    container: document.body,
    config,
    store,
    connect: (handlers) => createTransport({ io, config, ...handlers }),
  });
  w.ZhichengChat = Object.assign(overrides, { instance, config });
}

const current = document.currentScript;
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => boot(current));
} else {
  boot(current);
}
