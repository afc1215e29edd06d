/* The devices: the coverage list from the service, the name index (id, alias, family), the suggestions and the
 * combo box that offers them. */
import { fetchCoverage } from "./api.js?v={{version}}";
import { h, norm } from "./dom.js?v={{version}}";
import { state } from "./state.js?v={{version}}";

/** The /coverage answer once it arrived (null before). */
export let coverage = null;
export const byId = new Map();
export const nameIndex = new Map(); // normalised id / alias / family -> device id

export async function loadCoverage() {
  coverage = await fetchCoverage();
  for (const d of coverage.devices) {
    byId.set(d.id, d);
    for (const n of [d.id, ...d.aliases]) if (!nameIndex.has(norm(n))) nameIndex.set(norm(n), d.id);
  }
  for (const [fam, id] of Object.entries(coverage.device_families)) if (!nameIndex.has(norm(fam))) nameIndex.set(norm(fam), id);
  return coverage;
}

/** The device a typed name means (id, alias or family), or undefined. */
export const deviceOf = (name) => byId.get(nameIndex.get(norm(name)) || "");

/** [checkpoints at batch 1, at any batch] of the page's task on device d. */
export const counts = (d) => (d.tasks && d.tasks[state.task]) || [0, 0];

export function coverageText(d) {
  const [one, any] = counts(d);
  if (!any) return d.runtimes.length ? `no ${state.task} candidates` : "no candidates";
  const text = one === any ? `${one} candidates` : `${one} at batch 1, ${any} at any batch`;
  return `${d.runtimes.join(", ")} · ${text}`;
}

export function suggestions(text) {
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
    .sort((a, b) => a.score - b.score || counts(b.d)[1] - counts(a.d)[1] || a.d.id.localeCompare(b.d.id))
    .slice(0, 12);
}

/** A device input with its suggestion list (the ARIA combobox pattern); onCommit gets each settled value. */
export class Combo {
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
