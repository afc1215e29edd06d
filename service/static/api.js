/* The API client: the only module that talks to the service (this origin only; the CSP allows nothing else).
 *   coverage        devices, their kind and what was measured (suggestions)
 *   candidates      every candidate point of the selection, ranked where it meets the limits, bound and front;
 *                   its `best` is what /recommend answers, or its `problem` the diagnosis */
const JSON_ACCEPT = { Accept: "application/json" };

export async function fetchCoverage() {
  const resp = await fetch("coverage", { headers: JSON_ACCEPT });
  if (!resp.ok) throw new Error("coverage: HTTP " + resp.status);
  return resp.json();
}

/** The candidates for a /recommend query string, as { status, body } (a problem document is a body too). */
export async function fetchCandidates(qs, signal) {
  const r = await fetch("candidates?" + qs, { signal, headers: JSON_ACCEPT });
  return { status: r.status, body: await r.json() };
}
