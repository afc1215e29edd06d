/* modelpick explorer: hand-written, no dependencies. Everything is fetched from this origin:
 *   coverage        devices, their kind and what was measured (suggestions)
 *   recommend       the answer, its why lines and sources, or the diagnosis (422)
 *   candidates      every candidate point of the selection, ranked where it meets the limits, bound and front
 * The page's state is its query string: the /recommend parameters plus compare, rows and sort. */
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const LIMIT_FIELDS = ["max_mem_gb", "min_top1"];
  const PASS_THROUGH = ["max_params_m"]; // API parameters the page has no control for, kept from links
  const OBJECTIVES = ["top1", "fps", "memory"];
  const EXAMPLES = ["jetson-nano", "raspberry-pi-5", "samsung-galaxy-s24", "tesla-t4", "intel-i7-12700h"];
  const SHOW_ROWS = 20;
  const COLUMNS = [
    { key: "rank", label: "Rank", num: true, get: (p) => p.rank },
    { key: "checkpoint", label: "Checkpoint", get: (p) => p.checkpoint },
    { key: "top1", label: "Top-1 %", num: true, get: (p) => p.top1, fmt: (p) => p.top1.toFixed(2) },
    { key: "fps", label: "FPS", num: true, get: (p) => p.fps, fmt: (p) => fmtNum(p.fps) + (p.latency_estimated ? "*" : "") },
    { key: "latency_ms", label: "Latency ms", num: true, get: (p) => p.latency_ms, fmt: (p) => fmtNum(p.latency_ms) + (p.latency_estimated ? "*" : "") },
    { key: "memory_mb", label: "Memory MB", num: true, get: (p) => p.memory_mb,
      fmt: (p) => (p.memory_mb == null ? "unknown" : Math.round(p.memory_mb).toString() + (p.memory_estimated ? "*" : "")) },
    { key: "runtime", label: "Runtime", get: (p) => p.runtime + " " + p.precision, fmt: (p) => p.runtime + " · " + p.precision },
    { key: "batch_size", label: "Batch", num: true, get: (p) => p.batch_size },
  ];

  // ------------------------------------------------------------------ helpers
  const $ = (sel, root) => (root || document).querySelector(sel);
  function h(tag, attrs, ...kids) {
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
  function s(tag, attrs, ...kids) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v != null) node.setAttribute(k, v);
    for (const kid of kids) if (kid != null) node.append(kid instanceof Node ? kid : String(kid));
    return node;
  }
  function fmtNum(v) {
    if (v == null || !isFinite(v)) return "?";
    const a = Math.abs(v);
    if (a >= 1000) return Math.round(v).toLocaleString("en-US");
    if (a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    return v.toPrecision(2);
  }
  function fmtMem(mb) {
    if (mb == null) return "unknown";
    return mb >= 1024 ? (mb / 1024).toFixed(2) + " GB" : Math.round(mb) + " MB";
  }
  const norm = (name) => String(name).trim().toLowerCase().replace(/[\s_]+/g, "-");
  const anchorId = (panel, sid) => "src-" + panel + "-" + String(sid).replace(/[^A-Za-z0-9_-]/g, "_");
  function badge(title, testid) {
    return h("span", { class: "badge", title, "data-testid": testid || "computed-badge" }, "computed");
  }
  function debounce(fn, ms) {
    let t = 0;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }

  // ------------------------------------------------------------------ state and URL
  const state = {
    device: "", compare: "", max_mem_gb: "", speed_kind: "min_fps", speed: "", min_top1: "", batch: "1",
    runtime: "", precision: "", objective: "top1", strict: false, estimates: false, rows: "architecture", sort: "", extra: {},
  };

  function readURL() {
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
  function apiQuery(device) {
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

  function writeURL() {
    const q = state.device ? apiQuery(state.device) : new URLSearchParams();
    if (state.compare) q.set("compare", state.compare);
    if (state.rows !== "architecture") q.set("rows", state.rows);
    if (state.sort) q.set("sort", state.sort);
    const qs = q.toString();
    const url = location.pathname + (qs ? "?" + qs : "");
    if (url !== location.pathname + location.search) history.replaceState(null, "", url);
  }

  // ------------------------------------------------------------------ coverage and device suggestions
  let coverage = null;
  const byId = new Map();
  const nameIndex = new Map(); // normalised id / alias / family -> device id

  async function loadCoverage() {
    const resp = await fetch("coverage", { headers: { Accept: "application/json" } });
    if (!resp.ok) throw new Error("coverage: HTTP " + resp.status);
    coverage = await resp.json();
    for (const d of coverage.devices) {
      byId.set(d.id, d);
      for (const n of [d.id, ...d.aliases]) if (!nameIndex.has(norm(n))) nameIndex.set(norm(n), d.id);
    }
    for (const [fam, id] of Object.entries(coverage.device_families)) if (!nameIndex.has(norm(fam))) nameIndex.set(norm(fam), id);
    $("#catalog-version").textContent = "Catalog " + coverage.catalog.version + ".";
    renderExamples();
    fillSelects();
  }

  function coverageText(d) {
    if (!d.runtimes.length) return "no candidates";
    const any = d.checkpoints_any_batch, one = d.checkpoints_batch1;
    const counts = one === any ? `${one} candidates` : `${one} at batch 1, ${any} at any batch`;
    return `${d.runtimes.join(", ")} · ${counts}`;
  }

  function suggestions(text) {
    const t = norm(text);
    const seen = new Map();
    const consider = (d, score, via) => {
      const old = seen.get(d.id);
      if (!old || old.score > score) seen.set(d.id, { d, score, via });
    };
    for (const d of coverage.devices) {
      if (!t) { consider(d, 5, null); continue; }
      const names = [d.id, d.name, ...d.aliases];
      for (const n of names) {
        const m = norm(n);
        if (m === t) consider(d, 0, n !== d.id ? n : null);
        else if (m.startsWith(t)) consider(d, 1, n !== d.id && n !== d.name ? n : null);
        else if (m.includes(t)) consider(d, 2, n !== d.id && n !== d.name ? n : null);
      }
    }
    for (const [fam, id] of Object.entries(coverage.device_families)) {
      const d = byId.get(id);
      if (!d || !t) continue;
      const f = norm(fam);
      if (f === t) consider(d, 0, "family " + fam);
      else if (f.startsWith(t)) consider(d, 1.5, "family " + fam);
      if (d.family && norm(d.family).startsWith(t)) consider(d, 1.5, null);
    }
    for (const d of coverage.devices) if (t && d.family && norm(d.family).startsWith(t)) consider(d, 1.6, null);
    return [...seen.values()]
      .sort((a, b) => a.score - b.score || b.d.checkpoints_any_batch - a.d.checkpoints_any_batch || a.d.id.localeCompare(b.d.id))
      .slice(0, 12);
  }

  class Combo {
    constructor(input, list, onCommit) {
      this.input = input; this.list = list; this.onCommit = onCommit; this.active = -1; this.items = [];
      this.committed = input.value;
      input.addEventListener("input", () => {
        this.open();
        const exact = nameIndex.get(norm(input.value));
        if (exact || input.value.trim() === "") this.commit(input.value.trim());
      });
      input.addEventListener("focus", () => { if (coverage) this.open(); });
      input.addEventListener("keydown", (e) => this.key(e));
      input.addEventListener("blur", () => setTimeout(() => {
        this.close();
        if (input.value.trim() !== this.committed) this.commit(input.value.trim());
      }, 120));
    }
    open() {
      if (!coverage) return;
      this.items = suggestions(this.input.value);
      this.active = -1;
      this.list.replaceChildren(...this.items.map((it, i) => h("li", {
        role: "option", id: this.list.id + "-" + i, "aria-selected": "false", "data-device": it.d.id,
        onmousedown: (e) => { e.preventDefault(); this.choose(i); },
      }, h("span", { class: "kind" }, it.d.kind), h("span", { class: "name" }, it.d.name), " ",
         h("span", { class: "id" }, it.d.id + (it.via ? " (" + it.via + ")" : "")),
         h("span", { class: "cov", "data-testid": "coverage" }, coverageText(it.d)))));
      const show = this.items.length > 0 && document.activeElement === this.input;
      this.list.hidden = !show;
      this.input.setAttribute("aria-expanded", String(show));
      this.input.removeAttribute("aria-activedescendant");
    }
    close() {
      this.list.hidden = true;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
    }
    move(delta) {
      if (this.list.hidden) this.open();
      if (!this.items.length) return;
      this.active = (this.active + delta + this.items.length) % this.items.length;
      [...this.list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === this.active)));
      const li = this.list.children[this.active];
      this.input.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    }
    key(e) {
      if (e.key === "ArrowDown") { e.preventDefault(); this.move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); this.move(-1); }
      else if (e.key === "Enter") {
        e.preventDefault();
        if (!this.list.hidden && this.active >= 0) this.choose(this.active);
        else { this.close(); this.commit(this.input.value.trim()); }
      } else if (e.key === "Escape") { this.close(); }
    }
    choose(i) {
      const d = this.items[i].d;
      this.input.value = d.id;
      this.close();
      this.commit(d.id);
    }
    commit(value) {
      if (value === this.committed) return;
      this.committed = value;
      this.onCommit(value);
    }
    set(value) { this.input.value = value; this.committed = value; }
  }

  // ------------------------------------------------------------------ controls
  const form = $("#controls");
  let deviceCombo, compareCombo;

  function fillSelects() {
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

  function syncControls() {
    deviceCombo.set(state.device);
    compareCombo.set(state.compare);
    for (const id of ["max_mem_gb", "speed", "min_top1"]) fieldError($("#" + id), null);
    $("#max_mem_gb").value = state.max_mem_gb;
    $("#speed_kind").value = state.speed_kind;
    $("#speed").value = state.speed;
    $("#min_top1").value = state.min_top1;
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
    if (name === "min_top1") return v < 0 || v > 100 ? "top-1 is a percentage from 0 to 100" : null;
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

  function bindControls() {
    deviceCombo = new Combo($("#device"), $("#device-list"), (v) => { state.device = v; dropUnmeasured(); fillSelects(); answer(); });
    compareCombo = new Combo($("#compare"), $("#compare-list"), (v) => { state.compare = v; dropUnmeasured(); fillSelects(); answer(); });
    const soon = debounce(answer, 150);
    for (const [id, key] of [["max_mem_gb", "max_mem_gb"], ["speed", "speed"], ["min_top1", "min_top1"]]) {
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
      input.addEventListener("change", () => { if (read()) answer(); });
    }
    $("#speed_kind").addEventListener("change", (e) => { state.speed_kind = e.target.value; if (state.speed !== "") answer(); });
    for (const r of form.elements.batch) r.addEventListener("change", () => { state.batch = r.value; answer(); });
    for (const kind of ["runtime", "precision", "objective"]) $("#" + kind).addEventListener("change", (e) => { state[kind] = e.target.value; answer(); });
    $("#strict").addEventListener("change", (e) => { state.strict = e.target.checked; answer(); });
    $("#estimates").addEventListener("change", (e) => { state.estimates = e.target.checked; answer(); });
    $("#reset").addEventListener("click", () => {
      Object.assign(state, { max_mem_gb: "", speed: "", min_top1: "", batch: "1", runtime: "", precision: "", objective: "top1", strict: false, estimates: false, extra: {} });
      syncControls(); answer();
    });
    form.addEventListener("submit", (e) => { e.preventDefault(); answer(); });
  }

  function renderExamples() {
    const ids = EXAMPLES.filter((id) => byId.has(id));
    const pick = ids.length ? ids : [...coverage.devices].sort((a, b) => b.checkpoints_batch1 - a.checkpoints_batch1).slice(0, 4).map((d) => d.id);
    $("#examples").replaceChildren(...pick.map((id) => h("button", {
      type: "button", "data-device": id, onclick: () => { state.device = id; syncControls(); answer(); },
    }, byId.get(id).name)));
  }

  /** A relaxation from a diagnosis, applied to the page's state. */
  function relax(constraint, value) {
    const v = String(value);
    if (constraint === "min_fps" || constraint === "max_latency_ms") { state.speed_kind = constraint; state.speed = v; }
    else if (constraint === "max_mem_gb" || constraint === "min_top1") state[constraint] = v;
    else if (constraint === "max_params_m") state.extra.max_params_m = v;
    else if (constraint === "batch_size") state.batch = v;
    else if (constraint === "runtime" || constraint === "precision") state[constraint] = v;
    else if (constraint === "strict") state.strict = false;
    syncControls();
    answer();
  }

  // ------------------------------------------------------------------ panels
  const panels = [];
  let firstAnswer = false;

  function answer() {
    writeURL();
    const devices = [state.device, state.compare].filter(Boolean);
    $("#intro").hidden = devices.length > 0;
    const box = $("#panels");
    box.classList.toggle("two", devices.length === 2);
    while (panels.length > devices.length) panels.pop().destroy();
    while (panels.length < devices.length) panels.push(new Panel(panels.length));
    devices.forEach((d, i) => panels[i].update(d));
    document.title = (state.device ? state.device + " · " : "") + "modelpick explorer";
  }

  class Panel {
    constructor(index) {
      this.index = index;
      this.ctrl = null;
      this.rec = null; this.cands = null; this.selected = null; this.showAll = false;
      this.root = h("section", { class: "panel", "data-testid": "panel-" + index, "aria-labelledby": "panel-title-" + index });
      this.title = h("h2", { id: "panel-title-" + index });
      this.status = h("p", { class: "status", role: "status", "aria-live": "polite" });
      this.answerBox = h("div", { "aria-live": "polite" });
      this.chartBox = h("figure", { class: "chart", "data-testid": "chart-box" });
      this.altBox = h("section", { class: "alts", "aria-label": "Alternatives" });
      this.srcBox = h("section", { class: "sources", "aria-label": "Sources" });
      this.root.append(this.title, this.status, this.answerBox, this.chartBox, this.altBox, this.srcBox);
      $("#panels").append(this.root);
      this.resize = new ResizeObserver(debounce(() => {
        if (Math.round(this.chartBox.clientWidth) !== this.width) this.drawChart();
      }, 100));
      this.resize.observe(this.chartBox);
      this.width = 0;
    }
    destroy() { if (this.ctrl) this.ctrl.abort(); this.resize.disconnect(); this.root.remove(); }

    async update(device) {
      if (this.ctrl) this.ctrl.abort();
      const ctrl = this.ctrl = new AbortController();
      const qs = apiQuery(device).toString();
      const d = byId.get(nameIndex.get(norm(device)) || "");
      if (coverage && !d) { this.unknownDevice(device); return; }
      this.title.replaceChildren(d ? d.name : device, " ", h("small", {}, d ? d.id + " · " + d.kind + " · " + coverageText(d) : ""));
      this.status.textContent = state.estimates ? "Answering (predicting unmeasured latencies can take a few seconds)…" : "Answering…";
      this.root.setAttribute("aria-busy", "true");
      try {
        const r = await fetch("candidates?" + qs, { signal: ctrl.signal, headers: { Accept: "application/json" } });
        const res = { status: r.status, body: await r.json() };
        if (ctrl.signal.aborted) return;
        this.showAnswer(res);
        this.showCandidates(res);
        this.showSources();
        const b = res.body;
        this.status.textContent = res.status === 200 ? `${b.n_feasible} of ${b.n_candidates} candidates meet the limits` : "";
      } catch (err) {
        if (err.name === "AbortError") return;
        this.status.textContent = "Could not reach the service: " + err.message;
      } finally {
        if (!ctrl.signal.aborted) this.root.removeAttribute("aria-busy");
      }
    }

    /** An unknown device is answered here, from the suggestions, without asking the service. */
    unknownDevice(name) {
      if (this.ctrl) this.ctrl.abort();
      this.rec = this.cands = null;
      const near = suggestions(name).slice(0, 5).map((it) => it.d.id);
      this.title.replaceChildren(name);
      this.status.textContent = "";
      const pb = { title: "Unknown device", detail: `device '${name}' is not in the catalog` + (near.length ? "; did you mean one of these?" : "; type part of its name to see suggestions."),
        errors: [{ param: "device", close_matches: near }] };
      this.answerBox.replaceChildren(this.problem(pb));
      this.chartBox.replaceChildren(); this.altBox.replaceChildren(); this.srcBox.replaceChildren();
    }

    // -- the answer card, or the diagnosis
    showAnswer(res) {
      this.rec = res;
      const p = this.index;
      if (res.status === 200 && res.body.best) {
        const b = res.body.best;
        const src = b.sources;
        const link = (sid, text, testid, value) => h("dd", { "data-testid": testid, "data-value": value },
          sid ? h("a", { href: "#" + anchorId(p, sid), title: "source: " + sid }, text) : text);
        const memDd = h("dd", { "data-testid": "memory", "data-value": b.memory_mb == null ? "" : b.memory_mb },
          src.memory ? h("a", { href: "#" + anchorId(p, src.memory), title: "source: " + src.memory }, fmtMem(b.memory_mb))
            : h("a", { href: "#method-" + p, title: b.memory_method }, fmtMem(b.memory_mb)),
          b.memory_estimated ? badge("memory is estimated: " + b.memory_method) : null);
        const fpsDd = link(src.latency, fmtNum(b.fps), "fps", b.fps);
        const latDd = link(src.latency, fmtNum(b.latency_ms) + " ms", "latency", b.latency_ms);
        if (b.latency_estimated) {
          const why = "latency is predicted, not measured" + (b.latency_low_ms != null ? ` (${fmtNum(b.latency_low_ms)}–${fmtNum(b.latency_high_ms)} ms)` : "");
          fpsDd.append(badge(why)); latDd.append(badge(why));
        }
        const card = h("article", { class: "card", "data-testid": "answer-card" },
          h("p", { class: "label" }, state.objective === "top1" ? "Most accurate that fits" : state.objective === "fps" ? "Fastest that fits" : "Smallest that fits"),
          h("h3", { "data-testid": "best-checkpoint" }, b.checkpoint),
          h("p", { class: "arch" }, "architecture " + b.architecture + " · input " + b.input_size + " px" + (b.params_m != null ? " · " + fmtNum(b.params_m) + " M params" : "")),
          h("dl", { class: "metrics" },
            h("div", {}, h("dt", {}, "Top-1"), link(src.accuracy, b.top1.toFixed(2) + "%", "top1", b.top1)),
            h("div", {}, h("dt", {}, "FPS"), fpsDd),
            h("div", {}, h("dt", {}, "Latency"), latDd),
            h("div", {}, h("dt", {}, "Memory"), memDd),
            h("div", {}, h("dt", {}, "Runtime"), h("dd", { "data-testid": "runtime-value" }, b.runtime)),
            h("div", {}, h("dt", {}, "Precision"), h("dd", { "data-testid": "precision-value" }, b.precision)),
            h("div", {}, h("dt", {}, "Batch"), h("dd", { "data-testid": "batch-value" }, String(b.batch_size)))),
          h("ul", { class: "why", "data-testid": "why" }, b.why.map((w) => h("li", {}, w))),
          h("p", { class: "method", id: "method-" + p }, "Memory: " + b.memory_method + (b.memory_estimated ? " (computed)." : ".")));
        this.answerBox.replaceChildren(card);
        if (!firstAnswer) { firstAnswer = true; performance.mark("modelpick-first-answer"); }
      } else if (res.status === 200 && res.body.problem) {
        this.answerBox.replaceChildren(this.diagnosis(res.body.problem));
        if (!firstAnswer) { firstAnswer = true; performance.mark("modelpick-first-answer"); }
      } else {
        this.answerBox.replaceChildren(this.problem(res.body));
      }
    }

    diagnosis(pb) {
      const dg = pb.diagnosis || {};
      const names = { min_fps: "minimum FPS", max_latency_ms: "maximum latency", max_mem_gb: "memory limit", min_top1: "minimum top-1",
        max_params_m: "parameter limit", selection: "selection (batch, runtime or precision)", strict: "measured-memory-only setting" };
      const buttons = (dg.suggestions || []).map((sg) => h("button", {
        type: "button", "data-testid": "relaxation", "data-constraint": sg.constraint, "data-value": sg.value,
        onclick: () => relax(sg.constraint, sg.value),
      }, sg.text));
      const binding = dg.binding || [];
      const av = dg.available;
      if (binding.includes("selection") && av) {
        if (state.batch !== "best" && av.batch_sizes && av.batch_sizes.length && !av.batch_sizes.includes(Number(state.batch)))
          buttons.push(h("button", { type: "button", "data-testid": "relaxation", "data-constraint": "batch_size", "data-value": "best",
            onclick: () => relax("batch_size", "best") }, "use the best measured batch (" + av.batch_sizes.join(", ") + ")"));
        if (state.runtime) buttons.push(h("button", { type: "button", "data-testid": "relaxation", "data-constraint": "runtime", "data-value": "",
          onclick: () => relax("runtime", "") }, "any runtime (" + av.runtimes.join(", ") + ")"));
        if (state.precision) buttons.push(h("button", { type: "button", "data-testid": "relaxation", "data-constraint": "precision", "data-value": "",
          onclick: () => relax("precision", "") }, "any precision (" + av.precisions.join(", ") + ")"));
      }
      if (binding.includes("strict")) buttons.push(h("button", { type: "button", "data-testid": "relaxation", "data-constraint": "strict",
        onclick: () => relax("strict", false) }, "allow estimated memory"));
      const nearest = (dg.nearest || []).map((n) => h("li", {}, `${n.checkpoint}: ${n.top1.toFixed(2)}% top-1, ${fmtNum(n.fps)} FPS, ${fmtMem(n.memory_mb)}${n.memory_estimated ? " (estimated)" : ""}; fails ${n.fails.map((f) => names[f] || f).join(", ")}`));
      return h("div", { class: "problem", "data-testid": "diagnosis", role: "alert" },
        h("h3", {}, "Nothing fits these limits"),
        h("p", { "data-testid": "binding" }, binding.length ? "What binds: " + binding.map((b) => names[b] || b).join(", ") + "." : ""),
        h("p", {}, pb.detail),
        buttons.length ? h("p", {}, buttons.length === 1 ? "One click to make it fit:" : "Relax one limit:") : null,
        buttons.length ? h("div", { class: "relax" }, buttons) : null,
        nearest.length ? h("p", {}, "Nearest candidates:") : null,
        nearest.length ? h("ul", { class: "nearest" }, nearest) : null);
    }

    problem(pb) {
      const errs = (pb && pb.errors) || [];
      const fixes = [];
      for (const e of errs) {
        for (const m of (e.close_matches || []).slice(0, 4)) {
          fixes.push(h("button", { type: "button", "data-testid": "close-match", onclick: () => {
            if (e.param === "device") { if (this.index === 0) state.device = m; else state.compare = m; }
            else if (e.param in state) state[e.param] = m;
            syncControls(); answer();
          } }, e.param + " = " + m));
        }
      }
      return h("div", { class: "problem", "data-testid": "error", role: "alert" },
        h("h3", {}, (pb && pb.title) || "Error"), h("p", {}, (pb && pb.detail) || "The service did not answer."),
        fixes.length ? h("div", { class: "relax" }, h("span", {}, "Did you mean: "), fixes) : null);
    }

    // -- candidates: chart and alternatives
    showCandidates(res) {
      this.cands = res;
      if (res.status !== 200) {
        this.chartBox.replaceChildren();
        this.altBox.replaceChildren();
        return;
      }
      const pts = res.body.points;
      if (this.selected && !pts.some((p) => p.checkpoint === this.selected)) this.selected = null;
      this.drawChart();
      this.drawTable();
      for (const other of panels) if (other !== this) other.drawChart(); // the shared axes may have moved
    }

    point(checkpoint) { return this.cands && this.cands.body.points.find((p) => p.checkpoint === checkpoint); }

    select(checkpoint) {
      this.selected = checkpoint;
      this.drawChart();
      this.drawTable();
    }

    drawChart() {
      if (!this.cands || this.cands.status !== 200) return;
      const data = this.cands.body;
      const pts = data.points;
      const box = this.chartBox;
      this.width = Math.round(box.clientWidth);
      const W = Math.max(300, this.width || 600);
      const H = Math.round(Math.min(440, Math.max(260, W * 0.58)));
      const m = { l: 46, r: 14, t: 14, b: 40 };
      const limits = this.limitLines();
      const caption = h("figcaption", {}, h("h3", {}, "Top-1 against FPS: every candidate on ", data.query.device));
      if (!pts.length) {
        box.replaceChildren(caption, h("p", { class: "note", "data-testid": "frontier-chart-empty" }, "No candidates in this selection (batch, runtime, precision)."));
        return;
      }
      // compared devices share their axes, so the two charts read against each other
      const shown = panels.filter((pn) => pn.cands && pn.cands.status === 200 && pn.cands.body.points.length).flatMap((pn) => pn.cands.body.points);
      const fpsAll = (shown.length ? shown : pts).map((p) => p.fps).filter((v) => v > 0);
      // a limit beyond the points widens the axes so it shows; one below them is simply off the chart
      if (limits.fps && limits.fps > Math.min(...fpsAll)) fpsAll.push(limits.fps);
      let lx0 = Math.log10(Math.min(...fpsAll)), lx1 = Math.log10(Math.max(...fpsAll));
      const padX = Math.max(0.08, (lx1 - lx0) * 0.05); lx0 -= padX; lx1 += padX;
      const tops = (shown.length ? shown : pts).map((p) => p.top1);
      if (limits.top1 != null && limits.top1 > Math.min(...tops)) tops.push(limits.top1);
      let y0 = Math.min(...tops), y1 = Math.max(...tops);
      const padY = Math.max(0.5, (y1 - y0) * 0.05); y0 -= padY; y1 += padY;
      const X = (fps) => m.l + (Math.log10(fps) - lx0) / (lx1 - lx0) * (W - m.l - m.r);
      const Y = (t) => H - m.b - (t - y0) / (y1 - y0) * (H - m.t - m.b);
      const clipId = "clip-" + this.index;
      const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, "data-testid": "frontier-chart", tabindex: "0", role: "group",
        "aria-label": `Chart of ${pts.length} candidates, top-1 accuracy against frames per second (log scale). Arrow keys move between points, Enter or a click selects one; the table below lists the same models.` });
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
      axis.append(s("text", { class: "title", transform: `translate(15 ${(m.t + H - m.b) / 2}) rotate(-90)`, "text-anchor": "middle" }, "ImageNet top-1 (%)"));
      svg.append(grid);
      // the limits, shaded where they exclude
      const shades = s("g", { "clip-path": `url(#${clipId})`, "data-testid": "limit-shades" });
      if (limits.fps && X(limits.fps) > m.l) {
        const x = X(limits.fps);
        shades.append(s("rect", { class: "shade", "data-limit": limits.fpsName, x: m.l, y: m.t, width: Math.max(0, x - m.l), height: H - m.t - m.b }));
        shades.append(s("text", { class: "shade-label", x: m.l + 4, y: H - m.b - 6, "text-anchor": "start" },
          limits.fpsName === "min_fps" ? `below ${state.speed} FPS` : `over ${state.speed} ms`));
      }
      if (limits.top1 != null && Y(limits.top1) < H - m.b) {
        const y = Y(limits.top1);
        shades.append(s("rect", { class: "shade", "data-limit": "min_top1", x: m.l, y, width: W - m.l - m.r, height: Math.max(0, H - m.b - y) }));
        shades.append(s("text", { class: "shade-label", x: W - m.r - 4, y: Math.min(H - m.b - 4, y + 13), "text-anchor": "end" }, `below ${state.min_top1}% top-1`));
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
        lines.append(s("path", { class: "bound", d: seg.join(" "), "data-testid": "upper-bound" }, s("title", {}, "upper bound (computed): " + bd.equation)));
      }
      const front2d = staircase(data.pareto);
      if (front2d.length) {
        const d = front2d.map((p, i) => (i ? "L" : "M") + X(p.fps).toFixed(1) + " " + Y(p.top1).toFixed(1)).join(" ");
        lines.append(s("path", { class: "front", d, "data-testid": "pareto-front" }, s("title", {}, "Pareto front (computed)")));
      }
      svg.append(axis, lines);
      // the candidates: grey where a limit excludes them, hollow where a figure is computed
      const layer = s("g", { class: "points" });
      const order = [...pts.keys()].sort((a, b) => (pts[a].rank != null) - (pts[b].rank != null));
      this.screen = [];
      for (const i of order) {
        const p = pts[i];
        const est = p.memory_estimated || p.latency_estimated;
        const cls = "pt" + (p.rank == null ? " off" : "") + (est ? " est" : "");
        const x = X(p.fps), y = Y(p.top1);
        this.screen.push({ i, x, y });
        layer.append(s("circle", { class: cls, cx: x.toFixed(1), cy: y.toFixed(1), r: p.rank == null ? 3 : 3.8,
          "data-testid": "chart-point", "data-checkpoint": p.checkpoint, "data-rank": p.rank == null ? "" : p.rank,
          "data-estimated": est ? "true" : "false" }));
      }
      svg.append(layer);
      const frontSet = new Set(data.pareto.map((f) => f.checkpoint));
      const rings = s("g", {});
      for (const f of data.pareto) rings.append(s("circle", { class: "front-pt", cx: X(f.fps).toFixed(1), cy: Y(f.top1).toFixed(1), r: 5.5 }));
      svg.append(rings);
      const pick = pts.find((p) => p.rank === 1);
      if (pick) {
        const x = X(pick.fps), y = Y(pick.top1);
        svg.append(s("circle", { class: "pick", cx: x.toFixed(1), cy: y.toFixed(1), r: 8, "data-testid": "pick-mark", "data-checkpoint": pick.checkpoint }));
        const right = x < (m.l + W - m.r) / 2;
        const room = right ? W - m.r - x - 12 : x - 12 - m.l;
        svg.append(s("text", { class: "pick-label", x: right ? x + 11 : x - 11, y: Math.max(m.t + 10, y - 10), "text-anchor": right ? "start" : "end" },
          "pick: " + shortName(pick.checkpoint, Math.max(8, Math.floor(room / 7) - 6))));
      }
      const sel = this.selected && this.point(this.selected);
      if (sel) svg.append(s("circle", { class: "sel", cx: X(sel.fps).toFixed(1), cy: Y(sel.top1).toFixed(1), r: 11, "data-testid": "selected-mark" }));
      this.bindChart(svg, pts);
      const legend = h("ul", { class: "legend" },
        legendItem(s("circle", { cx: 11, cy: 6, r: 4, class: "pt", fill: "#1d4ed8" }), "meets the limits"),
        legendItem(s("circle", { cx: 11, cy: 6, r: 3.5, fill: "#6b7280", "fill-opacity": ".55", stroke: "#6b7280" }), "fails a limit (memory too)"),
        legendItem(s("circle", { cx: 11, cy: 6, r: 4, fill: "#fff", stroke: "#1d4ed8", "stroke-width": 1.4 }), "hollow: a figure is computed (estimated memory or predicted latency)"),
        data.bound ? legendItem(s("line", { x1: 1, x2: 21, y1: 6, y2: 6, stroke: "#7c3aed", "stroke-width": 2, "stroke-dasharray": "5 3" }), "upper bound (computed, " + data.bound.form + " fit)") : null,
        front2d.length ? legendItem(s("line", { x1: 1, x2: 21, y1: 6, y2: 6, stroke: "#15803d", "stroke-width": 2 }), "Pareto front (computed; ringed points)") : null,
        pick ? legendItem(s("circle", { cx: 11, cy: 6, r: 5, fill: "none", stroke: "#c2410c", "stroke-width": 2.5 }), "the pick") : null,
        (limits.fps || limits.top1 != null) ? legendItem(s("rect", { x: 1, y: 1, width: 20, height: 10, fill: "rgba(185,28,28,.18)" }), "excluded by a limit") : null);
      const note = h("p", { class: "note" }, `${pts.length} candidates (one per checkpoint, ${data.query.batch_size == null ? "its fastest batch" : "batch " + data.query.batch_size}), ${data.n_feasible} meet the limits.`,
        data.bound ? "" : " No upper bound: " + (data.bound_reason || "too few points") + ".",
        state.max_mem_gb ? ` The memory limit (${state.max_mem_gb} GB) is not an axis here: candidates over it are grey.` : "");
      const selBox = sel ? this.selectedBox(sel, frontSet.has(sel.checkpoint)) : null;
      box.replaceChildren(caption, svg, legend, note, selBox || "");
    }

    limitLines() {
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

    bindChart(svg, pts) {
      const tip = $("#tooltip");
      const nearest = (evt, radius) => {
        const ctm = svg.getScreenCTM();
        if (!ctm) return null;
        const pt = new DOMPoint(evt.clientX, evt.clientY).matrixTransform(ctm.inverse());
        let best = null, bd = radius * radius;
        for (const q of this.screen) {
          const d = (q.x - pt.x) ** 2 + (q.y - pt.y) ** 2;
          if (d <= bd) { bd = d; best = q.i; }
        }
        return best;
      };
      const show = (i, clientX, clientY) => {
        const p = pts[i];
        tip.replaceChildren(...this.describe(p, true));
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
        if (i != null) { tip.hidden = true; this.select(pts[i].checkpoint); }
      });
      svg.addEventListener("keydown", (e) => {
        if (!["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "Escape"].includes(e.key)) return;
        e.preventDefault();
        if (e.key === "Escape") { this.selected = null; tip.hidden = true; this.drawChart(); this.drawTable(); this.focusChart(); return; }
        const byFps = e.key === "ArrowRight" || e.key === "ArrowLeft";
        const sorted = [...pts].sort(byFps ? (a, b) => a.fps - b.fps || a.top1 - b.top1 : (a, b) => a.top1 - b.top1 || a.fps - b.fps);
        let at = sorted.findIndex((p) => p.checkpoint === this.selected);
        if (at < 0) at = sorted.findIndex((p) => p.rank === 1);
        const step = e.key === "ArrowRight" || e.key === "ArrowUp" ? 1 : -1;
        const next = sorted[Math.max(0, Math.min(sorted.length - 1, at + step))];
        this.select(next.checkpoint);
        this.focusChart();
      });
    }

    focusChart() { const svg = $("svg[data-testid=frontier-chart]", this.chartBox); if (svg) svg.focus(); }

    describe(p, short) {
      const src = (this.cands && this.cands.body.sources) || {};
      const title = (sid) => (sid && src[sid] ? src[sid].title : sid || "none");
      const est = [];
      if (p.memory_estimated) est.push(h("span", { class: "badge" }, "computed"), " memory estimated");
      return [
        h("b", {}, p.checkpoint), h("br"),
        `${p.top1.toFixed(2)}% top-1 · ${fmtNum(p.fps)} FPS · ${fmtNum(p.latency_ms)} ms${p.latency_estimated ? " (predicted)" : ""} · ${fmtMem(p.memory_mb)}`,
        est.length ? h("span", {}, " ", ...est) : null, h("br"),
        `${p.runtime} · ${p.precision} · batch ${p.batch_size} · ${p.rank != null ? "rank " + p.rank : "fails a limit"}`,
        short ? h("br") : null,
        short ? `accuracy: ${title(p.sources.accuracy)}; latency: ${title(p.sources.latency)}` : null,
      ].filter((x) => x != null);
    }

    selectedBox(p, onFront) {
      const srcLink = (what, sid) => sid ? h("a", { href: "#" + anchorId(this.index, sid) }, what + ": " + sid) : h("span", {}, what + ": " + (what === "memory" && p.memory_estimated ? "computed estimate" : "none"));
      return h("div", { class: "selected", "data-testid": "selected-point", "aria-live": "polite" },
        h("h4", {}, "Selected: " + p.checkpoint),
        h("p", {}, ...this.describe(p, false), onFront ? " · on the Pareto front" : ""),
        h("p", {}, "Sources: ", srcLink("accuracy", p.sources.accuracy), " · ", srcLink("latency", p.sources.latency), " · ", srcLink("memory", p.sources.memory)));
    }

    rows() {
      if (!this.cands || this.cands.status !== 200) return [];
      let rows = this.cands.body.points.filter((p) => p.rank != null).sort((a, b) => a.rank - b.rank);
      if (state.rows === "architecture") {
        const seen = new Map();
        for (const p of rows) {
          const have = seen.get(p.architecture);
          if (have) have.n += 1; else seen.set(p.architecture, { ...p, n: 1 });
        }
        rows = [...seen.values()];
      }
      const [key, dir] = (state.sort || "rank-asc").split("-");
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

    drawTable() {
      if (!this.cands || this.cands.status !== 200) return;
      const rows = this.rows();
      const [key, dir] = (state.sort || "rank-asc").split("-");
      const perArch = state.rows === "architecture";
      const head = h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col", "aria-sort": c.key === key ? (dir === "desc" ? "descending" : "ascending") : null },
        h("button", { type: "button", "data-sort": c.key, onclick: () => {
          const nextDir = c.key === key ? (dir === "desc" ? "asc" : "desc") : (c.num && c.key !== "rank" && c.key !== "latency_ms" && c.key !== "memory_mb" ? "desc" : "asc");
          state.sort = c.key === "rank" && nextDir === "asc" ? "" : c.key + "-" + nextDir;
          writeURL(); this.drawTable();
          const again = $(`th button[data-sort="${c.key}"]`, this.altBox); if (again) again.focus();
        } }, c.label))));
      const shown = this.showAll ? rows : rows.slice(0, SHOW_ROWS);
      const body = shown.map((p) => h("tr", { class: p.checkpoint === this.selected ? "is-selected" : null, "data-checkpoint": p.checkpoint },
        COLUMNS.map((c) => c.key === "checkpoint"
          ? h("td", {}, h("button", { type: "button", title: "show on the chart", onclick: () => { this.select(p.checkpoint); this.focusChart(); } }, p.checkpoint),
            perArch && p.n > 1 ? h("span", { class: "opt" }, ` (+${p.n - 1} more of ${p.architecture})`) : null)
          : h("td", {}, c.fmt ? c.fmt(p) : String(c.get(p))))));
      const toggle = h("label", { class: "check" }, h("input", { type: "checkbox", "data-testid": "rows-per-checkpoint", checked: !perArch,
        onchange: (e) => { state.rows = e.target.checked ? "checkpoint" : "architecture"; writeURL(); for (const pn of panels) pn.drawTable(); } }), "one row per checkpoint");
      const csv = h("button", { type: "button", "data-testid": "export-csv", onclick: () => this.exportCsv() }, "Export CSV");
      const total = rows.length;
      this.altBox.replaceChildren(
        h("h3", {}, `Alternatives: ${total} ${perArch ? "architectures" : "checkpoints"} meet the limits`),
        h("div", { class: "toolbar" }, toggle, csv, h("span", { class: "opt" }, "* computed figure")),
        total ? h("div", { class: "tablewrap" }, h("table", { "data-testid": "alternatives" }, h("caption", { class: "skip" }, "Alternatives, sortable by column"), h("thead", {}, head), h("tbody", {}, body))) : h("p", {}, "None: see what to relax above."),
        total > SHOW_ROWS ? h("p", { class: "more" }, h("button", { type: "button", onclick: () => { this.showAll = !this.showAll; this.drawTable(); } },
          this.showAll ? "Show the first " + SHOW_ROWS : "Show all " + total)) : "");
    }

    exportCsv() {
      const cols = ["rank", "checkpoint", "architecture", "device", "runtime", "precision", "batch_size", "input_size", "top1", "fps",
        "latency_ms", "latency_estimated", "memory_mb", "memory_estimated", "params_m", "accuracy_source", "latency_source", "memory_source"];
      const device = this.cands.body.query.device;
      const cell = (v) => { const t = v == null ? "" : String(v); return /[",\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t; };
      const lines = [cols.join(",")].concat(this.rows().map((p) => cols.map((c) => cell(
        c === "device" ? device : c.endsWith("_source") ? p.sources[c.replace("_source", "")] : p[c])).join(",")));
      const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv" });
      const a = h("a", { href: URL.createObjectURL(blob), download: `modelpick-${device}-alternatives.csv` });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    }

    showSources() {
      if (!this.cands || this.cands.status !== 200) { this.srcBox.replaceChildren(); return; }
      const all = this.cands.body.sources;
      const used = new Set();
      if (this.cands.body.best) for (const v of Object.values(this.cands.body.best.sources)) if (v) used.add(v);
      const ids = Object.keys(all).sort((a, b) => used.has(b) - used.has(a) || a.localeCompare(b));
      const items = ids.map((sid) => {
        const e = all[sid];
        const pub = e.published || {};
        const href = pub.url || (pub.repo ? `https://github.com/${pub.repo}/blob/${pub.commit || "HEAD"}/${pub.path || ""}` : null);
        const facts = ["runtime", "precision", "batch", "timing", "memory", "accuracy"].filter((k) => e[k] != null).map((k) => `${k}: ${e[k]}`);
        return h("li", { id: anchorId(this.index, sid), "data-source": sid, tabindex: "-1" },
          h("span", { class: "sid" }, sid), used.has(sid) ? " (the pick)" : "", h("br"),
          href ? h("a", { href, rel: "noopener noreferrer" }, e.title) : e.title,
          facts.length ? h("br") : null, facts.join("; "),
          e.caveats && e.caveats.length ? h("br") : null, e.caveats && e.caveats.length ? "Caveats: " + e.caveats.join("; ") : null);
      });
      const open = this.srcBox.querySelector("details") && this.srcBox.querySelector("details").open;
      this.srcBox.replaceChildren(h("details", { "data-testid": "sources", open: open || null },
        h("summary", {}, h("h3", {}, `Sources: the ${ids.length} tables behind these numbers`)), h("ol", {}, items)));
    }
  }

  // ------------------------------------------------------------------ chart helpers
  function legendItem(mark, text) { return h("li", {}, s("svg", { viewBox: "0 0 22 12", "aria-hidden": "true" }, mark), " ", text); }
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
  /** The front's top-1 / FPS staircase: the points no other front point beats on both axes, by FPS. */
  function staircase(front) {
    const byFps = [...front].sort((a, b) => b.fps - a.fps || b.top1 - a.top1);
    const out = [];
    let best = -Infinity;
    for (const p of byFps) if (p.top1 > best) { out.push(p); best = p.top1; }
    return out.reverse();
  }

  // ------------------------------------------------------------------ start
  document.addEventListener("click", (e) => {
    // a number's source link: bring its entry into view and focus it
    const a = e.target.closest && e.target.closest("a[href^='#src-']");
    if (!a) return;
    const target = document.getElementById(a.getAttribute("href").slice(1));
    if (target) {
      e.preventDefault();
      const det = target.closest("details");
      if (det) det.open = true; history.replaceState(null, "", location.search + a.getAttribute("href")); target.scrollIntoView({ block: "center" }); target.focus(); }
  });

  readURL();
  // on a phone the answer matters more than the rarer settings: fold them once a device is chosen
  if (state.device && window.matchMedia("(max-width: 760px)").matches) $("#more").open = false;
  bindControls();
  syncControls();
  if (state.device) answer(); // the answer does not wait for the suggestions
  loadCoverage().then(() => {
    syncControls();
    // a user who typed before the device list arrived gets the suggestions now, not only at the next key
    [deviceCombo, compareCombo].forEach((c) => { if (c && document.activeElement === c.input && c.input.value.trim()) c.open(); });
    // the answers in flight stay; panels learn their device's name, and an unknown name gets suggestions
    [state.device, state.compare].filter(Boolean).forEach((name, i) => {
      const d = byId.get(nameIndex.get(norm(name)) || "");
      if (!panels[i]) return;
      if (!d) panels[i].unknownDevice(name);
      else panels[i].title.replaceChildren(d.name, " ", h("small", {}, d.id + " · " + d.kind + " · " + coverageText(d)));
    });
  }).catch((err) => { $("#catalog-version").textContent = "Device suggestions unavailable: " + err.message; });
})();
