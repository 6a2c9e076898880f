// MMRare graph dashboard: plain JavaScript over the GraphQL API; no external assets.
"use strict";

const page = document.getElementById("page");
const keyInput = document.getElementById("api-key");
keyInput.value = localStorage.getItem("mmrare-key") || "";
keyInput.addEventListener("change", () => { localStorage.setItem("mmrare-key", keyInput.value.trim()); route(); });

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

async function gql(query, variables = {}) {
  const headers = { "Content-Type": "application/json" };
  const key = localStorage.getItem("mmrare-key");
  if (key) headers["X-API-Key"] = key;
  const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (!response.ok && !body.data) throw new Error(body.detail || response.statusText);
  // a refused or invalid argument is an error to show, never a page drawn from partial data
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

// Who is looking, read once per view: the views ask only for what this caller may see.
let viewer = { role: "public", releaseMode: "open" };
const heldOut = () => viewer.releaseMode === "held-out" && viewer.role !== "maintainer";
// A plain statement of what a view leaves out for this caller, and why (never a red error).
const withheld = (what, why) => `<p class="withheld" role="note"><strong>Withheld:</strong> ${esc(what)}: ${esc(why)}.</p>`;
const OWNERS_ONLY = "scores of a held-out release are shown to their owners only; enter your evaluator key above to see your runs";
const ANSWER_DERIVED = "on a held-out release it is derived from the hidden answers (maintainers only)";
const EXACT_MEANS = "on a held-out release exact means are for maintainers: two submissions that differ in one answer would read it off them";
const LADDER = "on a held-out release each mean you see is the best shown to you so far for that track and group; " +
  "a submission moves it only when it beats it by more than 100/\u221an points, so one changed answer never shows; " +
  "its interval comes from n alone";
const exactMeansHidden = () => heldOut() && viewer.role !== "maintainer";

const fmt = (x) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(1));
// An interval, or a marked gap where too few cases make one (the server sends null below 5 cases).
const ci = (lo, hi, f = fmt) =>
  lo === null || lo === undefined || hi === null || hi === undefined
    ? `<span class="ci" title="fewer than 5 cases: no interval">(no CI, &lt;5 cases)</span>`
    : `<span class="ci">[${f(lo)}, ${f(hi)}]</span>`;

// Charts: plotly.js from the installed plotly package (served at /assets/plotly), themed from the CSS.
// It is 4.6 MB of script, so a page fetches it on its first chart, not on every view (a phone opening the
// leaderboard or the items never parses it).
let plotlyLoading = null;
function chartLibrary() {
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = "/assets/plotly/plotly.min.js";
      tag.onload = resolve;
      tag.onerror = () => {
        plotlyLoading = null; // the next chart tries again
        reject(new Error("the chart library did not load"));
      };
      document.head.appendChild(tag);
    });
  }
  return plotlyLoading;
}

const VIRIDIS = "Viridis"; // perceptually uniform and colour-blind safe
const LINE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]; // Okabe-Ito

async function plot(target, traces, layout) {
  await chartLibrary();
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  const axis = { gridcolor: v("--line"), linecolor: v("--line"), zerolinecolor: v("--line"), automargin: true };
  return Plotly.react(target, traces, {
    paper_bgcolor: v("--panel"), plot_bgcolor: v("--panel"), font: { color: v("--ink"), family: "system-ui, sans-serif", size: 12 },
    margin: { l: 10, r: 10, t: 10, b: 10 }, xaxis: { ...axis, ...(layout.xaxis || {}) }, yaxis: { ...axis, ...(layout.yaxis || {}) },
    ...Object.fromEntries(Object.entries(layout).filter(([k]) => k !== "xaxis" && k !== "yaxis")),
  }, { responsive: true, displaylogo: false });
}

async function report(by, metric, extra = {}) {
  const data = await gql(`query($by: String!, $metric: String!, $under: Int, $leakFree: Boolean!, $track: String) {
    report(by: $by, metric: $metric, under: $under, leakFree: $leakFree, track: $track) {
      judgeOrigin commonItems rows { model runs group n mean ciLow ciHigh }
      means { model runs n micro microCiLow microCiHigh macro family domain params
        commonMicro commonMicroCiLow commonMicroCiHigh complete } } }`,
    { by, metric, under: extra.under ?? null, leakFree: extra.leakFree ?? false, track: extra.track || null });
  return data.report;
}

// The hosted benchmarks, their tracks and leaderboard boards, from the `benchmarks` query (asked once):
// the track selects, the benchmark select, the boards and the heatmap's metrics are built from it, so a
// benchmark added to the service appears here too.
let benchmarkSpecs = null;
let trackOrder = []; // every track, in the order the benchmarks list them (groups sort by it)
async function hostedBenchmarks() {
  if (benchmarkSpecs === null) {
    benchmarkSpecs = await gql("{ benchmarks { name tracks { name contrastMetrics } boards { metric title label } } }")
      .then((d) => d.benchmarks, () => []);
    trackOrder = benchmarkSpecs.flatMap((b) => b.tracks.map((t) => t.name));
  }
  return benchmarkSpecs;
}
// The benchmark the leaderboard and the heatmaps show: the one last chosen, else the first.
function chosenBenchmark(specs) {
  const saved = sessionStorage.getItem("benchmark");
  return specs.find((b) => b.name === saved) || specs[0] || { name: "", tracks: [], boards: [] };
}
// A select of the hosted benchmarks where there are several; choosing one redraws the view.
function benchmarkSelect(specs, chosen) {
  if (specs.length < 2) return "";
  return `<label>Benchmark <select id="benchmark-select">` + specs.map((b) =>
    `<option value="${esc(b.name)}"${b.name === chosen.name ? " selected" : ""}>${esc(b.name)}</option>`).join("") + "</select></label>";
}
function watchBenchmarkSelect() {
  document.getElementById("benchmark-select")?.addEventListener("change", (e) => {
    sessionStorage.setItem("benchmark", e.target.value);
    route();
  });
}
function trackOptions(specs) {
  return specs.map((b) => `<optgroup label="${esc(b.name)}">` +
    b.tracks.map((t) => `<option value="${esc(t.name)}">${esc(t.name)}</option>`).join("") + "</optgroup>").join("");
}
// The item metrics the condition comparisons offer, grouped by the tracks that offer them (a metric
// several tracks share, such as rr, is one option: it compares every such track's runs).
function contrastMetricOptions(specs) {
  const offeredBy = new Map();
  for (const b of specs) for (const t of b.tracks) for (const m of t.contrastMetrics || []) {
    offeredBy.set(m, [...(offeredBy.get(m) || []), `${b.name} ${t.name}`]);
  }
  const groups = new Map();
  for (const [metric, tracks] of offeredBy) groups.set(tracks.join(", "), [...(groups.get(tracks.join(", ")) || []), metric]);
  return [...groups].map(([label, metrics]) => `<optgroup label="${esc(label)}">` +
    metrics.map((m) => `<option value="${esc(m)}">${esc(m)}</option>`).join("") + "</optgroup>").join("");
}
const PREVALENCE = [">1 / 1000", "6-9 / 10 000", "1-5 / 10 000", "1-9 / 100 000", "1-9 / 1 000 000",
  "<1 / 1 000 000", "Unknown", "Not yet documented", "no data"];

