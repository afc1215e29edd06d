/* DOM and number helpers shared by every module of the explorer: element builders, formatting, names. */
const SVG = "http://www.w3.org/2000/svg";

export const $ = (sel, root) => (root || document).querySelector(sel);

/** An HTML element: `text` sets its text, `on…` adds a listener, true/false/null attributes are set or left out. */
export function h(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) if (kid != null && kid !== false) node.append(kid instanceof Node ? kid : String(kid));
  return node;
}

/** An SVG element. */
export function s(tag, attrs, ...kids) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) node.setAttribute(k, v);
  for (const kid of kids) if (kid != null) node.append(kid instanceof Node ? kid : String(kid));
  return node;
}

export function fmtNum(v) {
  if (v == null || !isFinite(v)) return "?";
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

export function fmtMem(mb) {
  if (mb == null) return "unknown";
  return mb >= 1024 ? (mb / 1024).toFixed(2) + " GB" : Math.round(mb) + " MB";
}

/** A candidate's memory: a run that fit in its device with no figure left says so, never the device's memory as
 * the model's (issue 21). */
export function fmtRecMem(p) {
  return p.memory_mb == null && p.memory_high_mb != null ? "fits in " + fmtMem(p.memory_high_mb) + ", need unknown"
    : fmtMem(p.memory_mb);
}

/** A checkpoint name that wraps only after its separators ("timm/" "resnet50." "a1_" "in1k:" "224"), never inside a
 * token: text pieces with <wbr> between them. */
export function breakable(name) {
  return String(name).split(/(?<=[/._:-])/).flatMap((part, i) => (i ? [document.createElement("wbr"), part] : [part]));
}

/** A device name as the suggestions compare it. */
export const norm = (name) => String(name).trim().toLowerCase().replace(/[\s_]+/g, "-");

/** The element id of a source's entry in a panel's source list (the target of a number's link). */
export const anchorId = (panel, sid) => "src-" + panel + "-" + String(sid).replace(/[^A-Za-z0-9_-]/g, "_");

export function badge(title, testid) {
  return h("span", { class: "badge", title, "data-testid": testid || "computed-badge" }, "computed");
}

/** One CSV cell. Text that a spreadsheet would run as a formula (it starts with = + - @, a tab or a CR) gets a
 * leading ' and quotes, as OWASP's CSV Injection page recommends (modelpick/_csvcells.py does the same);
 * numbers stay numbers. */
export function csvCell(v) {
  if (v == null) return "";
  const t = String(v);
  if (typeof v !== "string") return t;
  if (/^[=+\-@\t\r]/.test(t)) return "\"'" + t.replace(/"/g, '""') + '"';
  return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
}

export function debounce(fn, ms) {
  let t = 0;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

/** A metric label at the start of a sentence: "top-1" -> "Top-1"; one in capitals already ("mAP50-95") stays. */
export const cap = (label) => (/^[a-z][^A-Z]/.test(label) ? label[0].toUpperCase() + label.slice(1) : label);
