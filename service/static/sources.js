/* The sources: the public tables behind a panel's numbers, with where each was published and its caveats. */
import { anchorId, h } from "./dom.js?v={{version}}";

/** Panel pn's source list: every table behind its numbers, the pick's first, each a link target. */
export function showSources(pn) {
  if (!pn.cands || pn.cands.status !== 200) { pn.srcBox.replaceChildren(); return; }
  const all = pn.cands.body.sources;
  const used = new Set();
  if (pn.cands.body.best) for (const v of Object.values(pn.cands.body.best.sources)) if (v) used.add(v);
  const ids = Object.keys(all).sort((a, b) => used.has(b) - used.has(a) || a.localeCompare(b));
  const items = ids.map((sid) => {
    const e = all[sid];
    const pub = e.published || {};
    const href = pub.url || (pub.repo ? `https://github.com/${pub.repo}/blob/${pub.commit || "HEAD"}/${pub.path || ""}` : null);
    const facts = ["runtime", "precision", "batch", "timing", "memory", "accuracy"].filter((k) => e[k] != null).map((k) => `${k}: ${e[k]}`);
    return h("li", { id: anchorId(pn.index, sid), "data-source": sid, tabindex: "-1" },
      h("span", { class: "sid" }, sid), used.has(sid) ? " (the pick)" : "", h("br"),
      href ? h("a", { href, rel: "noopener noreferrer" }, e.title) : e.title,
      facts.length ? h("br") : null, facts.join("; "),
      e.caveats && e.caveats.length ? h("br") : null, e.caveats && e.caveats.length ? "Caveats: " + e.caveats.join("; ") : null);
  });
  if (!ids.length) { // nothing to list: say so, not "the 0 tables"
    pn.srcBox.replaceChildren(h("p", { class: "note", "data-testid": "sources" }, "Sources: none, as no candidate was measured in this selection."));
    return;
  }
  const open = pn.srcBox.querySelector("details") && pn.srcBox.querySelector("details").open;
  pn.srcBox.replaceChildren(h("details", { "data-testid": "sources", open: open || null },
    h("summary", {}, h("h3", {}, `Sources: the ${ids.length} tables behind these numbers`)), h("ol", {}, items)));
}