function groupOrder(a, b) {
  for (const order of [trackOrder, PREVALENCE]) {
    if (order.includes(a) && order.includes(b)) return order.indexOf(a) - order.indexOf(b);
  }
  return a.localeCompare(b);
}

function pivot(rows) {
  const models = [...new Set(rows.map((r) => r.model))].sort();
  const groups = [...new Set(rows.map((r) => r.group))].sort(groupOrder);
  const cell = new Map(rows.map((r) => [`${r.model}\u0000${r.group}`, r]));
  return { models, groups, cell };
}

function table(title, rep, { heat = false, summary = null } = {}) {
  const { models, groups, cell } = pivot(rep.rows);
  if (!models.length) return `<h2>${esc(title)}</h2><p>No scored runs yet.</p>`;
  const means = new Map(rep.means.map((m) => [m.model, m])); // one row per model: its track runs pooled
  let html = `<h2>${esc(title)}</h2><table class="${heat ? "heat" : ""}"><thead><tr><th scope="col">Model</th>`;
  html += groups.map((g) => `<th scope="col">${esc(g)}</th>`).join("");
  if (summary) html += `<th scope="col">${esc(summary)}</th>`;
  html += "</tr></thead><tbody>";
  for (const model of models) {
    const pooled = means.get(model)?.runs.length ?? 0;
    html += `<tr><th scope="row" title="${pooled} run(s) pooled">${esc(model)}</th>`;
    for (const group of groups) {
      const r = cell.get(`${model}\u0000${group}`);
      if (!r) { html += "<td>–</td>"; continue; }
      html += `<td class="num cell" title="n=${r.n}">${fmt(r.mean)} ${ci(r.ciLow, r.ciHigh)}</td>`;
    }
    if (summary) {
      const m = means.get(model);
      html += `<td class="num">${fmt(m ? m[summary] : null)}</td>`;
    }
    html += "</tr>";
  }
  return html + "</tbody></table>";
}

// A ranked, sortable leaderboard: one row per model (its track runs pooled). Ranked on the items every
// model answered ("common"), so a model with two tracks is never ranked against one with four on other
// questions; its own micro (all its items) beside it, and a model missing items marked incomplete.
// Sorting by a track's column ranks by that track.
// The columns of a board over some tracks (the chosen benchmark's).
const boardColumns = (tracks) => [
  { key: "rank", label: "Rank", num: true }, { key: "model", label: "Model" }, { key: "family", label: "Family" },
  { key: "domain", label: "Domain" }, { key: "params", label: "Params" },
  ...tracks.map((t) => ({ key: t, label: t, num: true, track: true })),
  { key: "common", label: "common items", num: true }, { key: "micro", label: "micro (own items)", num: true },
  { key: "n", label: "n", num: true }, { key: "runs", label: "runs" }, { key: "complete", label: "complete" },
];

function boardRows(rep, tracks) {
  const { cell } = pivot(rep.rows);
  const ranked = [...rep.means].sort((a, b) => (b.commonMicro ?? -1) - (a.commonMicro ?? -1) || a.model.localeCompare(b.model));
  return ranked.map((m, k) => {
    // the runs that make the row: per dataset, the one chosen with `mmrare runs use`, else the newest
    const row = { rank: k + 1, model: m.model, runs: m.runs.join(", "), family: m.family, domain: m.domain, complete: m.complete ? "yes" : "incomplete",
      params: m.params, n: m.n, micro: m.micro, common: m.commonMicro,
      cells: { micro: m.micro === null ? null : { mean: m.micro, ciLow: m.microCiLow, ciHigh: m.microCiHigh },
        common: m.commonMicro === null ? null : { mean: m.commonMicro, ciLow: m.commonMicroCiLow, ciHigh: m.commonMicroCiHigh, n: rep.commonItems } } };
    for (const t of tracks) {
      const r = cell.get(`${m.model}\u0000${t}`);
      row[t] = r ? r.mean : null;
      row.cells[t] = r || null;
    }
    return row;
  });
}

function boardBody(rows, columns) {
  return rows.map((row) => "<tr>" + columns.map((c) => {
    if (c.key === "model") return `<th scope="row" title="${esc(row.model)}">${esc(row.model)}</th>`;
    const r = row.cells[c.key];
    if (r !== undefined) {
      return r ? `<td class="num cell" title="n=${r.n ?? row.n}">${fmt(r.mean)} ${ci(r.ciLow, r.ciHigh)}</td>` : "<td>–</td>";
    }
    return `<td${c.num ? ' class="num"' : ""}>${esc(row[c.key] ?? "–")}</td>`;
  }).join("") + "</tr>").join("");
}

function board(id, title, rep, metric, tracks, leakFree = false) {
  const rows = boardRows(rep, tracks);
  const columns = boardColumns(tracks).filter((c) => !c.track || rows.some((r) => r.cells[c.key]));
  if (!rows.length) return `<h2>${esc(title)}</h2><p>No scored runs yet.</p>`;
  const head = columns.map((c) => `<th scope="col" aria-sort="${c.key === "rank" ? "ascending" : "none"}">` +
    `<button type="button" class="sort" data-board="${id}" data-key="${c.key}">${esc(c.label)}</button></th>`).join("");
  boards[id] = { rows, columns, key: "rank", up: true };
  const origin = `<p class="note">Scored by: ${esc(rep.judgeOrigin)}</p>`;
  return `<section class="board"><h2>${esc(title)}</h2>` +
    `<button type="button" class="csv" data-metric="${metric}" data-leak-free="${leakFree}">Download CSV</button>` +
    `<div class="scroll"><table id="board-${id}"><thead><tr>${head}</tr></thead><tbody>${boardBody(rows, columns)}</tbody></table></div>${origin}</section>`;
}

const boards = {};
const boardId = (metric) => metric.replace(/[^A-Za-z0-9_-]/g, "-"); // hit@1 -> board-hit-1

function sortBoard(id, key) {
  const b = boards[id];
  b.up = b.key === key ? !b.up : key === "rank" || key === "model" || !b.columns.find((c) => c.key === key)?.num;
  b.key = key;
  const value = (r) => r[key];
  b.rows.sort((x, y) => {
    const a = value(x), c = value(y);
    if (a === null || a === undefined) return 1;  // missing values last, whatever the direction
    if (c === null || c === undefined) return -1;
    const order = typeof a === "number" ? a - c : String(a).localeCompare(String(c));
    return b.up ? order : -order;
  });
  const table = document.getElementById(`board-${id}`);
  table.querySelector("tbody").innerHTML = boardBody(b.rows, b.columns);
  table.querySelectorAll("thead th").forEach((th) => {
    const mine = th.querySelector("button").dataset.key === key;
    th.setAttribute("aria-sort", mine ? (b.up ? "ascending" : "descending") : "none");
  });
}

