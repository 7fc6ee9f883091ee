// The conversation kept in the browser: the session id (so Rasa continues the same tracker after a
// reload or reconnect), the displayed history (Rasa does not replay it to socket.io clients),
// bounded and keyed by session id, the unsent draft of the input (also keyed by session id) and
// the number of unread answers. Works with any Storage-like object; falls back to memory.

export const HISTORY_LIMIT = 100;

function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
  };
}

/** A random 32-hex session id (works outside secure contexts too). */
export function newSessionId(cryptoObj = globalThis.crypto) {
  const bytes = new Uint8Array(16);
  if (cryptoObj && cryptoObj.getRandomValues) cryptoObj.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let counter = 0;
/**
 * A local message id, also sent with a user message so that the server can tell a resend from a
 * new message: time, a per-page counter and randomness (two tabs of one conversation never clash).
 */
export function messageId() {
  counter += 1;
  return `m${Date.now().toString(36)}${counter.toString(36)}${newSessionId().slice(0, 8)}`;
}

export class SessionStore {
  constructor(storage, prefix = "zhicheng-chat", limit = HISTORY_LIMIT) {
    this.storage = storage || memoryStorage();
    this.prefix = prefix;
    this.limit = limit;
    try {
      const probe = `${prefix}:probe`;
      this.storage.setItem(probe, "1");
      this.storage.removeItem(probe);
    } catch {
      this.storage = memoryStorage();
    }
  }

  get sessionKey() {
    return `${this.prefix}:session`;
  }

  historyKey(id = this.sessionId()) {
    return `${this.prefix}:history:${id}`;
  }

  draftKey(id = this.sessionId()) {
    return `${this.prefix}:draft:${id}`;
  }

  get unreadKey() {
    return `${this.prefix}:unread`;
  }

  /** The kept session id, created on first use. */
  sessionId() {
    let id = this._get(this.sessionKey);
    if (!id || !/^[A-Za-z0-9_-]{8,128}$/.test(id)) {
      id = newSessionId();
      this._set(this.sessionKey, id);
    }
    return id;
  }

  /** Forget the current conversation (history and draft) and start a new session id. */
  restart() {
    this._remove(this.historyKey());
    this._remove(this.draftKey());
    const id = newSessionId();
    this._set(this.sessionKey, id);
    return id;
  }

  history() {
    try {
      const list = JSON.parse(this._get(this.historyKey()) || "[]");
      return Array.isArray(list) ? list.filter((m) => m && typeof m === "object") : [];
    } catch {
      return [];
    }
  }

  /** Append a message, dropping the oldest beyond the limit. */
  append(message) {
    const list = this.history();
    list.push(message);
    this._save(list.slice(-this.limit));
    return message;
  }

  /** Change fields of a stored message by id. */
  update(id, fields) {
    const list = this.history();
    const m = list.find((x) => x.id === id);
    if (m) {
      Object.assign(m, fields);
      this._save(list);
    }
    return m;
  }

  /** User messages that were not delivered yet, oldest first. */
  pending() {
    return this.history().filter((m) => m.from === "user" && m.status === "pending");
  }

  /**
   * Messages left "sending" (handed to a connection, never acknowledged: the page was closed or
   * reloaded meanwhile) become pending again, to be sent once more; the server drops a copy it
   * already took (same message id).
   */
  requeueSending() {
    const list = this.history();
    const stale = list.filter((m) => m.from === "user" && m.status === "sending");
    if (!stale.length) return;
    for (const m of stale) m.status = "pending";
    this._save(list);
  }

  /** The input's unsent text of this conversation ("" when none). */
  draft() {
    return this._get(this.draftKey()) || "";
  }

  /** Keep the input's text (an empty text removes the draft). */
  saveDraft(text) {
    if (text) this._set(this.draftKey(), text);
    else this._remove(this.draftKey());
  }

  /** How many answers arrived while the panel was closed. */
  unread() {
    const n = Number.parseInt(this._get(this.unreadKey) || "0", 10);
    return Number.isFinite(n) && n > 0 ? n : 0;
  }

  setUnread(n) {
    if (n > 0) this._set(this.unreadKey, String(n));
    else this._remove(this.unreadKey);
  }

  _save(list) {
    this._set(this.historyKey(), JSON.stringify(list));
  }

  _get(k) {
    try {
      return this.storage.getItem(k);
    } catch {
      return null;
    }
  }

  _set(k, v) {
    try {
      this.storage.setItem(k, v);
    } catch {
      /* storage full or blocked: the conversation still works, it just is not kept */
    }
  }

  _remove(k) {
    try {
      this.storage.removeItem(k);
    } catch {
      /* ignore */
    }
  }
}
