// Pure text helpers: link and phone number detection, URL safety, input limit, counter, time format.

// A URL ends at whitespace, quotes, angle brackets or Chinese punctuation.
const URL_RE = /https?:\/\/[^\s<>"'“”‘’，。；：、！？（）【】《》「」]+/gi;
const TRAILING = /[.,;:!?)\]]+$/;

/** True only for absolute http/https URLs (no javascript:, data:, relative…). */
export function isSafeUrl(url) {
  if (typeof url !== "string" || !url) return false;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * Split text into segments [{type: "text", text}] and [{type: "link", text, href}].
 * Only http/https URLs become links; everything else stays plain text.
 */
export function splitLinks(text) {
  const source = text == null ? "" : String(text);
  const out = [];
  let last = 0;
  for (const m of source.matchAll(URL_RE)) {
    let url = m[0];
    const trail = url.match(TRAILING);
    if (trail) url = url.slice(0, url.length - trail[0].length);
    if (!isSafeUrl(url)) continue;
    if (m.index > last) out.push({ type: "text", text: source.slice(last, m.index) });
    out.push({ type: "link", text: url, href: url });
    last = m.index + url.length;
  }
  if (last < source.length) out.push({ type: "text", text: source.slice(last) });
  return out;
}

// A phone number as the notices write it: a landline with its area code (0835-2222222,
// 023-63899976; ASCII or full-width hyphen) or an 11-digit mobile (15923960007). Never part of a
// longer number or word: the character before is checked by hand (no lookbehind: Safari 13).
const PHONE_RE = /(?:0\d{2,3}[-‐‑–－]\d{7,8}|1[3-9]\d{9})(?![0-9A-Za-z])/g;
const PHONE_BEFORE = /[0-9A-Za-z_\-‐‑–－]/;

/**
 * Split plain text into [{type: "text", text}] and [{type: "tel", text, href}] segments; `href` is
 * `tel:` and the number's digits only, whatever the text around it.
 */
export function splitPhones(text) {
  const source = text == null ? "" : String(text);
  const out = [];
  let last = 0;
  for (const m of source.matchAll(PHONE_RE)) {
    if (m.index > 0 && PHONE_BEFORE.test(source[m.index - 1])) continue;
    if (m.index > last) out.push({ type: "text", text: source.slice(last, m.index) });
    out.push({ type: "tel", text: m[0], href: "tel:" + m[0].replace(/\D/g, "") });
    last = m.index + m[0].length;
  }
  if (last < source.length) out.push({ type: "text", text: source.slice(last) });
  return out;
}

/** splitLinks, then phone numbers in the text between the links. */
export function splitRichText(text) {
  const out = [];
  for (const seg of splitLinks(text)) {
    if (seg.type !== "text") out.push(seg);
    else out.push(...splitPhones(seg.text));
  }
  return out;
}

/** Characters as a person counts them (an emoji or a CJK extension character is one). */
export function charCount(text) {
  return Array.from(text || "").length;
}

/** Cut text to at most `max` characters; `cut` says whether anything was removed. */
export function clampInput(text, max) {
  const chars = Array.from(text || "");
  if (chars.length <= max) return { text: text || "", cut: false };
  return { text: chars.slice(0, max).join(""), cut: true };
}

/** "123/500" and whether the counter should warn (within 10% of the limit). */
export function counter(text, max) {
  const n = charCount(text);
  return { label: `${n}/${max}`, warn: n >= Math.floor(max * 0.9), full: n >= max };
}

/** HH:MM for today, M月D日 HH:MM otherwise (local time). */
export function formatTime(ts, now = Date.now()) {
  const d = new Date(ts);
  const n = new Date(now);
  const hm = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  return sameDay ? hm : `${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
}
