/* The page's state and its URL. The state is the query string: the /recommend parameters plus compare, rows and
 * sort; the controls and the panels read it here, and a change is announced with changed(). */
const LIMIT_FIELDS = ["max_mem_gb", "min_top1"];
const PASS_THROUGH = ["max_params_m"]; // API parameters the page has no control for, kept from links
const OBJECTIVES = ["top1", "fps", "memory"];

export const state = {
  device: "", compare: "", max_mem_gb: "", speed_kind: "min_fps", speed: "", min_top1: "", batch: "1",
  runtime: "", precision: "", objective: "top1", strict: false, estimates: false, rows: "architecture", sort: "", extra: {},
};

/** The limits back to their defaults (the "Clear limits" button); the devices and the view stay. */
export function clearLimits() {
  Object.assign(state, { max_mem_gb: "", speed: "", min_top1: "", batch: "1", runtime: "", precision: "", objective: "top1", strict: false, estimates: false, extra: {} });
}

const listeners = [];
/** Call fn whenever the state changed in a way that needs a new answer. */
export function onChange(fn) { listeners.push(fn); }
/** The state changed: answer it (the controls need not know who answers). */
export function changed() { for (const fn of listeners) fn(); }

export function readURL() {
  const p = new URLSearchParams(location.search);
  state.device = p.get("device") || "";
  state.compare = p.get("compare") || "";
  for (const k of LIMIT_FIELDS) state[k] = p.get(k) || "";
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
  for (const k of ["max_mem_gb"]) if (state[k] !== "") q.set(k, state[k]);
  if (state.speed !== "") q.set(state.speed_kind, state.speed);
  if (state.min_top1 !== "") q.set("min_top1", state.min_top1);
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

/** The speed and top-1 limits as chart lines: the FPS a speed limit means, and the top-1 floor (null for none). */
export function limitLines() {
  const out = { fps: null, fpsName: null, top1: null };
  const v = parseFloat(state.speed);
  if (state.speed !== "" && v > 0) {
    out.fpsName = state.speed_kind;
    out.fps = state.speed_kind === "min_fps" ? v : 1000 / v;
  }
  const t = parseFloat(state.min_top1);
  if (state.min_top1 !== "" && isFinite(t)) out.top1 = t;
  return out;
}
