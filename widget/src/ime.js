// Enter-to-send that respects input methods (拼音, 五笔…): Enter while a composition is
// active confirms the candidate and must never send.

/** Tracks composition state from compositionstart / compositionend events. */
export function createImeGuard() {
  let composing = false;
  return {
    start() {
      composing = true;
    },
    end() {
      composing = false;
    },
    get composing() {
      return composing;
    },
    /** True when this keydown should send the message. */
    shouldSend(event) {
      if (!event || event.key !== "Enter") return false;
      if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return false;
      // isComposing: the standard flag; keyCode 229: Safari and older IMEs; own flag: between
      // compositionstart and compositionend.
      if (event.isComposing || event.keyCode === 229 || composing) return false;
      return true;
    },
  };
}
