// Rasa's socket.io protocol: on every (re)connect ask for our kept session id
// (`session_request`), wait for `session_confirm`, then send `user_uttered` {message, session_id,
// message_id} and receive `bot_uttered`. Websocket first; long-polling when websockets fail or are
// blocked.
//
// Delivery: a socket can look connected while its connection is already dead (the server was
// killed, a proxy or NAT dropped it; socket.io notices only at the next missed heartbeat, up to
// 45 s later), and whatever is emitted then is lost. So every user message asks for an
// acknowledgement (bot/plugins/channels/webchat.py answers as soon as it has taken the message, before the
// turn runs). Without one within DELIVERY_ACK_MS the message counts as not delivered and the
// connection as dead: it is closed, socket.io reconnects, and the widget sends the message again
// after the next session_confirm. The server ignores a second copy with the same message_id, so
// a lost acknowledgement never makes a message count twice.

export const EVENTS = Object.freeze({
  user: "user_uttered",
  bot: "bot_uttered",
  request: "session_request",
  confirm: "session_confirm",
  feedback: "feedback",
});

export const FEEDBACK_ACK_MS = 10000;
export const DELIVERY_ACK_MS = 10000;

/**
 * @param {object} o
 * @param {Function} o.io            socket.io-client's `io`
 * @param {object} o.config          server, socketPath, transports
 * @param {() => string} o.sessionId the session id to resume
 * @param {(payload: object) => void} o.onMessage
 * @param {(status: "connecting"|"online"|"offline") => void} o.onStatus
 * @param {() => void} o.onReady     called after each session_confirm
 */
export function createTransport({ io, config, sessionId, onMessage, onStatus, onReady }) {
  let status = "connecting";
  const set = (s) => {
    if (s !== status) {
      status = s;
      onStatus(s);
    }
  };
  const socket = io(config.server, {
    path: config.socketPath,
    transports: config.transports,
    tryAllTransports: true,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
    timeout: 8000,
    autoConnect: true,
  });
  socket.on("connect", () => {
    set("connecting");
    socket.emit(EVENTS.request, { session_id: sessionId() });
  });
  socket.on(EVENTS.confirm, () => {
    set("online");
    onReady();
  });
  socket.on(EVENTS.bot, (payload) => onMessage(payload));
  socket.on("disconnect", () => set("offline"));
  socket.on("connect_error", () => {
    set("offline");
    // Some proxies accept the websocket upgrade and then drop it (no error to fall back on):
    // from now on connect by long-polling and upgrade to websocket only where that works.
    if (socket.io && socket.io.opts && socket.io.opts.transports[0] !== "polling") {
      socket.io.opts.transports = ["polling", ...socket.io.opts.transports.filter((t) => t !== "polling")];
    }
  });

  /** The connection looks open but carries nothing: close it; socket.io reconnects on its own. */
  function dropConnection() {
    set("offline");
    const engine = socket.io && socket.io.engine;
    if (engine && typeof engine.close === "function") engine.close();
    else {
      socket.disconnect();
      socket.connect();
    }
  }

  return {
    get status() {
      return status;
    },
    get transport() {
      return socket.io && socket.io.engine && socket.io.engine.transport ? socket.io.engine.transport.name : "";
    },
    /**
     * Emit a message now; false when not connected (the caller keeps it pending). Otherwise
     * `onDelivered(true)` once the server acknowledges it, or `onDelivered(false)` when it did not
     * within DELIVERY_ACK_MS or the connection closed first (then the connection is dropped and
     * reopened, and the caller sends it again after the next `onReady`).
     */
    send(text, id, onDelivered = () => {}) {
      if (status !== "online" || !socket.connected) return false;
      const data = { message: text, session_id: sessionId() };
      if (id) data.message_id = id;
      socket.timeout(DELIVERY_ACK_MS).emit(EVENTS.user, data, (err) => {
        if (!err) {
          onDelivered(true);
          return;
        }
        onDelivered(false);
        if (socket.connected) dropConnection();
      });
      return true;
    },
    /**
     * Rate an answer (not a chat message: the conversation is not disturbed). `onAck({ok, error})`
     * gets the server's answer, or {ok: false, error: "timeout"}. False when not connected.
     */
    sendFeedback(answerId, helpful, onAck = () => {}) {
      if (status !== "online" || !socket.connected) return false;
      const data = { session_id: sessionId(), answer_id: answerId, helpful: Boolean(helpful) };
      socket.timeout(FEEDBACK_ACK_MS).emit(EVENTS.feedback, data, (err, reply) => {
        onAck(err ? { ok: false, error: "timeout" } : reply && typeof reply === "object" ? reply : { ok: false });
      });
      return true;
    },
    /** Try to connect now instead of waiting for the next automatic attempt. */
    retryNow() {
      if (!socket.connected) socket.connect();
    },
    /** Reconnect so the socket leaves the old session's room and joins the new one. */
    resetSession() {
      set("connecting");
      socket.disconnect();
      socket.connect();
    },
    close() {
      socket.disconnect();
    },
  };
}