// The headline: the authors' evaluator's own keys (`mmrare report --reference`), per model and track
// (per input condition for MRareBench), before any number of ours.
function referenceTable(rows) {
  const head = "<h2>The authors' evaluator's keys</h2><p>What VLMEvalKit's <code>evaluate()</code> returns for each " +
    "model and track (MRareBench: input condition), without a judge: <code>diagnosis_f1</code> (x100), " +
    "<code>substring_match</code> (0-1), MRareBench's recall and evidence keys. The boards below are ours.</p>";
  if (!rows.length) return head + "<p>No run to show.</p>";
  const shown = (r) => r.metrics.filter((m) => ["diagnosis_f1", "substring_match", "MRR", "recall@1",
    "det_required_recall@0.5"].includes(m.key));
  let html = `<div class="scroll"><table id="reference-keys"><thead><tr><th scope="col">Model</th><th scope="col">Track</th>` +
    `<th scope="col">Keys</th><th scope="col">n_total</th></tr></thead><tbody>`;
  for (const r of rows) {
    const keys = shown(r).map((m) => `${esc(m.key)} ${m.value === null ? "–" : m.value.toFixed(m.key === "diagnosis_f1" ? 2 : 4)}`).join(", ");
    html += `<tr><th scope="row">${esc(r.model)}</th><td>${esc(r.label)}</td><td>${keys || "–"}</td><td class="num">${r.nTotal}</td></tr>`;
  }
  return head + html + "</tbody></table></div>";
}

// phenopacket-store: the pheval.llm study's own table per run (model and prompt language), then ours.
function studyTable(rows) {
  if (!rows.length) return "";
  const pct = (v) => (v === null || v === undefined ? "–" : (100 * v).toFixed(2));
  const value = (list, key) => (list.find((m) => m.key === key) || {}).value;
  let html = "<h2>phenopacket-store: the GPT-4o study's table</h2><p>Counted by the study's own rule (the file's " +
    "<code>is_correct</code>; top-k over the cases each file answers), then ours: the candidates grounded to Orphanet " +
    "(strict: the gold's ORPHAcode; lenient: a small group containing it, or a subtype). Attribution: " +
    "phenopacket-store and pheval.llm (Monarch Initiative, BSD-3), Chimirri et al., eBioMedicine 2025.</p>" +
    `<div class="scroll"><table id="study-table"><thead><tr>` +
    ["Model", "Language", "Cases", "n1", "nf", "grounding failed", "Top-1 %", "Top-3 %", "Top-10 %", "MRR",
      "Strict top-1 % (ours)", "Lenient top-1 % (ours)"].map((h) => `<th scope="col">${h}</th>`).join("") +
    "</tr></thead><tbody>";
  for (const r of rows) {
    const m = r.metrics;
    html += `<tr><th scope="row">${esc(r.model)}</th><td>${esc(r.condition)}</td><td class="num">${value(m, "num_cases")}</td>` +
      `<td class="num">${value(m, "n1")}</td><td class="num">${value(m, "nf")}</td><td class="num">${value(m, "grounding_failed")}</td>` +
      `<td class="num">${pct(value(m, "top1"))}</td><td class="num">${pct(value(m, "top3"))}</td><td class="num">${pct(value(m, "top10"))}</td>` +
      `<td class="num">${(value(m, "mrr") ?? 0).toFixed(4)}</td><td class="num">${pct(value(r.ours, "strict_top1"))}</td>` +
      `<td class="num">${pct(value(r.ours, "lenient_top1"))}</td></tr>`;
  }
  return html + "</tbody></table></div>";
}

