/* The diagnosis when nothing fits: what binds, the service's relaxations and the page's own (batch, runtime,
 * precision, estimated memory) as one-click buttons, and the nearest candidates, each relaxation's pick first.
 * The words are the page's (its controls' names), not the CLI's or the API's parameter syntax. */
import { cap, fmtMem, fmtNum, h } from "./dom.js?v={{version}}";
import { relax } from "./form.js?v={{version}}";
import { state } from "./state.js?v={{version}}";

const NAMES = { min_fps: "minimum FPS", max_latency_ms: "maximum latency", max_mem_gb: "memory limit", min_top1: "minimum top-1",
  min_score: "minimum score", max_params_m: "parameter limit", selection: "selection (batch, runtime or precision)", strict: "measured-memory-only setting" };
/** A relaxation in the words of the page's controls, with the exact value the click sets. */
const CONTROLS = { min_fps: (v) => `FPS at least ${v}`, max_latency_ms: (v) => `latency at most ${v} ms`,
  max_mem_gb: (v) => `memory at most ${v} GB`, max_params_m: (v) => `parameters at most ${v} M` };

const relaxButton = (constraint, value, text) => h("button", { type: "button", "data-testid": "relaxation", "data-constraint": constraint,
  "data-value": value, onclick: () => relax(constraint, value == null ? false : value) }, text);

/** A long list of batch sizes as a few of them: "24, 32, 48 … 1024 (12 sizes)". */
export function fewSizes(sizes) {
  return sizes.length <= 5 ? sizes.join(", ") : `${sizes.slice(0, 3).join(", ")} … ${sizes[sizes.length - 1]} (${sizes.length} sizes)`;
}

/** The page's own sentence for a selection (batch, runtime, precision) with no candidate, or the strict setting. */
function pageDetail(binding, dg) {
  const av = dg.available;
  if (binding.length === 1 && binding[0] === "selection" && av) {
    const asked = [state.batch === "best" ? "any batch" : "batch " + state.batch];
    if (state.runtime) asked.push("runtime " + state.runtime);
    if (state.precision) asked.push("precision " + state.precision);
    return `Nothing was measured on ${dg.device} with ${asked.join(", ")}. Measured there: batch sizes ${fewSizes(av.batch_sizes)}; `
      + `runtimes ${av.runtimes.join(", ")}; precisions ${av.precisions.join(", ")}.`;
  }
  if (binding.length === 1 && binding[0] === "strict")
    return `No candidate on ${dg.device} has measured memory, and "measured memory only" leaves out estimated memory: allow estimates, or clear the memory limit.`;
  return null;
}

/** The no-feasible-model answer `body` (a /candidates body: its problem, metric and points) as the page shows it. */
export function diagnosis(body) {
  const pb = body.problem, metric = body.metric;
  const dg = pb.diagnosis || {};
  const name = (c) => (c === "min_score" ? "minimum " + metric.label : NAMES[c] || c);
  const scoreText = (n) => `${n.score.toFixed(2)}% ${metric.label}`;
  const limitText = (c, v) => (c === "min_top1" || c === "min_score" ? `${cap(metric.label)} at least ${v}%` : CONTROLS[c] ? CONTROLS[c](v) : null);
  const sgs = dg.suggestions || [];
  const buttons = sgs.map((sg) => h("button", {
    type: "button", "data-testid": "relaxation", "data-constraint": sg.constraint, "data-value": sg.value, "data-checkpoint": sg.checkpoint || null,
    onclick: () => relax(sg.constraint, sg.value),
  }, limitText(sg.constraint, sg.value) && sg.checkpoint ? `${limitText(sg.constraint, sg.value)}: ${sg.checkpoint} (${scoreText(sg)}, ${fmtNum(sg.fps)} FPS)` : sg.text));
  const binding = dg.binding || [];
  const av = dg.available;
  if (binding.includes("selection") && av) {
    if (state.batch !== "best" && av.batch_sizes && av.batch_sizes.length && !av.batch_sizes.includes(Number(state.batch)))
      buttons.push(relaxButton("batch_size", "best", "use the best measured batch (" + (av.batch_sizes.length > 5
        ? `${av.batch_sizes.length} sizes, ${av.batch_sizes[0]} to ${av.batch_sizes[av.batch_sizes.length - 1]}` : av.batch_sizes.join(", ")) + ")"));
    if (state.runtime) buttons.push(relaxButton("runtime", "", "any runtime (" + av.runtimes.join(", ") + ")"));
    if (state.precision) buttons.push(relaxButton("precision", "", "any precision (" + av.precisions.join(", ") + ")"));
  }
  if (binding.includes("strict")) buttons.push(relaxButton("strict", null, "allow estimated memory"));
  // the candidates a relaxation would pick come first, so the list and the buttons name the same models
  const points = new Map((body.points || []).map((p) => [p.checkpoint, p]));
  const near = [];
  for (const sg of sgs) {
    const p = sg.checkpoint && points.get(sg.checkpoint);
    if (p && !near.some((n) => n.checkpoint === p.checkpoint)) near.push({ ...p, fails: [sg.constraint], pickedBy: limitText(sg.constraint, sg.value) || sg.text });
  }
  for (const n of dg.nearest || []) if (!near.some((m) => m.checkpoint === n.checkpoint)) near.push(n);
  const nearest = near.slice(0, Math.max(3, sgs.length)).map((n) => h("li", { "data-checkpoint": n.checkpoint },
    `${n.checkpoint}: ${scoreText(n)}, ${fmtNum(n.fps)} FPS, ${fmtMem(n.memory_mb)}${n.memory_estimated ? " (estimated)" : ""}; fails ${n.fails.map(name).join(", ")}`,
    n.pickedBy ? h("b", {}, ` (the pick with ${n.pickedBy})`) : null));
  return h("div", { class: "problem", "data-testid": "diagnosis", role: "alert" },
    h("h3", {}, "Nothing fits these limits"),
    h("p", { "data-testid": "binding" }, binding.length ? "What binds: " + binding.map(name).join(", ") + "." : ""),
    h("p", { "data-testid": "detail" }, pageDetail(binding, dg) || pb.detail),
    buttons.length ? h("p", {}, buttons.length === 1 ? "One click to make it fit:" : "Relax one limit:") : null,
    buttons.length ? h("div", { class: "relax" }, buttons) : null,
    nearest.length ? h("p", {}, "Nearest candidates:") : null,
    nearest.length ? h("ul", { class: "nearest", "data-testid": "nearest" }, nearest) : null);
}
