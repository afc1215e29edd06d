/* The diagnosis when nothing fits: what binds, the service's relaxations and the page's own (batch, runtime,
 * precision, estimated memory) as one-click buttons, and the nearest candidates. */
import { fmtMem, fmtNum, h } from "./dom.js?v={{version}}";
import { relax } from "./form.js?v={{version}}";
import { state } from "./state.js?v={{version}}";

const NAMES = { min_fps: "minimum FPS", max_latency_ms: "maximum latency", max_mem_gb: "memory limit", min_top1: "minimum top-1",
  min_score: "minimum score", max_params_m: "parameter limit", selection: "selection (batch, runtime or precision)", strict: "measured-memory-only setting" };

const relaxButton = (constraint, value, text) => h("button", { type: "button", "data-testid": "relaxation", "data-constraint": constraint,
  "data-value": value, onclick: () => relax(constraint, value == null ? false : value) }, text);

/** The no-feasible-model problem document `pb` as the page shows it; `metric` names what the scores measure. */
export function diagnosis(pb, metric) {
  const dg = pb.diagnosis || {};
  const name = (c) => (c === "min_score" ? "minimum " + metric.label : NAMES[c] || c);
  const buttons = (dg.suggestions || []).map((sg) => h("button", {
    type: "button", "data-testid": "relaxation", "data-constraint": sg.constraint, "data-value": sg.value,
    onclick: () => relax(sg.constraint, sg.value),
  }, sg.text));
  const binding = dg.binding || [];
  const av = dg.available;
  if (binding.includes("selection") && av) {
    if (state.batch !== "best" && av.batch_sizes && av.batch_sizes.length && !av.batch_sizes.includes(Number(state.batch)))
      buttons.push(relaxButton("batch_size", "best", "use the best measured batch (" + av.batch_sizes.join(", ") + ")"));
    if (state.runtime) buttons.push(relaxButton("runtime", "", "any runtime (" + av.runtimes.join(", ") + ")"));
    if (state.precision) buttons.push(relaxButton("precision", "", "any precision (" + av.precisions.join(", ") + ")"));
  }
  if (binding.includes("strict")) buttons.push(relaxButton("strict", null, "allow estimated memory"));
  const nearest = (dg.nearest || []).map((n) => h("li", {}, `${n.checkpoint}: ${n.score.toFixed(2)}% ${metric.label}, ${fmtNum(n.fps)} FPS, ${fmtMem(n.memory_mb)}${n.memory_estimated ? " (estimated)" : ""}; fails ${n.fails.map(name).join(", ")}`));
  return h("div", { class: "problem", "data-testid": "diagnosis", role: "alert" },
    h("h3", {}, "Nothing fits these limits"),
    h("p", { "data-testid": "binding" }, binding.length ? "What binds: " + binding.map(name).join(", ") + "." : ""),
    h("p", {}, pb.detail),
    buttons.length ? h("p", {}, buttons.length === 1 ? "One click to make it fit:" : "Relax one limit:") : null,
    buttons.length ? h("div", { class: "relax" }, buttons) : null,
    nearest.length ? h("p", {}, "Nearest candidates:") : null,
    nearest.length ? h("ul", { class: "nearest" }, nearest) : null);
}