async function downloadCsv(metric, leakFree) {
  const headers = {};
  const key = localStorage.getItem("mmrare-key");
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(`/exports/leaderboard.csv?metric=${encodeURIComponent(metric)}&leak_free=${leakFree}`, { headers });
  if (!response.ok) throw new Error(`the CSV export answered ${response.status}`);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = `leaderboard-${metric}${leakFree === "true" ? "-leak-free" : ""}.csv`;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

const pages = {
  async leaderboard(stale) {
    if (heldOut() && viewer.role === "public") {
      page.innerHTML = `<h2>Leaderboard</h2>${withheld("every score", OWNERS_ONLY)}`;
      return;
    }
    const specs = await hostedBenchmarks();
    const bench = chosenBenchmark(specs);
    const tracks = bench.tracks.map((t) => t.name);
    const [reference, study, reports, clean] = await Promise.all([
      exactMeansHidden() ? null
        : gql("query($b: String) { referenceScores(benchmark: $b) { model label nTotal metrics { key value } } }", { b: bench.name || null })
          .then((d) => d.referenceScores),
      // a benchmark not every graph holds: no table (or none visible to this caller) draws nothing
      exactMeansHidden() ? []
        : gql("{ studyTables { model condition tracks metrics { key value } ours { key value } } }").then((d) => d.studyTables, () => []),
      Promise.all(bench.boards.map((b) => report("track", b.metric))),
      heldOut() || !bench.boards.length ? null : report("track", bench.boards[0].metric, { leakFree: true }),
    ]);
    if (stale()) return;
    const studyRows = study.filter((r) => r.tracks.some((t) => tracks.includes(t)));
    const first = bench.boards[0];
    page.innerHTML = `<h2>Leaderboard</h2><div class="controls">${benchmarkSelect(specs, bench)}</div>` +
      (first ? "<p>Ranked on the items every ranked model answered (<em>common items</em>, " +
      `n=${reports[0].commonItems} for the first board), so no model is ranked on other questions than another; ` +
      "<em>micro</em> is the mean over all of a model's own items (its track runs pooled), and a model missing items " +
      "is marked incomplete. Means x100 with 95% intervals (bootstrap over cases). Select a column heading to sort " +
      "by it (a track's column ranks by that track).</p>"
        : `<p>${esc(bench.name)} has no pooled board: its runs answer under input conditions, each scored by its ` +
          "authors' rules (below) and compared per condition in the Conditions view.</p>") +
      (reference ? (reference.length || !studyRows.length ? referenceTable(reference) : "")
        : `<h2>The authors' evaluator's keys</h2>${withheld("the reference's keys and study tables", EXACT_MEANS)}` +
          withheld("exact means", LADDER)) + studyTable(studyRows) +
      bench.boards.map((b, k) => board(boardId(b.metric), b.title, reports[k], b.metric, tracks)).join("") +
      (!first ? "" : clean ? board("clean", `${first.title} on the leak-free subset`, clean, first.metric, tracks, true)
        : `<h2>${esc(first.title)} on the leak-free subset</h2>${withheld("the leak-free subset", ANSWER_DERIVED)}`) +
      (heldOut() ? withheld("other evaluators' runs, and means over fewer items than the release's minimum group",
        "this release is held out: you see your own runs") : "");
    watchBenchmarkSelect();
    page.querySelectorAll("button.sort").forEach((b) => b.addEventListener("click", () => sortBoard(b.dataset.board, b.dataset.key)));
    page.querySelectorAll("button.csv").forEach((b) => b.addEventListener("click", () =>
      downloadCsv(b.dataset.metric, b.dataset.leakFree).catch((e) => { b.insertAdjacentHTML("afterend", `<p class="error">${esc(e.message)}</p>`); })));
  },

  async heatmap() {
    if (heldOut() && viewer.role === "public") {
      page.innerHTML = `<h2>Heatmaps</h2>${withheld("every score", OWNERS_ONLY)}`;
      return;
    }
    const specs = await hostedBenchmarks();
    const bench = chosenBenchmark(specs);
    if (!bench.boards.length) {
      page.innerHTML = `<h2>Heatmaps</h2><div class="controls">${benchmarkSelect(specs, bench)}</div>` +
        `<p>${esc(bench.name)} has no pooled scores to slice: its runs are compared per input condition in the Conditions view.</p>`;
      watchBenchmarkSelect();
      return;
    }
    const state = JSON.parse(sessionStorage.getItem("heat") || '{"by":"head","mean":"micro","track":"","showN":true}');
    if (heldOut() && state.by === "class") state.by = "head";
    // a track or metric of another benchmark falls back to this one's first
    if (!bench.tracks.some((t) => t.name === state.track)) state.track = "";
    if (!bench.boards.some((b) => b.metric === state.metric)) state.metric = bench.boards[0].metric;
    page.innerHTML = `<h2>Heatmaps</h2><div class="controls">${benchmarkSelect(specs, bench)}
      <label>Rows by <select id="heat-by"><option value="head">Orphanet head</option>
        <option value="prevalence">Prevalence class</option>${heldOut() ? "" : '<option value="class">Children of a class</option>'}</select></label>
      <label>Track <select id="heat-track"><option value="">all tracks</option>${bench.tracks.map((t) => `<option>${esc(t.name)}</option>`).join("")}</select></label>
      <label>Metric <select id="heat-metric">${bench.boards.map((b) => `<option value="${esc(b.metric)}">${esc(b.label)}</option>`).join("")}</select></label>
      <label>Summary <select id="heat-mean"><option value="micro">micro (items)</option><option value="macro">macro (groups)</option></select></label>
      <label class="inline"><input type="checkbox" id="heat-n"> n in cells</label>
      ${heldOut() ? "" : `<label>Class (type to search) <input id="heat-search" autocomplete="off" value="${esc(state.label || "")}"></label>`}
      </div>${heldOut() ? withheld("slicing under a class", ANSWER_DERIVED) : ""}<ul class="suggestions" id="heat-suggest"></ul><div id="heat-body">Loading…</div>`;
    const by = document.getElementById("heat-by"), mean = document.getElementById("heat-mean");
    const track = document.getElementById("heat-track"), showN = document.getElementById("heat-n");
    const metric = document.getElementById("heat-metric");
    metric.value = state.metric;
    watchBenchmarkSelect();
    by.value = state.by; mean.value = state.mean; track.value = state.track || ""; showN.checked = state.showN !== false;
    const save = () => sessionStorage.setItem("heat", JSON.stringify(state));
    let latest = 0;
    const draw = async () => {
      const body = document.getElementById("heat-body");
      if (state.by === "class" && !state.under) { body.innerHTML = "<p>Search a class to slice by its children.</p>"; return; }
      const mine = ++latest;
      body.setAttribute("aria-busy", "true");
      body.insertAdjacentHTML("afterbegin", '<p class="loading note">Loading…</p>');  // the old chart stays until the new one comes
      const rep = await report(state.by, state.metric, { under: state.under ?? null, track: state.track });
      if (mine !== latest || !document.body.contains(body)) return; // superseded, or the page was left
      body.removeAttribute("aria-busy");
      const where = state.track ? ` (${state.track})` : "";
      const name = bench.boards.find((b) => b.metric === state.metric).label;
      const label = state.by === "class" ? `${name} under ${state.label}${where}` : `${name} by ${state.by}${where}`;
      const { groups, cell } = pivot(rep.rows);
      // models across in rank order (the mean over the items all of them answered), best first
      const models = [...rep.means].sort((a, b) => (b.commonMicro ?? -1) - (a.commonMicro ?? -1) || a.model.localeCompare(b.model))
        .map((m) => m.model).filter((m) => rep.rows.some((r) => r.model === m));
      if (!models.length) {
        body.innerHTML = `<h2>${esc(label)}</h2><p>No scored items ${state.by === "class" ? "under this class" : "yet"}.</p>`;
        return;
      }
      body.innerHTML = `<h2>${esc(label)}</h2><div id="heat-chart" class="chart" role="img" aria-label="${esc(label)}: rows are groups, columns models"></div>` +
        `<div class="scroll">${table("The same numbers", rep, { heat: true, summary: state.mean })}</div>` +
        `<p class="note">Scored by: ${esc(rep.judgeOrigin)}</p>`;
      // transposed: groups down the side, so 33 heads stay readable; models across
      const z = groups.map((g) => models.map((m) => cell.get(`${m}\u0000${g}`)?.mean ?? null));
      const text = groups.map((g) => models.map((m) => {
        const r = cell.get(`${m}\u0000${g}`);
        return r ? (showN.checked ? `${fmt(r.mean)}<br>n=${r.n}` : fmt(r.mean)) : "";
      }));
      const hover = groups.map((g) => models.map((m) => {
        const r = cell.get(`${m}\u0000${g}`);
        return r ? `${m}<br>${g}<br>${fmt(r.mean)} ${r.ciLow === null ? "(no CI, <5 cases)" : `[${fmt(r.ciLow)}, ${fmt(r.ciHigh)}]`}, n=${r.n}` : `${m}<br>${g}<br>no items`;
      }));
      // on a phone, long group names are shortened on the axis (the hover and the table keep them whole)
      const room = body.clientWidth < 600 ? 22 : 80;
      const short = (g) => (g.length > room ? `${g.slice(0, room - 1)}…` : g);
      await plot("heat-chart", [{
        type: "heatmap", x: models, y: groups, z, text, texttemplate: "%{text}", customdata: hover, hovertemplate: "%{customdata}<extra></extra>",
        colorscale: VIRIDIS, zmin: 0, zmax: 100, xgap: 2, ygap: 2,
        colorbar: { title: { text: "score x100", side: "right" }, thickness: 12 },
      }], { height: Math.max(260, 26 * groups.length + 120),
        yaxis: { autorange: "reversed", title: { text: state.by }, tickvals: groups, ticktext: groups.map(short) },
        xaxis: { side: "top", title: { text: "model" } } });
    };
    by.addEventListener("change", () => { state.by = by.value; save(); draw(); });
    track.addEventListener("change", () => { state.track = track.value; save(); draw(); });
    mean.addEventListener("change", () => { state.mean = mean.value; save(); draw(); });
    metric.addEventListener("change", () => { state.metric = metric.value; save(); draw(); });
    showN.addEventListener("change", () => { state.showN = showN.checked; save(); draw(); });
    const search = document.getElementById("heat-search"), suggest = document.getElementById("heat-suggest");
    search?.addEventListener("input", async () => {
      if (search.value.length < 2) { suggest.innerHTML = ""; return; }
      const data = await gql("query($s: String!) { diseases(search: $s, limit: 8) { orphaCode name group } }", { s: search.value });
      suggest.innerHTML = data.diseases.map((d) =>
        `<li><button type="button" data-code="${d.orphaCode}" data-name="${esc(d.name)}">${esc(d.name)} (ORPHA:${d.orphaCode}${d.group ? `, ${esc(d.group)}` : ""})</button></li>`).join("");
      suggest.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => {
        state.under = Number(b.dataset.code); state.label = b.dataset.name; state.by = "class"; by.value = "class";
        search.value = b.dataset.name; suggest.innerHTML = ""; save(); draw();
      }));
    });
    await draw();
  },

  async rarity(stale) {
    if (heldOut() && viewer.role === "public") {
      page.innerHTML = `<h2>Rarity curve</h2>${withheld("every score", OWNERS_ONLY)}`;
      return;
    }
    const rep = await report("prevalence", "offline");
    if (stale()) return;
    const { models, groups, cell } = pivot(rep.rows);
    const ORDERED = PREVALENCE.slice(0, 6), UNORDERED = PREVALENCE.slice(6);
    const ordered = ORDERED.filter((g) => groups.includes(g)), apart = UNORDERED.filter((g) => groups.includes(g));
    page.innerHTML = `<h2>Rarity curve</h2><p>Judge score (x100) against the headline prevalence class, most to least frequent, ` +
      `with 95% intervals (bootstrap over cases). Classes without an order (unknown, not yet documented, no data) are shown apart, on the right.</p>` +
      `<p class="note">Judge: ${esc(rep.judgeOrigin)}</p><div id="rarity-chart" class="chart" role="img" aria-label="Score by prevalence class per model"></div>` +
      `<div class="scroll">${table("The same numbers", rep)}</div>`;
    if (!models.length) return;
    const traces = [];
    models.forEach((m, k) => {
      const colour = LINE_COLOURS[k % LINE_COLOURS.length];
      const on = ordered.filter((g) => cell.get(`${m}\u0000${g}`));
      const r = (g) => cell.get(`${m}\u0000${g}`);
      // the 95% band: the upper edge, then the lower edge filled up to it
      traces.push({ x: on, y: on.map((g) => r(g).ciHigh), mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false, legendgroup: m });
      traces.push({ x: on, y: on.map((g) => r(g).ciLow), mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: `${colour}33`,
        hoverinfo: "skip", showlegend: false, legendgroup: m });
      traces.push({ x: on, y: on.map((g) => r(g).mean), mode: "lines+markers", name: m, legendgroup: m, line: { color: colour, width: 2 },
        marker: { size: 8, symbol: k % 6 }, customdata: on.map((g) => [r(g).ciLow, r(g).ciHigh, r(g).n]),
        hovertemplate: `${esc(m)}<br>%{x}: %{y:.1f} [%{customdata[0]:.1f}, %{customdata[1]:.1f}], n=%{customdata[2]}<extra></extra>` });
      const off = apart.filter((g) => r(g));
      if (off.length) {
        traces.push({ x: off, y: off.map((g) => r(g).mean), xaxis: "x2", mode: "markers", name: `${m} (unordered)`, legendgroup: m, showlegend: false,
          marker: { color: colour, size: 9, symbol: k % 6 },
          error_y: { type: "data", symmetric: false, array: off.map((g) => (r(g).ciHigh === null ? 0 : r(g).ciHigh - r(g).mean)),
            arrayminus: off.map((g) => (r(g).ciLow === null ? 0 : r(g).mean - r(g).ciLow)), color: colour },
          customdata: off.map((g) => r(g).n), hovertemplate: `${esc(m)}<br>%{x}: %{y:.1f}, n=%{customdata}<extra></extra>` });
      }
    });
    const narrow = document.getElementById("rarity-chart").clientWidth < 600;
    // on a phone the classes are written short and slanted, so no label runs into the next
    const SHORT = { ">1 / 1000": ">1/1k", "6-9 / 10 000": "6-9/10k", "1-5 / 10 000": "1-5/10k", "1-9 / 100 000": "1-9/100k",
      "1-9 / 1 000 000": "1-9/1M", "<1 / 1 000 000": "<1/1M", "Not yet documented": "not yet doc." };
    const ticks = (groups) => (narrow ? { tickvals: groups, ticktext: groups.map((g) => SHORT[g] || g), tickangle: -45 } : {});
    await plot("rarity-chart", traces, {
      height: narrow ? 500 : 380, legend: { orientation: "h", y: narrow ? -0.75 : -0.35 },
      xaxis: { domain: apart.length ? [0, 0.74] : [0, 1], title: { text: narrow ? "prevalence (most frequent first)" : "prevalence class (most frequent first)" },
        categoryorder: "array", categoryarray: ordered, ...ticks(ordered) },
      xaxis2: { domain: [0.8, 1], anchor: "y", title: { text: narrow ? "" : "no order" }, categoryorder: "array", categoryarray: apart,
        automargin: true, ...ticks(apart) },
      yaxis: { title: { text: "judge score (x100)" }, range: [-2, 102] },
    });
  },

  async coverage(stale) {
    if (heldOut() && viewer.role !== "maintainer") {
      page.innerHTML = `<h2>Coverage of Orphanet</h2>${withheld("the coverage map", ANSWER_DERIVED)}`;
      return;
    }
    const state = JSON.parse(sessionStorage.getItem("coverage") || '{"by":"head"}');
    page.innerHTML = `<h2>Coverage of Orphanet</h2><p>For each hosted benchmark and release, the share of each Orphanet ` +
      `group's disorders that some item answers (a subtype's item covers the disorder above it). A disorder counts under ` +
      `every head it descends from; the linearised head is Orphanet's one head per disorder. The table gives the items, ` +
      `cases, publications and disorders behind each bar, and the disorders no benchmark covers.</p>
      <div class="controls"><label>Groups <select id="cov-by"><option value="head">Orphanet head</option>
        <option value="linearised">linearised head</option><option value="prevalence">prevalence class</option></select></label></div>
      <div id="cov-body">Loading…</div>`;
    const by = document.getElementById("cov-by");
    by.value = state.by;
    by.addEventListener("change", () => { sessionStorage.setItem("coverage", JSON.stringify({ by: by.value })); route(); });
    const data = await gql(`query($by: String!) { coverage(by: $by) { by cells { benchmark group items cases publications
      diseases disorders uncovered } shared { a b diseases publications images } } }`, { by: state.by });
    if (stale()) return;
    const body = document.getElementById("cov-body"), cells = data.coverage.cells;
    if (!cells.length) {
      body.innerHTML = "<p>No benchmark items in the graph yet.</p>";
      return;
    }
    const benchmarks = [...new Set(cells.map((c) => c.benchmark))];
    const size = new Map(), uncovered = new Map();
    cells.forEach((c) => { size.set(c.group, c.disorders); uncovered.set(c.group, c.uncovered); });
    // groups largest first (the chart draws the first at the top); "no group" last
    const groups = [...size.keys()].sort((a, b) => (a === "no group") - (b === "no group") || size.get(b) - size.get(a) || a.localeCompare(b));
    const at = new Map(cells.map((c) => [`${c.benchmark}\u0000${c.group}`, c]));
    body.innerHTML = `<div id="cov-chart" class="chart" role="img" aria-label="Share of each group's disorders covered, per benchmark"></div>` +
      `<div class="scroll"><table id="cov-table"><caption>Per group: disorders in Orphanet, covered by no benchmark, and ` +
      `per benchmark items / cases / publications / disorders covered</caption><thead><tr><th scope="col">Group</th>` +
      `<th scope="col">Disorders</th><th scope="col">Uncovered</th>` +
      benchmarks.map((b) => `<th scope="col">${esc(b)}</th>`).join("") + "</tr></thead><tbody>" +
      groups.map((g) => `<tr><th scope="row">${esc(g)}</th><td>${size.get(g)}</td><td>${uncovered.get(g) ?? "–"}</td>` +
        benchmarks.map((b) => {
          const c = at.get(`${b}\u0000${g}`);
          return `<td>${c ? `${c.items} / ${c.cases} / ${c.publications} / <strong>${c.diseases}</strong>` : "–"}</td>`;
        }).join("") + "</tr>").join("") + "</tbody></table></div>" +
      (data.coverage.shared.length ? `<h3>What two benchmarks share</h3><div class="scroll"><table id="cov-shared"><thead><tr>` +
        ["Benchmark", "and", "Disorders", "Publications", "Images"].map((h) => `<th scope="col">${h}</th>`).join("") +
        "</tr></thead><tbody>" + data.coverage.shared.map((x) => `<tr><td>${esc(x.a)}</td><td>${esc(x.b)}</td><td>${x.diseases}</td>` +
          `<td>${x.publications}</td><td>${x.images}</td></tr>`).join("") + "</tbody></table></div>" : "");
    const narrow = document.getElementById("cov-chart").clientWidth < 600;
    // long head names are written short on the axis ("Rare " dropped, cut with an ellipsis); hovers say them whole
    const room = narrow ? 24 : 48;
    const short = (g) => { const t = g.replace(/^Rare /, ""); return t.length > room ? `${t.slice(0, room - 1)}…` : t; };
    const traces = benchmarks.map((b, k) => {
      const here = groups.map((g) => at.get(`${b}\u0000${g}`));
      return { type: "bar", orientation: "h", name: b, y: groups, x: here.map((c) => (c && c.disorders ? (100 * c.diseases) / c.disorders : 0)),
        marker: { color: LINE_COLOURS[k % LINE_COLOURS.length] },
        customdata: here.map((c, i) => [groups[i], c ? c.diseases : 0, size.get(groups[i]), c ? c.items : 0]),
        hovertemplate: `${esc(b)}<br>%{customdata[0]}: %{customdata[1]} of %{customdata[2]} disorders (%{x:.1f}%), %{customdata[3]} items<extra></extra>` };
    });
    await plot("cov-chart", traces, {
      barmode: "group", height: Math.max(300, groups.length * (8 + 7 * benchmarks.length) + 120),
      legend: { orientation: "h", y: 1, yanchor: "bottom", x: 0 },
      xaxis: { title: { text: narrow ? "% of group covered" : "disorders covered (% of the group)" }, rangemode: "tozero" },
      yaxis: { autorange: "reversed", tickvals: groups, ticktext: groups.map(short), tickfont: { size: narrow ? 11 : 12 } },
    });
  },

  async conditions() {
    if (exactMeansHidden()) {
      page.innerHTML = `<h2>Input conditions</h2>${withheld("every comparison", viewer.role === "public" ? OWNERS_ONLY : EXACT_MEANS)}`;
      return;
    }
    const state = JSON.parse(sessionStorage.getItem("conditions") || '{"by":"head","metric":"rr"}');
    const specs = await hostedBenchmarks();
    page.innerHTML = `<h2>Input conditions</h2><p>One model's items under two input conditions, paired item by item. ` +
      `phenopacket-store (the GPT-4o study): English minus each other prompt language, by the study's judgement (rr, hit@k); ` +
      `intervals resample publications. MRareBench: ` +
      `T1 (ranked differentials): findings disclosed minus baseline measures textual leakage; baseline minus text only measures what the images add. ` +
      `T2 (evidence verification): gold minus diagnosis withheld measures what the given diagnosis adds; gold minus text only what the images add. ` +
      `Each row is the mean difference with its 95% interval (bootstrap over cases); a difference right of zero means the ` +
      `second condition scores higher. Items are stratified by their disease's Orphanet head or prevalence class.</p>
      <div class="controls">
      <label>Strata <select id="cond-by"><option value="head">Orphanet head</option><option value="prevalence">Prevalence class</option>
        <option value="none">none (all items)</option></select></label>
      <label>Item metric <select id="cond-metric">${contrastMetricOptions(specs)}</select></label>
      </div><div id="cond-body">Loading…</div>`;
    const by = document.getElementById("cond-by"), metric = document.getElementById("cond-metric");
    by.value = state.by; metric.value = state.metric;
    let latest = 0;
    const draw = async () => {
      const body = document.getElementById("cond-body");
      const mine = ++latest;
      body.insertAdjacentHTML("afterbegin", '<p class="loading note">Loading…</p>');  // until the new rows come
      const data = await gql(`query($by: String!, $metric: String!) { conditionContrasts(by: $by, metric: $metric) {
        model measures stratum n meanA meanB difference ciLow ciHigh pValue } }`, { by: state.by, metric: state.metric });
      if (mine !== latest || !document.body.contains(body)) return; // superseded, or the page was left
      const rows = data.conditionContrasts;
      if (!rows.length) {
        body.innerHTML = "<p>No model has MRareBench runs under two input conditions yet (import the release with " +
          "<code>--benchmark MRareBench</code>, then its <code>_MRareBench_Diagnosis[_FD|_TO]</code> prediction files).</p>";
        return;
      }
      const measures = [...new Set(rows.map((r) => r.measures))];
      const three = (x) => (x === null || x === undefined ? "–" : x.toFixed(3));
      let html = "";
      measures.forEach((m, k) => {
        html += `<h3>${esc(m)}</h3><div id="cond-chart-${k}" class="chart" role="img" aria-label="${esc(m)}: the difference per stratum and model"></div>`;
      });
      html += `<div class="scroll"><table id="cond-table"><caption>The same numbers (${esc(state.metric)})</caption><thead><tr>` +
        ["Model", "Compares", "Stratum", "n", "First", "Second", "Difference", "95% CI", "p"].map((h) => `<th scope="col">${h}</th>`).join("") +
        "</tr></thead><tbody>";
      for (const r of rows) {
        html += `<tr><th scope="row">${esc(r.model)}</th><td>${esc(r.measures)}</td><td>${esc(r.stratum)}</td><td class="num">${r.n}</td>` +
          `<td class="num">${three(r.meanA)}</td><td class="num">${three(r.meanB)}</td><td class="num">${r.difference >= 0 ? "+" : ""}${three(r.difference)}</td>` +
          `<td class="num">${ci(r.ciLow, r.ciHigh, three)}</td><td class="num">${three(r.pValue)}</td></tr>`;
      }
      body.innerHTML = html + "</tbody></table></div>";
      const models = [...new Set(rows.map((r) => r.model))];
      const room = body.clientWidth < 600 ? 22 : 60;
      const short = (g) => (g.length > room ? `${g.slice(0, room - 1)}…` : g);
      for (const [k, m] of measures.entries()) {
        const mine = rows.filter((r) => r.measures === m);
        const strata = [...new Set(mine.map((r) => r.stratum))]; // "all items" first, then the strata in order
        const traces = models.map((model, j) => {
          const own = mine.filter((r) => r.model === model);
          return {
            type: "scatter", mode: "markers", orientation: "h", name: model, y: own.map((r) => r.stratum), x: own.map((r) => r.difference),
            marker: { color: LINE_COLOURS[j % LINE_COLOURS.length], size: 9, symbol: j % 6 },
            error_x: { type: "data", symmetric: false, array: own.map((r) => (r.ciHigh ?? r.difference) - r.difference),
              arrayminus: own.map((r) => r.difference - (r.ciLow ?? r.difference)), color: LINE_COLOURS[j % LINE_COLOURS.length] },
            customdata: own.map((r) => [r.ciLow, r.ciHigh, r.n, r.pValue]),
            hovertemplate: `${esc(model)}<br>%{y}: %{x:+.3f} [%{customdata[0]:.3f}, %{customdata[1]:.3f}], n=%{customdata[2]}, p=%{customdata[3]:.3f}<extra></extra>`,
          };
        });
        await plot(`cond-chart-${k}`, traces, {
          height: Math.max(240, 30 * strata.length * Math.max(1, models.length / 2) + 130), scattermode: "group",
          legend: { orientation: "h", y: -0.2 },
          shapes: [{ type: "line", xref: "x", yref: "paper", x0: 0, x1: 0, y0: 0, y1: 1, line: { dash: "dot", width: 1 } }],
          xaxis: { title: { text: `difference in ${state.metric} (second condition minus first)` }, zeroline: true },
          yaxis: { autorange: "reversed", type: "category", categoryorder: "array", categoryarray: strata, tickvals: strata, ticktext: strata.map(short) },
        });
      }
    };
    const save = () => sessionStorage.setItem("conditions", JSON.stringify(state));
    by.addEventListener("change", () => { state.by = by.value; save(); draw(); });
    metric.addEventListener("change", () => { state.metric = metric.value; save(); draw(); });
    await draw();
  },

  async leakage(stale) {
    if (heldOut()) {
      page.innerHTML = `<h2>Leakage summary</h2>${withheld("the leakage summary and its findings", ANSWER_DERIVED)}`;
      return;
    }
    const data = await gql("{ role leakageSummary { track items flagged leakFree kinds { kind items } } }");
    if (stale()) return;
    const kinds = data.leakageSummary.length ? data.leakageSummary[0].kinds.map((k) => k.kind) : [];
    let html = `<h2>Leakage summary</h2><div class="scroll"><table><thead><tr><th scope="col">Track</th><th scope="col">Items</th><th scope="col">Flagged</th><th scope="col">Leak-free</th>${kinds.map((k) => `<th scope="col">${esc(k)}</th>`).join("")}</tr></thead><tbody>`;
    for (const r of data.leakageSummary) {
      html += `<tr><th scope="row">${esc(r.track)}</th><td class="num">${r.items}</td><td class="num">${r.flagged}</td><td class="num">${r.leakFree}</td>${r.kinds.map((k) => `<td class="num">${k.items}</td>`).join("")}</tr>`;
    }
    html += "</tbody></table></div>";
    if (data.role !== "maintainer") {
      page.innerHTML = html + "<p>Findings name the answers: enter a maintainer key to see them with their paths.</p>";
      return;
    }
    const state = JSON.parse(sessionStorage.getItem("findings") || '{"track":"","kind":"","severity":""}');
    const specs = await hostedBenchmarks();
    if (stale()) return;
    page.innerHTML = html + `<h2>Findings</h2><form class="controls" id="finding-filter">
      <label>Track <select name="track"><option value="">all</option>${trackOptions(specs)}</select></label>
      <label>Kind <select name="kind"><option value="">all</option>${kinds.map((k) => `<option>${esc(k)}</option>`).join("")}</select></label>
      <label>Severity <select name="severity"><option value="">all</option><option>high</option><option>medium</option></select></label>
      <button type="submit">Apply</button></form><div id="finding-list">Loading…</div>`;
    const form = document.getElementById("finding-filter");
    form.track.value = state.track; form.kind.value = state.kind; form.severity.value = state.severity;
    let cursors = [null]; // as in the item browser: the cursor each visited page started after
    let latest = 0;
    const SIZE = 25;
    const list = async () => {
      const target = document.getElementById("finding-list");
      const mine = ++latest;
      const data = await gql(`query($track: String, $kind: String, $severity: String, $after: String) {
        leakageFindings(first: ${SIZE}, after: $after, track: $track, kind: $kind, severity: $severity) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { itemId kind severity explanation path } } } }`,
        { track: state.track || null, kind: state.kind || null, severity: state.severity || null, after: cursors[cursors.length - 1] });
      if (mine !== latest || !document.body.contains(target)) return; // superseded, or the page was left
      const found = data.leakageFindings;
      const first = SIZE * (cursors.length - 1);
      let out = `<p id="finding-count">${found.totalCount} findings match (showing ${found.edges.length ? `${first + 1}–${first + found.edges.length}` : "none"}).</p>`;
      for (const { node: f } of found.edges) {
        // node uids look like "Label:key"; everything else is a relationship or a text field
        const path = f.path.map((p) => `<span class="${/^[A-Z][A-Za-z]*:/.test(p) ? "" : "rel"}">${esc(p)}</span>`).join(" → ");
        out += `<div class="item finding" data-item="${esc(f.itemId)}"><strong>${esc(f.itemId)}</strong> ${esc(f.kind)} (${esc(f.severity)}): ${esc(f.explanation)}<div class="path">${path}</div></div>`;
      }
      out += `<nav class="pager">${cursors.length > 1 ? '<button type="button" id="prev-findings">Previous page</button>' : ""}
        ${found.pageInfo.hasNextPage ? '<button type="button" id="next-findings">Next page</button>' : ""}</nav>`;
      target.innerHTML = out;
      document.getElementById("prev-findings")?.addEventListener("click", () => { cursors.pop(); list(); });
      document.getElementById("next-findings")?.addEventListener("click", () => { cursors.push(found.pageInfo.endCursor); list(); });
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      Object.assign(state, { track: form.track.value, kind: form.kind.value, severity: form.severity.value });
      sessionStorage.setItem("findings", JSON.stringify(state));
      cursors = [null];
      list();
    });
    await list();
  },

  async items(stale) {
    const state = JSON.parse(sessionStorage.getItem("items") || '{"track":"","leak":"","minImages":""}');
    const specs = await hostedBenchmarks();
    if (stale()) return;
    page.innerHTML = `<h2>Item browser</h2><form class="controls" id="item-filter">
      <label>Track <select name="track"><option value="">all</option>${trackOptions(specs)}</select></label>
      ${heldOut() ? "" : `<label>Under ORPHAcode <input name="under" inputmode="numeric" size="8" value="${esc(state.under || "")}"></label>
      <label>Leakage <select name="leak"><option value="">any</option><option value="true">leak-free</option><option value="false">flagged</option></select></label>`}
      <label>Min images <input name="minImages" inputmode="numeric" size="4" value="${esc(state.minImages || "")}"></label>
      <button type="submit">Apply</button></form>${heldOut() ? withheld("filters under a class and by leakage status", ANSWER_DERIVED) : ""}<div id="item-list">Loading…</div>`;
    const form = document.getElementById("item-filter");
    if (heldOut()) Object.assign(state, { under: "", leak: "" });
    form.track.value = state.track;
    if (form.leak) form.leak.value = state.leak;
    let cursors = [null]; // the cursor each visited page started after; the last is the page shown
    let latest = 0; // requests superseded by a newer one are dropped when they answer
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      Object.assign(state, { track: form.track.value, under: form.under?.value.trim() ?? "", leak: form.leak?.value ?? "", minImages: form.minImages.value.trim() });
      sessionStorage.setItem("items", JSON.stringify(state));
      cursors = [null];
      list();
    });
    const whole = (text) => text === "" || /^\d+$/.test(text);
    // an ORPHAcode as the CLI takes it: 558, ORPHA:558, orpha: 558
    const code = (text) => (text.match(/^(?:orpha\s*:?\s*)?(\d+)$/i) || [])[1];
    const list = () => listPage().catch((e) => {
      document.getElementById("item-list").innerHTML = `<p class="error" id="item-error">${esc(e.message)}</p>`;
    });
    const listPage = async () => {
      const target = document.getElementById("item-list");
      const bad = state.under && !code(state.under) ? `“${state.under}” is not an ORPHAcode: give it as 558 or ORPHA:558.`
        : !whole(state.minImages || "") ? `“${state.minImages}” is not a number of images.` : "";
      if (bad) { target.innerHTML = `<p class="error" id="item-error">${esc(bad)}</p>`; return; }
      const mine = ++latest;
      const key = viewer.role === "maintainer" ? "answer predictions { runId text scores { judge score } judgements { judge score dims } }" : "";
      const data = await gql(`query($track: String, $under: Int, $leak: Boolean, $min: Int, $after: String) {
        items(first: 20, after: $after, track: $track, under: $under, leakFree: $leak, minImages: $min) { totalCount
          pageInfo { hasNextPage endCursor } edges { node {
          id track question leakFree nImages images { order label image { thumbUrl url width height } } ${key} } } } }`,
        { track: state.track || null, under: state.under ? Number(code(state.under)) : null, after: cursors[cursors.length - 1],
          leak: state.leak === "" ? null : state.leak === "true", min: state.minImages ? Number(state.minImages) : null });
      if (mine !== latest || !document.body.contains(target)) return; // superseded, or the page was left
      const items = data.items.edges.map((e) => e.node);
      const first = 20 * (cursors.length - 1);
      let html = `<p id="item-count">${data.items.totalCount} items match (showing ${items.length ? `${first + 1}–${first + items.length}` : "none"}).</p>`;
      for (const item of items) {
        html += `<article class="item" data-item="${esc(item.id)}"><h3>${esc(item.id)} <small>${item.leakFree === false ? "flagged" : item.leakFree ? "leak-free" : ""}</small></h3>
          <p>${esc(item.question)}</p><div class="figures">${item.images.map((im) =>
            `<figure><a href="${im.image.url}"><img src="${im.image.thumbUrl}" alt="${esc(im.label || `image ${im.order + 1}`)}" loading="lazy"></a><figcaption>${esc(im.label || `image ${im.order + 1}`)}</figcaption></figure>`).join("")}</div>`;
        if (item.answer !== undefined) {
          html += `<p class="answer"><strong>Answer:</strong> ${esc(item.answer)}</p>`;
          for (const p of item.predictions) {
            html += `<p><strong>${esc(p.runId)}</strong>: ${esc(p.text)} — ${p.scores.map((s) => `${esc(s.judge)} ${(100 * s.score).toFixed(0)}`).join(", ")}</p>`;
          }
        }
        html += "</article>";
      }
      html += `<nav class="pager">${cursors.length > 1 ? '<button type="button" id="prev-page">Previous page</button>' : ""}
        ${data.items.pageInfo.hasNextPage ? '<button type="button" id="next-page">Next page</button>' : ""}</nav>`;
      target.innerHTML = html;
      document.getElementById("prev-page")?.addEventListener("click", () => { cursors.pop(); list(); });
      document.getElementById("next-page")?.addEventListener("click", () => { cursors.push(data.items.pageInfo.endCursor); list(); });
    };
    await list();
  },
};

let routed = 0; // a view whose route was replaced by a newer one (a click, a new key) stops drawing

async function route() {
  const mine = ++routed;
  const stale = () => mine !== routed;
  const name = (location.hash || "#leaderboard").slice(1);
  const render = pages[name] || pages.leaderboard;
  document.querySelectorAll("nav a").forEach((a) => a.toggleAttribute("aria-current", a.getAttribute("href") === `#${name}`));
  if (document.querySelector("nav a[aria-current]")) document.querySelector("nav a[aria-current]").setAttribute("aria-current", "page");
  page.innerHTML = "Loading…";
  delete page.dataset.loaded;
  try {
    const who = await gql("{ role releaseMode }");
    if (stale()) return;
    viewer = { role: who.role, releaseMode: who.releaseMode };
    await render(stale);
  } catch (error) {
    if (!stale()) page.innerHTML = `<p class="error">Could not load this page: ${esc(error.message)}</p>`;
  }
  if (!stale()) page.dataset.loaded = name;
}

window.addEventListener("hashchange", route);
route();
