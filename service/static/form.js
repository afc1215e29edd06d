/* The form: the controls bound to the state, their field errors, the example chips and the one-click
 * relaxations. Every change ends in changed(); who answers is not this module's business. */
import { $, cap, debounce, h, norm } from "./dom.js?v={{version}}";
import { byId, Combo, coverage, nameIndex } from "./devices.js?v={{version}}";
import { changed, clearLimits, state, taskMeta } from "./state.js?v={{version}}";

const EXAMPLES = ["jetson-nano", "raspberry-pi-5", "samsung-galaxy-s24", "tesla-t4", "intel-i7-12700h"];

const form = $("#controls");
let deviceCombo, compareCombo;

export function fillSelects() {
  const devs = [state.device, state.compare].filter(Boolean).map((n) => byId.get(nameIndex.get(norm(n)) || n)).filter(Boolean);
  for (const kind of ["runtime", "precision"]) {
    const sel = $("#" + kind);
    const values = new Set();
    for (const d of devs) for (const v of d[kind + "s"]) values.add(v);
    if (state[kind]) values.add(state[kind]);
    sel.replaceChildren(h("option", { value: "" }, "any"), ...[...values].sort().map((v) => h("option", { value: v }, v)));
    sel.value = state[kind];
  }
}

/** The controls show the state (after the URL was read, a relaxation or a reset). */
export function syncControls() {
  deviceCombo.set(state.device);
  compareCombo.set(state.compare);
  for (const id of ["max_mem_gb", "speed", "min_score"]) fieldError($("#" + id), null);
  $("#task").value = state.task;
  $("#min_score-label").textContent = cap(taskMeta().label) + " at least (%)";
  $("#task-what").textContent = taskMeta().what;
  $("#max_mem_gb").value = state.max_mem_gb;
  $("#speed_kind").value = state.speed_kind;
  $("#speed").value = state.speed;
  $("#min_score").value = state.min_score;
  for (const r of form.elements.batch) r.checked = r.value === (state.batch === "best" ? "best" : "1");
  $("#objective").value = state.objective;
  $("#strict").checked = state.strict;
  $("#estimates").checked = state.estimates;
  if (coverage) fillSelects();
}

function numberValue(input) {
  if (input.validity && input.validity.badInput) return null; // not a number: keep the last good query
  return input.value.trim();
}

/** The service would refuse these with a 400; say so at the field instead, and keep the last good answer. */
function checkLimit(name, text) {
  if (text === "") return null;
  const v = Number(text);
  if (!isFinite(v)) return "not a number";
  if (name === "min_score") return v < 0 || v > 100 ? taskMeta().label + " is a percentage from 0 to 100" : null;
  return v <= 0 ? "must be more than 0" : null;
}

function fieldError(input, message) {
  const id = input.id + "-error";
  let p = document.getElementById(id);
  if (!message) {
    input.removeAttribute("aria-invalid");
    if (p) p.remove();
    return;
  }
  input.setAttribute("aria-invalid", "true");
  if (!p) {
    p = h("p", { id, class: "err", role: "alert", "data-testid": "field-error" });
    input.closest(".field").append(p);
    input.setAttribute("aria-errormessage", id);
  }
  p.textContent = message;
}

function dropUnmeasured() {
  // a runtime or precision the (new) device never measured would only answer "not measured here"
  const devs = [state.device, state.compare].filter(Boolean).map((n) => byId.get(nameIndex.get(norm(n)) || ""));
  if (!devs.length || devs.some((d) => !d)) return;
  for (const kind of ["runtime", "precision"]) {
    if (state[kind] && !devs.every((d) => d[kind + "s"].includes(state[kind]))) state[kind] = "";
  }
}

export function bindControls() {
  deviceCombo = new Combo($("#device"), $("#device-list"), (v) => { state.device = v; dropUnmeasured(); fillSelects(); changed(); });
  compareCombo = new Combo($("#compare"), $("#compare-list"), (v) => { state.compare = v; dropUnmeasured(); fillSelects(); changed(); });
  const soon = debounce(changed, 150);
  for (const [id, key] of [["max_mem_gb", "max_mem_gb"], ["speed", "speed"], ["min_score", "min_score"]]) {
    const input = $("#" + id);
    const read = () => {
      const v = numberValue(input);
      const bad = v === null ? "not a number" : checkLimit(key === "speed" ? state.speed_kind : key, v);
      fieldError(input, bad);
      if (bad || v === state[key]) return false;
      state[key] = v;
      return true;
    };
    input.addEventListener("input", () => { if (read()) soon(); });
    input.addEventListener("change", () => { if (read()) changed(); });
  }
  // another task ranks by another metric: a top-1 floor means nothing as a mAP floor, so it goes
  $("#task").addEventListener("change", (e) => { state.task = e.target.value; state.min_score = ""; syncControls(); changed(); });
  $("#speed_kind").addEventListener("change", (e) => { state.speed_kind = e.target.value; if (state.speed !== "") changed(); });
  for (const r of form.elements.batch) r.addEventListener("change", () => { state.batch = r.value; changed(); });
  for (const kind of ["runtime", "precision", "objective"]) $("#" + kind).addEventListener("change", (e) => { state[kind] = e.target.value; changed(); });
  $("#strict").addEventListener("change", (e) => { state.strict = e.target.checked; changed(); });
  $("#estimates").addEventListener("change", (e) => { state.estimates = e.target.checked; changed(); });
  $("#reset").addEventListener("click", () => { clearLimits(); syncControls(); changed(); });
  form.addEventListener("submit", (e) => { e.preventDefault(); changed(); });
}

/** A user who typed before the device list arrived gets the suggestions now, not only at the next key. */
export function openTypedSuggestions() {
  [deviceCombo, compareCombo].forEach((c) => { if (c && document.activeElement === c.input && c.input.value.trim()) c.open(); });
}

export function renderExamples() {
  const ids = EXAMPLES.filter((id) => byId.has(id));
  const pick = ids.length ? ids : [...coverage.devices].sort((a, b) => b.checkpoints_batch1 - a.checkpoints_batch1).slice(0, 4).map((d) => d.id);
  $("#examples").replaceChildren(...pick.map((id) => h("button", {
    type: "button", "data-device": id, onclick: () => { state.device = id; syncControls(); changed(); },
  }, byId.get(id).name)));
}

/** A relaxation from a diagnosis, applied to the page's state. */
export function relax(constraint, value) {
  const v = String(value);
  if (constraint === "min_fps" || constraint === "max_latency_ms") { state.speed_kind = constraint; state.speed = v; }
  else if (constraint === "max_mem_gb") state.max_mem_gb = v;
  else if (constraint === "min_top1" || constraint === "min_score") state.min_score = v;
  else if (constraint === "max_params_m") state.extra.max_params_m = v;
  else if (constraint === "batch_size") state.batch = v;
  else if (constraint === "runtime" || constraint === "precision") state[constraint] = v;
  else if (constraint === "strict") state.strict = false;
  syncControls();
  changed();
}

/** A close match from an error, applied to the page's state (`panel` 0 is the device, 1 the compared one). */
export function useMatch(panel, param, match) {
  if (param === "device") { if (panel === 0) state.device = match; else state.compare = match; }
  else if (param in state) state[param] = match;
  syncControls();
  changed();
}
