/* The answer card (the pick, every number linked to its source, computed figures badged) and the error box
 * (a problem document, with its close matches as buttons). */
import { anchorId, badge, breakable, cap, fmtMem, fmtNum, fmtRecMem, h } from "./dom.js?v={{version}}";
import { useMatch } from "./form.js?v={{version}}";
import { state } from "./state.js?v={{version}}";

/** The card for the answer `b` (a /recommend body's best) in panel `p`; `metric` names what its score measures. */
export function answerCard(b, p, metric) {
  const src = b.sources;
  const link = (sid, text, testid, value) => h("dd", { "data-testid": testid, "data-value": value },
    sid ? h("a", { href: "#" + anchorId(p, sid), title: "source: " + sid }, text) : text);
  const memDd = h("dd", { "data-testid": "memory", "data-value": b.memory_mb == null ? "" : b.memory_mb },
    src.memory ? h("a", { href: "#" + anchorId(p, src.memory), title: "source: " + src.memory }, fmtRecMem(b))
      : h("a", { href: "#method-" + p, title: b.memory_method }, fmtRecMem(b)),
    b.memory_estimated ? badge("memory is estimated" + (b.memory_high_mb != null
      ? ` (${fmtMem(b.memory_low_mb)}–${fmtMem(b.memory_high_mb)})` : "") + ": " + b.memory_method) : null);
  const fpsDd = link(src.latency, fmtNum(b.fps), "fps", b.fps);
  const latDd = link(src.latency, fmtNum(b.latency_ms) + " ms", "latency", b.latency_ms);
  if (b.latency_estimated) {
    const why = "latency is predicted, not measured" + (b.latency_low_ms != null ? ` (${fmtNum(b.latency_low_ms)}–${fmtNum(b.latency_high_ms)} ms)` : "");
    fpsDd.append(badge(why)); latDd.append(badge(why));
  }
  return h("article", { class: "card", "data-testid": "answer-card" },
    h("p", { class: "label" }, state.objective === "top1" ? "Most accurate that fits" : state.objective === "fps" ? "Fastest that fits" : "Smallest that fits"),
    h("h3", { "data-testid": "best-checkpoint" }, breakable(b.checkpoint)),
    h("p", { class: "arch" }, "architecture " + b.architecture + " · input " + b.input_size + " px" + (b.params_m != null ? " · " + fmtNum(b.params_m) + " M params" : "")),
    h("dl", { class: "metrics" },
      // a label with capitals (mAP50-95) is case-sensitive: the dt capitals would make it MAP50-95
      h("div", {}, h("dt", { title: metric.description, class: /[A-Z]/.test(metric.label) ? "case" : null }, cap(metric.label)), link(src.accuracy, b.score.toFixed(2) + "%", "score", b.score)),
      h("div", {}, h("dt", {}, "FPS"), fpsDd),
      h("div", {}, h("dt", {}, "Latency"), latDd),
      h("div", {}, h("dt", {}, "Memory"), memDd),
      h("div", {}, h("dt", {}, "Runtime"), h("dd", { "data-testid": "runtime-value" }, b.runtime)),
      h("div", {}, h("dt", {}, "Precision"), h("dd", { "data-testid": "precision-value" }, b.precision)),
      h("div", {}, h("dt", {}, "Batch"), h("dd", { "data-testid": "batch-value" }, String(b.batch_size)))),
    h("ul", { class: "why", "data-testid": "why" }, b.why.map((w) => h("li", {}, w))),
    h("p", { class: "method", id: "method-" + p }, "Memory: " + b.memory_method + (b.memory_estimated ? " (computed)." : ".")));
}

/** A problem document in panel `panel`: its title, detail and close matches (a click uses one). */
export function problemBox(pb, panel) {
  const errs = (pb && pb.errors) || [];
  const fixes = [];
  for (const e of errs) {
    for (const m of (e.close_matches || []).slice(0, 4)) {
      fixes.push(h("button", { type: "button", "data-testid": "close-match", onclick: () => useMatch(panel, e.param, m) }, e.param + " = " + m));
    }
  }
  return h("div", { class: "problem", "data-testid": "error", role: "alert" },
    h("h3", {}, (pb && pb.title) || "Error"), h("p", {}, (pb && pb.detail) || "The service did not answer."),
    fixes.length ? h("div", { class: "relax" }, h("span", {}, "Did you mean: "), fixes) : null);
}
