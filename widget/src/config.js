// Widget configuration from the embedding <script> tag's data attributes and/or
// window.ZhichengChat = {...} (the object wins where both are given).

import { themeColor } from "./color.js";

export const DEFAULTS = Object.freeze({
  title: "职称评审助手",
  greeting:
    "您好！我是职称评审助手，可以为您解答工程系列职称的申报条件、时间、费用和材料，也可以帮您初步评估能否申报。请问有什么可以帮您？",
  color: "#1f4e8c",
  maxLength: 500,
  socketPath: "/socket.io",
  storageKey: "zhicheng-chat",
  open: false,
  humanPayload: "/ask_human",
});

function toBool(v) {
  return v === true || v === "true" || v === "1" || v === "";
}

/** Merge data attributes (`dataset`) and a config object into a complete configuration. */
export function readConfig({ dataset = {}, scriptSrc = "", pageOrigin = "", overrides = {} } = {}) {
  const raw = { ...pickData(dataset), ...(overrides || {}) };
  let scriptBase = "";
  let scriptOrigin = "";
  try {
    const u = new URL(scriptSrc);
    scriptOrigin = u.origin;
    scriptBase = new URL(".", u).href;
  } catch {
    /* inline or unknown script: fall back to the page */
  }
  const server = String(raw.server || scriptOrigin || pageOrigin || "").replace(/\/+$/, "");
  const maxLength = Number.parseInt(raw.maxLength, 10);
  return {
    server,
    title: String(raw.title || DEFAULTS.title),
    greeting: String(raw.greeting ?? DEFAULTS.greeting),
    color: themeColor(raw.color, DEFAULTS.color),
    maxLength: Number.isFinite(maxLength) && maxLength > 0 && maxLength <= 5000 ? maxLength : DEFAULTS.maxLength,
    socketPath: String(raw.socketPath || DEFAULTS.socketPath),
    storageKey: String(raw.storageKey || DEFAULTS.storageKey),
    open: toBool(raw.open ?? DEFAULTS.open),
    humanPayload: String(raw.humanPayload || DEFAULTS.humanPayload),
    css: String(raw.css || (scriptBase ? scriptBase + "widget.css" : server + "/webchat/widget.css")),
    transports: Array.isArray(raw.transports) ? raw.transports : ["websocket", "polling"],
  };
}

function pickData(ds) {
  const out = {};
  for (const k of ["server", "title", "greeting", "color", "maxLength", "socketPath", "storageKey", "open", "css"]) {
    if (ds[k] !== undefined) out[k] = ds[k];
  }
  return out;
}
