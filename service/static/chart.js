/* The chart: every candidate of a panel's selection, its score (the task's metric) against FPS (log scale), with the limits shaded, the
 * fitted upper bound and the Pareto front (computed), the pick, the selected point, a tooltip and keyboard moves.
 * It draws into a panel (pn): its candidates, its selection and its chart box; a click selects through pn. */
import { $, anchorId, cap, fmtNum, fmtRecMem, h, s } from "./dom.js?v={{version}}";
import { limitLines, state } from "./state.js?v={{version}}";

/** Draw panel pn's chart; `all` are the panels on the page (compared devices share their axes). */
export function drawChart(pn, all) {
  if (!pn.cands || pn.cands.status !== 200) return;
  const data = pn.cands.body;
  const pts = data.points;
  const box = pn.chartBox;
  pn.width = Math.round(box.clientWidth);
  const W = Math.max(300, pn.width || 600);
  const H = Math.round(Math.min(440, Math.max(260, W * 0.58)));
  const m = { l: 46, r: 14, t: 14, b: 40 };
  const limits = limitLines();
  const metric = data.metric; // the label comes with the answer, from the service's task registry
  const caption = h("figcaption", {}, h("h3", {}, cap(metric.label) + " against FPS: every candidate on ", data.query.device));
  if (!pts.length) {
    box.replaceChildren(caption, h("p", { class: "note", "data-testid": "frontier-chart-empty" }, "No candidates in this selection (batch, runtime, precision)."));
    return;
  }
  // compared devices share their axes, so the two charts read against each other
  const shown = all.filter((o) => o.cands && o.cands.status === 200 && o.cands.body.points.length).flatMap((o) => o.cands.body.points);
  const fpsAll = (shown.length ? shown : pts).map((p) => p.fps).filter((v) => v > 0);
  // a limit beyond the points widens the axes so it shows; one below them is simply off the chart
  if (limits.fps && limits.fps > Math.min(...fpsAll)) fpsAll.push(limits.fps);
  let lx0 = Math.log10(Math.min(...fpsAll)), lx1 = Math.log10(Math.max(...fpsAll));
  const padX = Math.max(0.08, (lx1 - lx0) * 0.05); lx0 -= padX; lx1 += padX;
  const tops = (shown.length ? shown : pts).map((p) => p.score);
  if (limits.score != null && limits.score > Math.min(...tops)) tops.push(limits.score);
  let y0 = Math.min(...tops), y1 = Math.max(...tops);
  const padY = Math.max(0.5, (y1 - y0) * 0.05); y0 -= padY; y1 += padY;
  const X = (fps) => m.l + (Math.log10(fps) - lx0) / (lx1 - lx0) * (W - m.l - m.r);
  const Y = (t) => H - m.b - (t - y0) / (y1 - y0) * (H - m.t - m.b);
  const clipId = "clip-" + pn.index;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, "data-testid": "frontier-chart", tabindex: "0", role: "group",
    "data-fps-range": `${Math.pow(10, lx0).toPrecision(6)},${Math.pow(10, lx1).toPrecision(6)}`,
    "aria-label": `Chart of ${pts.length} candidates, ${metric.label} against frames per second (log scale). Arrow keys move between points, Enter or a click selects one; the table below lists the same models.` });
  svg.append(s("defs", {}, s("clipPath", { id: clipId }, s("rect", { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b }))));
  // grid and axes
  const grid = s("g", { class: "grid" }), axis = s("g", { class: "axis" });
  for (const v of logTicks(lx0, lx1)) {
    const x = X(v);
    grid.append(s("line", { x1: x, x2: x, y1: m.t, y2: H - m.b }));
    axis.append(s("text", { x, y: H - m.b + 14, "text-anchor": "middle" }, fmtTick(v)));
  }
  for (const v of linTicks(y0, y1)) {
    const y = Y(v);
    grid.append(s("line", { x1: m.l, x2: W - m.r, y1: y, y2: y }));
    axis.append(s("text", { x: m.l - 5, y: y + 4, "text-anchor": "end" }, String(v)));
  }
  axis.append(s("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b }), s("line", { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b }));
  axis.append(s("text", { class: "title", x: (m.l + W - m.r) / 2, y: H - 6, "text-anchor": "middle" },
    "FPS" + (data.query.batch_size == null ? " (best batch)" : " (batch " + data.query.batch_size + ")") + ", log scale"));
  axis.append(s("text", { class: "title", transform: `translate(15 ${(m.t + H - m.b) / 2}) rotate(-90)`, "text-anchor": "middle", "data-testid": "y-title" }, metric.description));
  svg.append(grid);
  // the limits, shaded where they exclude
  const shades = s("g", { "clip-path": `url(#${clipId})`, "data-testid": "limit-shades" });
  if (limits.fps && X(limits.fps) > m.l) {
    const x = X(limits.fps);
    shades.append(s("rect", { class: "shade", "data-limit": limits.fpsName, x: m.l, y: m.t, width: Math.max(0, x - m.l), height: H - m.t - m.b }));
    shades.append(s("text", { class: "shade-label", x: m.l + 4, y: H - m.b - 6, "text-anchor": "start" },
      limits.fpsName === "min_fps" ? `below ${state.speed} FPS` : `over ${state.speed} ms`));
  }
  if (limits.score != null && Y(limits.score) < H - m.b) {
    const y = Y(limits.score);
    shades.append(s("rect", { class: "shade", "data-limit": "min_score", x: m.l, y, width: W - m.l - m.r, height: Math.max(0, H - m.b - y) }));
    shades.append(s("text", { class: "shade-label", x: W - m.r - 4, y: Math.min(H - m.b - 4, y + 13), "text-anchor": "end" }, `below ${state.min_score}% ${metric.label}`));
  }
  svg.append(shades);
  // the fitted upper bound and the Pareto front (both computed)
  const lines = s("g", { "clip-path": `url(#${clipId})` });
  if (data.bound) {
    const bd = data.bound, n = 48, seg = [];
    for (let i = 0; i <= n; i++) {
      const l = Math.log10(bd.fps_min) + (Math.log10(bd.fps_max) - Math.log10(bd.fps_min)) * i / n;
      const f = Math.pow(10, l);
      const t = bd.a - bd.b * (bd.form === "log" ? l : f); // as modelpick.bounds.UpperBound.predict
      seg.push((i ? "L" : "M") + X(f).toFixed(1) + " " + Y(t).toFixed(1));
    }
    lines.append(s("path", { class: "bound", d: seg.join(" "), "data-testid": "upper-bound" }, s("title", {}, "upper bound (computed): " + bd.equation.replace(/^top1 =/, metric.label + " ="))));
  }
  const front2d = staircase(data.pareto);
  if (front2d.length) {
    const d = front2d.map((p, i) => (i ? "L" : "M") + X(p.fps).toFixed(1) + " " + Y(p.score).toFixed(1)).join(" ");
    lines.append(s("path", { class: "front", d, "data-testid": "pareto-front" }, s("title", {}, "Pareto front (computed)")));
  }
  svg.append(axis, lines);
  // the candidates: blue circles meet the limits, grey diamonds fail one (the shape tells them apart when both are
  // hollow); hollow where a figure is computed
  const layer = s("g", { class: "points" });
  const order = [...pts.keys()].sort((a, b) => (pts[a].rank != null) - (pts[b].rank != null));
  pn.screen = [];
  for (const i of order) {
    const p = pts[i];
    const est = p.memory_estimated || p.latency_estimated;
    const cls = "pt" + (p.rank == null ? " off" : "") + (est ? " est" : "");
    const x = X(p.fps), y = Y(p.score);
    pn.screen.push({ i, x, y });
    layer.append(s(p.rank == null ? "path" : "circle", { class: cls, ...(p.rank == null ? { d: diamond(x, y, 4) } : { cx: x.toFixed(1), cy: y.toFixed(1), r: 3.8 }),
      "data-testid": "chart-point", "data-checkpoint": p.checkpoint, "data-rank": p.rank == null ? "" : p.rank,
      "data-estimated": est ? "true" : "false" }));
  }
  svg.append(layer);
  const frontSet = new Set(data.pareto.map((f) => f.checkpoint));
  const rings = s("g", {});
  for (const f of data.pareto) rings.append(s("circle", { class: "front-pt", cx: X(f.fps).toFixed(1), cy: Y(f.score).toFixed(1), r: 5.5 }));
  svg.append(rings);
  const pick = pts.find((p) => p.rank === 1);
  if (pick) {
    const x = X(pick.fps), y = Y(pick.score);
    svg.append(s("circle", { class: "pick", cx: x.toFixed(1), cy: y.toFixed(1), r: 8, "data-testid": "pick-mark", "data-checkpoint": pick.checkpoint }));
    const right = x < (m.l + W - m.r) / 2;
    const room = right ? W - m.r - x - 12 : x - 12 - m.l;
    svg.append(s("text", { class: "pick-label", x: right ? x + 11 : x - 11, y: Math.max(m.t + 10, y - 10), "text-anchor": right ? "start" : "end" },
      "pick: " + shortName(pick.checkpoint, Math.max(8, Math.floor(room / 7) - 6))));
  }
  const sel = pn.selected && pn.point(pn.selected);
  if (sel) svg.append(s("circle", { class: "sel", cx: X(sel.fps).toFixed(1), cy: Y(sel.score).toFixed(1), r: 11, "data-testid": "selected-mark" }));
  bindChart(pn, svg, pts);
  const legend = h("ul", { class: "legend" },
    legendItem(s("circle", { cx: 11, cy: 6, r: 4, class: "pt" }), "meets the limits"),
    legendItem(s("path", { d: diamond(11, 6, 4.5), class: "pt off" }), "fails a limit (memory too)"),
    legendItem([s("circle", { cx: 6, cy: 6, r: 4, class: "pt est" }), s("path", { d: diamond(17, 6, 4.5), class: "pt off est" })],
      "hollow: a figure is computed (estimated memory or predicted latency)"),
    data.bound ? legendItem(s("line", { x1: 1, x2: 21, y1: 6, y2: 6, stroke: "#7c3aed", "stroke-width": 2, "stroke-dasharray": "5 3" }), "upper bound (computed, " + data.bound.form + " fit)") : null,
    front2d.length ? legendItem(s("line", { x1: 1, x2: 21, y1: 6, y2: 6, stroke: "#15803d", "stroke-width": 2 }), "Pareto front (computed; ringed points)") : null,
    pick ? legendItem(s("circle", { cx: 11, cy: 6, r: 5, fill: "none", stroke: "#c2410c", "stroke-width": 2.5 }), "the pick") : null,
    (limits.fps || limits.score != null) ? legendItem(s("rect", { x: 1, y: 1, width: 20, height: 10, fill: "rgba(185,28,28,.18)" }), "excluded by a limit") : null);
  const note = h("p", { class: "note" }, `${pts.length} candidates (one per checkpoint, ${data.query.batch_size == null ? "its fastest batch" : "batch " + data.query.batch_size}), ${data.n_feasible} meet the limits.`,
    data.bound ? "" : " No upper bound: " + (data.bound_reason || "too few points") + ".",
    state.max_mem_gb ? ` The memory limit (${state.max_mem_gb} GB) is not an axis here: candidates over it are grey.` : "");
  const selBox = sel ? selectedBox(pn, sel, frontSet.has(sel.checkpoint)) : null;
  box.replaceChildren(caption, svg, legend, note, selBox || "");
}

function bindChart(pn, svg, pts) {
  const tip = $("#tooltip");
  const nearest = (evt, radius) => {
    const ctm = svg.getScreenCTM();
    if (!ctm) return null;
    const pt = new DOMPoint(evt.clientX, evt.clientY).matrixTransform(ctm.inverse());
    let best = null, bd = radius * radius;
    for (const q of pn.screen) {
      const d = (q.x - pt.x) ** 2 + (q.y - pt.y) ** 2;
      if (d <= bd) { bd = d; best = q.i; }
    }
    return best;
  };
  const show = (i, clientX, clientY) => {
    const p = pts[i];
    tip.replaceChildren(...describe(pn, p, true));
    tip.hidden = false;
    const r = tip.getBoundingClientRect();
    tip.style.left = Math.min(window.innerWidth - r.width - 8, clientX + 14) + "px";
    tip.style.top = (clientY + 14 + r.height > window.innerHeight ? clientY - r.height - 10 : clientY + 14) + "px";
  };
  svg.addEventListener("pointermove", (e) => {
    const i = nearest(e, 12);
    if (i == null) { tip.hidden = true; svg.style.cursor = ""; return; }
    svg.style.cursor = "pointer";
    show(i, e.clientX, e.clientY);
  });
  svg.addEventListener("pointerleave", () => { tip.hidden = true; });
  svg.addEventListener("click", (e) => {
    const i = nearest(e, 16);
    if (i != null) { tip.hidden = true; pn.select(pts[i].checkpoint); }
  });
  svg.addEventListener("keydown", (e) => {
    if (!["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "Escape"].includes(e.key)) return;
    e.preventDefault();
    if (e.key === "Escape") { pn.selected = null; tip.hidden = true; pn.drawChart(); pn.drawTable(); pn.focusChart(); return; }
    const byFps = e.key === "ArrowRight" || e.key === "ArrowLeft";
    const sorted = [...pts].sort(byFps ? (a, b) => a.fps - b.fps || a.score - b.score : (a, b) => a.score - b.score || a.fps - b.fps);
    let at = sorted.findIndex((p) => p.checkpoint === pn.selected);
    if (at < 0) at = sorted.findIndex((p) => p.rank === 1);
    const step = e.key === "ArrowRight" || e.key === "ArrowUp" ? 1 : -1;
    const next = sorted[Math.max(0, Math.min(sorted.length - 1, at + step))];
    pn.select(next.checkpoint);
    pn.focusChart();
  });
}

export function focusChart(pn) { const svg = $("svg[data-testid=frontier-chart]", pn.chartBox); if (svg) svg.focus(); }

function describe(pn, p, short) {
  const src = (pn.cands && pn.cands.body.sources) || {};
  const title = (sid) => (sid && src[sid] ? src[sid].title : sid || "none");
  const est = [];
  if (p.memory_estimated) est.push(h("span", { class: "badge" }, "computed"), " memory estimated");
  const label = pn.cands ? pn.cands.body.metric.label : "";
  return [
    h("b", {}, p.checkpoint), h("br"),
    `${p.score.toFixed(2)}% ${label} · ${fmtNum(p.fps)} FPS · ${fmtNum(p.latency_ms)} ms${p.latency_estimated ? " (predicted)" : ""} · ${fmtRecMem(p)}`,
    est.length ? h("span", {}, " ", ...est) : null, h("br"),
    `${p.runtime} · ${p.precision} · batch ${p.batch_size} · ${p.rank != null ? "rank " + p.rank : "fails a limit"}`,
    short ? h("br") : null,
    short ? `accuracy: ${title(p.sources.accuracy)}; latency: ${title(p.sources.latency)}` : null,
  ].filter((x) => x != null);
}

function selectedBox(pn, p, onFront) {
  const srcLink = (what, sid) => sid ? h("a", { href: "#" + anchorId(pn.index, sid) }, what + ": " + sid) : h("span", {}, what + ": " + (what === "memory" && p.memory_estimated ? "computed estimate" : "none"));
  return h("div", { class: "selected", "data-testid": "selected-point", "aria-live": "polite" },
    h("h4", {}, "Selected: " + p.checkpoint),
    h("p", {}, ...describe(pn, p, false), onFront ? " · on the Pareto front" : ""),
    h("p", {}, "Sources: ", srcLink("accuracy", p.sources.accuracy), " · ", srcLink("latency", p.sources.latency), " · ", srcLink("memory", p.sources.memory)));
}


// ------------------------------------------------------------------ chart helpers
function legendItem(mark, text) { return h("li", {}, s("svg", { viewBox: "0 0 22 12", "aria-hidden": "true", class: "chart-mark" }, ...[mark].flat()), " ", text); }
function diamond(x, y, r) { return `M${x.toFixed(1)} ${(y - r).toFixed(1)}l${r} ${r}l${-r} ${r}l${-r} ${-r}z`; }
function shortName(ck, max) { const t = ck.replace(/^[^/]+\//, ""); return t.length > max ? t.slice(0, max - 1) + "…" : t; }
function logTicks(l0, l1) {
  const out = [];
  const steps = l1 - l0 < 1.6 ? [1, 2, 5] : [1];
  for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) for (const k of steps) {
    const v = k * Math.pow(10, e);
    if (Math.log10(v) >= l0 && Math.log10(v) <= l1) out.push(v);
  }
  return out;
}
function fmtTick(v) { return v >= 1e6 ? v / 1e6 + "M" : v >= 1e3 ? v / 1e3 + "k" : String(+v.toPrecision(3)); }
function linTicks(a, b) {
  const span = b - a, raw = span / 6, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((st) => span / st <= 7);
  const out = [];
  for (let v = Math.ceil(a / step) * step; v <= b + 1e-9; v += step) out.push(+v.toFixed(6));
  return out;
}
/** The front's score / FPS staircase: the points no other front point beats on both axes, by FPS. */
function staircase(front) {
  const byFps = [...front].sort((a, b) => b.fps - a.fps || b.score - a.score);
  const out = [];
  let best = -Infinity;
  for (const p of byFps) if (p.score > best) { out.push(p); best = p.score; }
  return out.reverse();
}

