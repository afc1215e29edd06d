/* The alternatives table: the candidates that meet the limits, one row per architecture or per checkpoint,
 * sortable by column (the sort is in the URL), with a CSV export of what it lists. */
import { $, breakable, cap, csvCell, fmtNum, h } from "./dom.js?v={{version}}";
import { state, writeURL } from "./state.js?v={{version}}";

const SHOW_ROWS = 20;
// a narrow table (compare view) folds latency under FPS and the batch into the runtime cell; a narrower one (phone)
// folds the runtime under the checkpoint too (explorer.css)
const COLUMNS = [
  { key: "rank", label: "Rank", num: true, get: (p) => p.listed },
  { key: "checkpoint", label: "Checkpoint", get: (p) => p.checkpoint },
  { key: "score", label: (m) => [h("span", { class: "nobr" }, cap(m.label)), " %"], num: true, get: (p) => p.score, fmt: (p) => p.score.toFixed(2) },
  { key: "fps", label: "FPS", num: true, get: (p) => p.fps, fmt: (p) => [fmtNum(p.fps) + (p.latency_estimated ? "*" : ""),
    h("span", { class: "fold" }, fmtNum(p.latency_ms) + " ms")] },
  { key: "latency_ms", label: "Latency ms", num: true, get: (p) => p.latency_ms, fmt: (p) => fmtNum(p.latency_ms) + (p.latency_estimated ? "*" : "") },
  { key: "memory_mb", label: "Memory MB", num: true, get: (p) => p.memory_mb,
    fmt: (p) => (p.memory_mb == null ? (p.memory_high_mb != null ? "≤" + Math.round(p.memory_high_mb) : "unknown")
      : Math.round(p.memory_mb).toString() + (p.memory_estimated ? "*" : "")) },
  { key: "runtime", label: "Runtime", get: (p) => p.runtime + " " + p.precision,
    fmt: (p) => [p.runtime + " · " + p.precision, h("span", { class: "fold" }, "batch " + p.batch_size)] },
  { key: "batch_size", label: "Batch", num: true, get: (p) => p.batch_size },
];

/** The sort column and direction; links from before the task switch sort by "top1", now the score column. */
function sortOf() {
  const [key, dir] = (state.sort || "rank-asc").split("-");
  return [key === "top1" ? "score" : key, dir];
}

/** The rows the table lists, in its sort order (architecture rows carry how many checkpoints they stand for).
 * `listed` is a row's rank among the rows listed (an architecture row's own checkpoint rank skips its siblings). */
function tableRows(pn) {
  if (!pn.cands || pn.cands.status !== 200) return [];
  let rows = pn.cands.body.points.filter((p) => p.rank != null).sort((a, b) => a.rank - b.rank);
  if (state.rows === "architecture") {
    const seen = new Map();
    for (const p of rows) {
      const have = seen.get(p.architecture);
      if (have) have.n += 1; else seen.set(p.architecture, { ...p, n: 1 });
    }
    rows = [...seen.values()];
  }
  rows = rows.map((p, i) => ({ ...p, listed: i + 1 }));
  const [key, dir] = sortOf();
  const col = COLUMNS.find((c) => c.key === key) || COLUMNS[0];
  const sign = dir === "desc" ? -1 : 1;
  return rows.slice().sort((a, b) => {
    const x = col.get(a), y = col.get(b);
    if (x == null && y == null) return a.rank - b.rank;
    if (x == null) return 1;
    if (y == null) return -1;
    return (col.num ? x - y : String(x).localeCompare(String(y))) * sign || a.rank - b.rank;
  });
}

