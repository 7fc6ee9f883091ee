// Colour helpers: choose header text that stays readable (WCAG contrast ≥ 4.5:1) on any theme colour.

/** Parse #rgb or #rrggbb into [r, g, b] (0–255), or null. */
export function parseHex(hex) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex || "").trim());
  if (!m) return null;
  let h = m[1];
  if (h.length === 3) h = h.split("").map((c) => c + c).join("");
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

function luminance([r, g, b]) {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two #hex colours. */
export function contrastRatio(a, b) {
  const la = luminance(parseHex(a));
  const lb = luminance(parseHex(b));
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** White or near-black text, whichever contrasts more with `bg`. */
export function textColorFor(bg) {
  return contrastRatio(bg, "#ffffff") >= contrastRatio(bg, "#1a1a1a") ? "#ffffff" : "#1a1a1a";
}

/** The theme colour if it is a valid hex colour, else the default. */
export function themeColor(value, fallback = "#1f4e8c") {
  return parseHex(value) ? String(value).trim() : fallback;
}
