/* The panels: one per device asked about (the device, and the compared one). A panel fetches its candidates and
 * hands them to the card or diagnosis, the chart, the table and the sources; answer() makes the panels match
 * the state. */
import { fetchCandidates } from "./api.js?v={{version}}";
import { answerCard, problemBox } from "./card.js?v={{version}}";
import { drawChart, focusChart } from "./chart.js?v={{version}}";
import { coverage, coverageText, deviceOf, suggestions } from "./devices.js?v={{version}}";
import { diagnosis } from "./diagnosis.js?v={{version}}";
import { $, debounce, h } from "./dom.js?v={{version}}";
import { showSources } from "./sources.js?v={{version}}";
import { apiQuery, state, writeURL } from "./state.js?v={{version}}";
import { drawTable } from "./table.js?v={{version}}";

export const panels = [];
let firstAnswer = false;

/** The panels answer the state: one per device, each re-asked; the URL keeps the query. */
export function answer() {
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

function markFirstAnswer() {
  if (!firstAnswer) { firstAnswer = true; performance.mark("modelpick-first-answer"); }
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
    const d = deviceOf(device);
    if (coverage && !d) { this.unknownDevice(device); return; }
    this.showTitle(d, device);
    this.status.textContent = state.estimates ? "Answering (predicting unmeasured latencies can take a few seconds)…" : "Answering…";
    this.root.setAttribute("aria-busy", "true");
    try {
      const res = await fetchCandidates(qs, ctrl.signal);
      if (ctrl.signal.aborted) return;
      this.showAnswer(res);
      this.showCandidates(res);
      showSources(this);
      const b = res.body;
      this.status.textContent = res.status === 200 ? `${b.n_feasible} of ${b.n_candidates} candidates meet the limits` : "";
    } catch (err) {
      if (err.name === "AbortError") return;
      this.status.textContent = "Could not reach the service: " + err.message;
    } finally {
      if (!ctrl.signal.aborted) this.root.removeAttribute("aria-busy");
    }
  }

  /** The device's name and what was measured on it (`d` once the device list is known, else the typed name). */
  showTitle(d, name) {
    this.title.replaceChildren(d ? d.name : name, " ", h("small", {}, d ? d.id + " · " + d.kind + " · " + coverageText(d) : ""));
  }

  /** An unknown device: the names that contain what was typed at once, then the service's close matches (a typo,
   * "jetsn-orin", contains no name but is close to some), as did-you-mean buttons. */
  async unknownDevice(name) {
    if (this.ctrl) this.ctrl.abort();
    const ctrl = this.ctrl = new AbortController();
    this.rec = this.cands = null;
    const near = suggestions(name).slice(0, 4).map((it) => it.d.id);
    this.title.replaceChildren(name);
    this.status.textContent = "";
    const show = () => {
      const pb = { title: "Unknown device", detail: `device '${name}' is not in the catalog` + (near.length ? "; did you mean one of these?" : "; type part of its name to see suggestions."),
        errors: [{ param: "device", close_matches: near }] };
      this.answerBox.replaceChildren(problemBox(pb, this.index));
    };
    show();
    this.chartBox.replaceChildren(); this.altBox.replaceChildren(); this.srcBox.replaceChildren();
    try {
      const res = await fetchCandidates(apiQuery(name).toString(), ctrl.signal);
      const err = (res.body.errors || []).find((e) => e.param === "device");
      if (ctrl.signal.aborted || !err) return;
      for (const m of err.close_matches || []) if (!near.includes(m)) near.push(m);
      near.splice(4);
      show();
    } catch (err) { if (err.name !== "AbortError") this.status.textContent = "Could not reach the service: " + err.message; }
  }

  /** The answer card, or the diagnosis, or the error. */
  showAnswer(res) {
    this.rec = res;
    if (res.status === 200 && res.body.best) {
      this.answerBox.replaceChildren(answerCard(res.body.best, this.index, res.body.metric));
      markFirstAnswer();
    } else if (res.status === 200 && res.body.problem) {
      this.answerBox.replaceChildren(diagnosis(res.body));
      markFirstAnswer();
    } else {
      this.answerBox.replaceChildren(problemBox(res.body, this.index));
    }
  }

  /** The chart and the alternatives. */
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

  drawChart() { drawChart(this, panels); }
  drawTable() { drawTable(this, panels); }
  focusChart() { focusChart(this); }
}
