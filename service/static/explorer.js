/* modelpick explorer: hand-written ES modules, no dependencies, no bundler; everything comes from this origin.
 * This module starts the page. The others, each with one job:
 *   dom.js        element builders and number formatting
 *   state.js      the page's state, which is its query string (the /recommend parameters plus compare, rows, sort)
 *   api.js        the API client (/coverage, /candidates)
 *   devices.js    the device list, its name index, the suggestions and their combo box
 *   form.js       the controls, their field errors, the examples and the relaxations
 *   panel.js      one panel per device: it asks, then shows the answer through
 *   card.js       the answer card and the error box,     diagnosis.js   what to relax when nothing fits,
 *   chart.js      the top-1 / FPS chart,                  table.js       the alternatives,
 *   sources.js    the tables behind the numbers. */
import { deviceOf, loadCoverage } from "./devices.js?v={{version}}";
import { $ } from "./dom.js?v={{version}}";
import { bindControls, fillSelects, openTypedSuggestions, renderExamples, syncControls } from "./form.js?v={{version}}";
import { answer, panels } from "./panel.js?v={{version}}";
import { onChange, readURL, state } from "./state.js?v={{version}}";

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

onChange(answer);
readURL();
// on a phone the answer matters more than the rarer settings: fold them once a device is chosen
if (state.device && window.matchMedia("(max-width: 760px)").matches) $("#more").open = false;
bindControls();
syncControls();
if (state.device) answer(); // the answer does not wait for the suggestions
loadCoverage().then((coverage) => {
  $("#catalog-version").textContent = "Catalog " + coverage.catalog.version + ".";
  renderExamples();
  fillSelects();
  syncControls();
  openTypedSuggestions();
  // the answers in flight stay; panels learn their device's name, and an unknown name gets suggestions
  [state.device, state.compare].filter(Boolean).forEach((name, i) => {
    const d = deviceOf(name);
    if (!panels[i]) return;
    if (!d) panels[i].unknownDevice(name);
    else panels[i].showTitle(d, name);
  });
}).catch((err) => { $("#catalog-version").textContent = "Device suggestions unavailable: " + err.message; });