/** Draw panel pn's alternatives; `all` are the panels on the page (the rows toggle applies to each). */
export function drawTable(pn, all) {
  if (!pn.cands || pn.cands.status !== 200) return;
  const rows = tableRows(pn);
  const [key, dir] = sortOf();
  const metric = pn.cands.body.metric;
  const perArch = state.rows === "architecture";
  const rankTitle = perArch ? "rank among the architectures listed, each by its best checkpoint" : "rank among the checkpoints";
  const head = h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col", class: "c-" + c.key, title: c.key === "rank" ? rankTitle : null,
    "aria-sort": c.key === key ? (dir === "desc" ? "descending" : "ascending") : null },
    h("button", { type: "button", "data-sort": c.key, onclick: () => {
      const nextDir = c.key === key ? (dir === "desc" ? "asc" : "desc") : (c.num && c.key !== "rank" && c.key !== "latency_ms" && c.key !== "memory_mb" ? "desc" : "asc");
      state.sort = c.key === "rank" && nextDir === "asc" ? "" : c.key + "-" + nextDir;
      writeURL(); pn.drawTable();
      const again = $(`th button[data-sort="${c.key}"]`, pn.altBox); if (again) again.focus();
    } }, typeof c.label === "function" ? c.label(metric) : c.label))));
  const shown = pn.showAll ? rows : rows.slice(0, SHOW_ROWS);
  const body = shown.map((p) => h("tr", { class: p.checkpoint === pn.selected ? "is-selected" : null, "data-checkpoint": p.checkpoint },
    COLUMNS.map((c) => c.key === "checkpoint"
      ? h("td", { class: "c-checkpoint" }, h("button", { type: "button", title: "show on the chart", onclick: () => { pn.select(p.checkpoint); pn.focusChart(); } }, breakable(p.checkpoint)),
        perArch && p.n > 1 ? h("span", { class: "opt" }, ` (+${p.n - 1} more of ${p.architecture})`) : null,
        h("span", { class: "fold-rt" }, `${p.runtime} · ${p.precision} · batch ${p.batch_size}`))
      : h("td", { class: "c-" + c.key }, c.fmt ? c.fmt(p) : String(c.get(p))))));
  const toggle = h("label", { class: "check" }, h("input", { type: "checkbox", "data-testid": "rows-per-checkpoint", checked: !perArch,
    onchange: (e) => { state.rows = e.target.checked ? "checkpoint" : "architecture"; writeURL(); for (const o of all) o.drawTable(); } }), "one row per checkpoint");
  const csv = h("button", { type: "button", "data-testid": "export-csv", onclick: () => exportCsv(pn) }, "Export CSV");
  const total = rows.length;
  pn.altBox.replaceChildren(
    h("h3", {}, `Alternatives: ${total} ${perArch ? "architectures" : "checkpoints"} meet the limits`,
      perArch ? h("span", { class: "opt" }, " (ranked among the architectures)") : ""),
    h("div", { class: "toolbar" }, toggle, csv, h("span", { class: "opt" }, "* computed figure")),
    total ? h("div", { class: "tablewrap" }, h("table", { "data-testid": "alternatives" }, h("caption", { class: "skip" }, "Alternatives, sortable by column"), h("thead", {}, head), h("tbody", {}, body))) : h("p", {}, "None: see what to relax above."),
    total > SHOW_ROWS ? h("p", { class: "more" }, h("button", { type: "button", onclick: () => { pn.showAll = !pn.showAll; pn.drawTable(); } },
      pn.showAll ? "Show the first " + SHOW_ROWS : "Show all " + total)) : "");
}

function exportCsv(pn) {
  const cols = ["rank", "checkpoint", "architecture", "device", "runtime", "precision", "batch_size", "input_size", "metric", "score", "top1", "fps",
    "latency_ms", "latency_estimated", "memory_mb", "memory_estimated", "params_m", "accuracy_source", "latency_source", "memory_source"];
  const device = pn.cands.body.query.device;
  const lines = [cols.join(",")].concat(tableRows(pn).map((p) => cols.map((c) => csvCell(
    c === "device" ? device : c === "rank" ? p.listed : c === "metric" ? pn.cands.body.metric.id : c.endsWith("_source") ? p.sources[c.replace("_source", "")] : p[c])).join(",")));
  const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv" });
  const a = h("a", { href: URL.createObjectURL(blob), download: `modelpick-${device}-alternatives.csv` });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

