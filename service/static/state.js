/* The page's state and its URL. The state is the query string: the /recommend parameters plus compare, rows and
 * sort; the controls and the panels read it here, and a change is announced with changed(). */
const DEFAULT_TASK = "classification"; // the API's default: its links carry no task=
const PASS_THROUGH = ["max_params_m"]; // API parameters the page has no control for, kept from links
const OBJECTIVES = ["top1", "fps", "memory"];

export const state = {
  device: "", compare: "", task: DEFAULT_TASK, max_mem_gb: "", speed_kind: "min_fps", speed: "", min_score: "", batch: "1",
  runtime: "", precision: "", objective: "top1", strict: false, estimates: false, rows: "architecture", sort: "", extra: {},
};

/** The limits back to their defaults (the "Clear limits" button); the devices and the view stay. */
export function clearLimits() {
  Object.assign(state, { max_mem_gb: "", speed: "", min_score: "", batch: "1", runtime: "", precision: "", objective: "top1", strict: false, estimates: false, extra: {} });
}

const listeners = [];
/** Call fn whenever the state changed in a way that needs a new answer. */
export function onChange(fn) { listeners.push(fn); }
/** The state changed: answer it (the controls need not know who answers). */
export function changed() { for (const fn of listeners) fn(); }

/** The task's metric as the task switch's option names it (the page is written from the service's task
 * registry): its label ("top-1", "mAP50-95") and its accuracy limit's parameter (min_top1 or min_score). */
export function taskMeta(task) {
  const opt = [...document.querySelectorAll("#task option")].find((o) => o.value === (task || state.task));
  return { label: opt ? opt.dataset.label : "score", limit: opt ? opt.dataset.limit : "min_score", what: opt ? opt.dataset.what : "model" };
}

export function readURL() {
  const p = new URLSearchParams(location.search);
  state.device = p.get("device") || "";
  state.compare = p.get("compare") || "";
  state.task = p.get("task") || DEFAULT_TASK;
  state.max_mem_gb = p.get("max_mem_gb") || "";
  state.min_score = p.get(taskMeta().limit) || p.get("min_score") || p.get("min_top1") || "";
  if (p.get("max_latency_ms") && !p.get("min_fps")) { state.speed_kind = "max_latency_ms"; state.speed = p.get("max_latency_ms"); }
  else { state.speed_kind = "min_fps"; state.speed = p.get("min_fps") || ""; }
  const bs = (p.get("batch_size") || "1").toLowerCase();
  state.batch = ["best", "any", "none"].includes(bs) ? "best" : bs;
  state.runtime = p.get("runtime") || "";
  state.precision = p.get("precision") || "";
  state.objective = OBJECTIVES.includes(p.get("objective")) ? p.get("objective") : "top1";
  state.strict = ["1", "true", "yes", "on"].includes((p.get("strict") || "").toLowerCase());
  state.estimates = (p.get("estimates") || "").toLowerCase() === "include";
  state.rows = p.get("rows") === "checkpoint" ? "checkpoint" : "architecture";
  state.sort = p.get("sort") || "";
  state.extra = {};
  for (const k of PASS_THROUGH) if (p.get(k)) state.extra[k] = p.get(k);
}

/** The /recommend query string for one device: exactly what the page's own URL says. */
export function apiQuery(device) {
  const q = new URLSearchParams();
  q.set("device", device);
  if (state.task !== DEFAULT_TASK) q.set("task", state.task);
  if (state.max_mem_gb !== "") q.set("max_mem_gb", state.max_mem_gb);
  if (state.speed !== "") q.set(state.speed_kind, state.speed);
  if (state.min_score !== "") q.set(taskMeta().limit, state.min_score);
  if (state.batch !== "1") q.set("batch_size", state.batch);
  if (state.runtime) q.set("runtime", state.runtime);
  if (state.precision) q.set("precision", state.precision);
  if (state.objective !== "top1") q.set("objective", state.objective);
  if (state.strict) q.set("strict", "true");
  if (state.estimates) q.set("estimates", "include");
  for (const [k, v] of Object.entries(state.extra)) q.set(k, v);
  return q;
}

export function writeURL() {
  const q = state.device ? apiQuery(state.device) : new URLSearchParams();
  if (state.compare) q.set("compare", state.compare);
  if (state.rows !== "architecture") q.set("rows", state.rows);
  if (state.sort) q.set("sort", state.sort);
  const qs = q.toString();
  const url = location.pathname + (qs ? "?" + qs : "");
  if (url !== location.pathname + location.search) history.replaceState(null, "", url);
}

/** The speed and accuracy limits as chart lines: the FPS a speed limit means, and the score floor (null for none). */
export function limitLines() {
  const out = { fps: null, fpsName: null, score: null };
  const v = parseFloat(state.speed);
  if (state.speed !== "" && v > 0) {
    out.fpsName = state.speed_kind;
    out.fps = state.speed_kind === "min_fps" ? v : 1000 / v;
  }
  const t = parseFloat(state.min_score);
  if (state.min_score !== "" && isFinite(t)) out.score = t;
  return out;
}
