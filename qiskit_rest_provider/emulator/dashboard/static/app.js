// The emulator dashboard: a static page that signs in and reads the emulator's REST API as any
// client does. Every value from the server is set as text (never parsed as HTML).
"use strict";

const KEY = "qrp-dashboard";
const PAGE = 25;
const REFRESH_MS = 2000;
const PENDING = new Set(["Queued", "Running"]);
let auth = JSON.parse(sessionStorage.getItem(KEY) || "null");
let timer = null;

// ---------------------------------------------------------------- DOM helpers
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) node.append(c instanceof Node ? c : String(c ?? ""));
  return node;
}
function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children.flat(Infinity)) node.append(c instanceof Node ? c : String(c ?? ""));
  return node;
}
const main = () => document.getElementById("main");
function show(...nodes) { main().replaceChildren(...nodes.flat(Infinity)); }
function fmtTime(iso) { return iso ? new Date(iso).toLocaleString() : "—"; }
function statusCell(status) { return el("span", { class: `status status-${status}` }, status); }
function dl(pairs) {
  return el("dl", {}, pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "—")]));
}

// ---------------------------------------------------------------- API
async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${auth.token}`, "Service-CRN": auth.crn, ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) { signOut(); throw new Error("signed out"); }
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = (await response.json()).errors[0].message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const body = new URLSearchParams({ grant_type: "urn:ibm:params:oauth:grant-type:apikey", apikey: form.apikey.value });
  const response = await fetch("/identity/token", { method: "POST", body });
  if (!response.ok) {
    document.getElementById("login-error").textContent = "Sign-in refused: check the API key.";
    return;
  }
  const token = await response.json();
  auth = { token: token.access_token, crn: form.crn.value.trim() };
  sessionStorage.setItem(KEY, JSON.stringify(auth));
  if (!location.hash) location.hash = "#/jobs"; else route();
}

function signOut() {
  if (auth) fetch("/api/v1/logout", { method: "POST", headers: { Authorization: `Bearer ${auth.token}` } }).catch(() => {});
  auth = null;
  sessionStorage.removeItem(KEY);
  route();
}

// ---------------------------------------------------------------- charts
function histogram(register) {
  const bars = register.bars.concat(register.other ? [{ bitstring: "other", count: register.other }] : []);
  const max = Math.max(1, ...bars.map((b) => b.count));
  const w = 28, h = 160, left = 40, width = left + bars.length * w + 10;
  const chart = svg("svg", { width, height: h + 70, class: "histogram", role: "img" });
  chart.append(svg("text", { x: 0, y: 12 }, String(max)), svg("text", { x: 0, y: h + 10 }, "0"));
  bars.forEach((b, i) => {
    const bh = (b.count / max) * h;
    const g = svg("g", { class: "bin", "data-bitstring": b.bitstring, "data-count": b.count },
      svg("rect", { class: "bar", x: left + i * w + 3, y: 10 + h - bh, width: w - 6, height: bh },
        svg("title", {}, `${b.bitstring}: ${b.count}`)),
      svg("text", { x: left + i * w + w / 2, y: h + 16, transform: `rotate(60 ${left + i * w + w / 2} ${h + 16})` }, b.bitstring));
    chart.append(g);
  });
  return chart;
}

function errorBars(values) {
  const lo = Math.min(...values.map((v) => v.ev - v.std), -1), hi = Math.max(...values.map((v) => v.ev + v.std), 1);
  const w = Math.max(24, Math.min(60, 600 / values.length)), h = 180, left = 44, top = 10;
  const y = (v) => top + ((hi - v) / (hi - lo)) * h;
  const chart = svg("svg", { width: left + values.length * w + 10, height: h + 50, class: "evs", role: "img" });
  for (const t of [lo, 0, hi]) {
    chart.append(svg("line", { x1: left - 4, x2: left + values.length * w, y1: y(t), y2: y(t), stroke: "#e0e0e0" }),
      svg("text", { x: 0, y: y(t) + 4 }, t.toFixed(2)));
  }
  values.forEach((v, i) => {
    const cx = left + i * w + w / 2;
    chart.append(svg("g", { class: "value", "data-index": v.index.join(","), "data-ev": v.ev },
      svg("line", { class: "errbar", x1: cx, x2: cx, y1: y(v.ev - v.std), y2: y(v.ev + v.std) }),
      svg("circle", { class: "point", cx, cy: y(v.ev), r: 4 }, svg("title", {}, `[${v.index}] ${v.ev} ± ${v.std}`)),
      svg("text", { x: cx - 8, y: h + top + 18 }, `[${v.index}]`)));
  });
  return chart;
}

function heat(value, lo, hi) {
  if (value === null || value === undefined) return "#a8a8a8";
  const t = Math.max(0, Math.min(1, (Math.log10(value) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)));
  return `hsl(${Math.round(120 * (1 - t))}, 70%, 42%)`;
}

function couplingMap(map) {
  const s = 36, pad = 20;
  const xs = map.qubits.map((q) => q.x), ys = map.qubits.map((q) => q.y);
  const chart = svg("svg", { width: pad * 2 + Math.max(...xs, 0) * s, height: pad * 2 + Math.max(...ys, 0) * s, class: "coupling-map", role: "img" });
  const range = (items) => { const v = items.filter((x) => x > 0); return v.length ? [Math.min(...v), Math.max(...v)] : [1e-4, 1e-3]; };
  const [elo, ehi] = range(map.edges.map((e) => e.error));
  const [rlo, rhi] = range(map.qubits.map((q) => q.readout_error));
  const at = (q) => [pad + map.qubits[q].x * s, pad + map.qubits[q].y * s];
  for (const e of map.edges) {
    const [x1, y1] = at(e.a), [x2, y2] = at(e.b);
    chart.append(svg("line", { x1, y1, x2, y2, stroke: heat(e.error, elo, ehi), "stroke-width": 5, class: "edge" },
      svg("title", {}, `${e.a}–${e.b}: error ${e.error ?? "n/a"}`)));
  }
  for (const q of map.qubits) {
    const [cx, cy] = at(q.index);
    chart.append(svg("g", { class: "qubit" },
      svg("circle", { cx, cy, r: 11, fill: heat(q.readout_error, rlo, rhi) },
        svg("title", {}, `qubit ${q.index}: readout error ${q.readout_error ?? "n/a"}, T1 ${q.t1_us ?? "n/a"} µs, T2 ${q.t2_us ?? "n/a"} µs`)),
      svg("text", { x: cx, y: cy + 4, "text-anchor": "middle", fill: "#fff" }, String(q.index))));
  }
  return chart;
}

// ---------------------------------------------------------------- pages
function jobsTable(jobs, onChange) {
  const rows = jobs.map((j) => el("tr", { "data-job": j.id },
    el("td", {}, el("a", { href: `#/jobs/${j.id}` }, j.id)), el("td", {}, statusCell(j.status)),
    el("td", {}, j.program.id), el("td", {}, j.backend), el("td", {}, fmtTime(j.created)),
    el("td", {}, j.session_id ? el("a", { href: `#/sessions/${j.session_id}` }, j.session_id) : "—"),
    el("td", { class: "tags" }, visibleTags(j.tags).join(", ")),
    el("td", {}, PENDING.has(j.status) ? el("button", { class: "danger", type: "button", onclick: () => cancelJob(j.id).then(onChange) }, "Cancel") : "")));
  return el("table", { id: "jobs-table" },
    el("thead", {}, el("tr", {}, ["Job", "Status", "Program", "Backend", "Created", "Session", "Tags", ""].map((h) => el("th", {}, h)))),
    el("tbody", {}, rows));
}
function visibleTags(tags) { return (tags || []).filter((t) => !t.startsWith("qrp-submit-")); }
async function cancelJob(id) { await api(`/api/v1/jobs/${encodeURIComponent(id)}/cancel`, { method: "POST" }); }

async function jobsPage(params) {
  const offset = Number(params.get("offset") || 0);
  const form = el("form", { class: "filters card", id: "filters" },
    el("label", {}, "Backend", el("select", { name: "backend" }, el("option", { value: "" }, "any"))),
    el("label", {}, "Status", el("select", { name: "pending" }, el("option", { value: "" }, "any"), el("option", { value: "true" }, "queued or running"), el("option", { value: "false" }, "finished"))),
    el("label", {}, "Program", el("input", { name: "program", placeholder: "sampler, estimator…" })),
    el("label", {}, "Tag", el("input", { name: "tags" })),
    el("label", {}, "Session", el("input", { name: "session_id" })),
    el("label", {}, "Created after", el("input", { name: "created_after", type: "datetime-local" })),
    el("label", {}, "Created before", el("input", { name: "created_before", type: "datetime-local" })),
    el("button", { type: "submit" }, "Filter"));
  for (const [k, v] of params) if (form.elements[k]) form.elements[k].value = k.startsWith("created") ? v.slice(0, 16) : v;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const f of form.elements) if (f.name && f.value) q.set(f.name, f.name.startsWith("created") ? new Date(f.value).toISOString() : f.value);
    location.hash = `#/jobs?${q}`;
  });
  const holder = el("div", { id: "jobs" });
  show(el("h1", {}, "Jobs"), form, holder);
  api("/api/v1/backends").then((b) => {
    const select = form.elements.backend;
    for (const d of b.devices) select.append(el("option", { value: d.name }, d.name));
    select.value = params.get("backend") || "";
  }).catch(() => {});
  const load = async () => {
    const q = new URLSearchParams(params);
    q.set("limit", PAGE); q.set("offset", offset);
    const page = await api(`/api/v1/jobs?${q}`);
    const nav = (to) => { const n = new URLSearchParams(params); n.set("offset", to); return `#/jobs?${n}`; };
    holder.replaceChildren(jobsTable(page.jobs, load), el("div", { class: "pager" },
      offset > 0 ? el("a", { href: nav(Math.max(0, offset - PAGE)) }, "‹ Newer") : "",
      el("span", { id: "page-info" }, page.count ? `${offset + 1}–${offset + page.jobs.length} of ${page.count}` : "No jobs"),
      offset + PAGE < page.count ? el("a", { href: nav(offset + PAGE) }, "Older ›") : ""));
  };
  await load();
  timer = setInterval(() => { if (!document.hidden) load().catch(() => {}); }, REFRESH_MS);
}

function resultsSection(job) {
  if (!job.results) return el("p", { class: "muted" }, PENDING.has(job.job.status) ? "Results appear when the job completes." : "No results.");
  return job.results.map((r, i) => el("div", { class: "card result", "data-pub": i }, el("h3", {}, `PUB ${i}`),
    r.registers
      ? Object.entries(r.registers).map(([name, reg]) => el("div", { class: "register", "data-register": name },
          el("h4", {}, `${name} (${reg.num_bits} bits, ${reg.shots} shots${reg.shape.length ? `, shape [${reg.shape}]` : ""})`), histogram(reg)))
      : [errorBars(r.values), el("p", { class: "muted" }, `shape [${r.shape}]${r.truncated ? " (first values shown)" : ""}`)]));
}

async function jobPage(id) {
  const load = async () => {
    const job = await api(`/dashboard/api/jobs/${encodeURIComponent(id)}`);
    const j = job.job, ts = job.metrics.timestamps;
    show(el("h1", {}, "Job ", el("code", {}, j.id), " ", statusCell(j.status), " ",
        PENDING.has(j.status) ? el("button", { class: "danger", type: "button", id: "cancel", onclick: () => cancelJob(j.id).then(load) }, "Cancel") : ""),
      el("ol", { class: "timeline" }, ["created", "running", "finished"].map((k) => el("li", {}, `${k}: ${fmtTime(ts[k])}`))),
      el("div", { class: "grid2" },
        el("div", { class: "card" }, el("h2", {}, "Details"), dl([["Program", j.program.id], ["Backend", j.backend],
          ["Session", j.session_id], ["Tags", visibleTags(j.tags).join(", ")], ["Usage", `${j.usage.seconds} s`],
          ["Reason", j.state.reason]])),
        el("div", { class: "card" }, el("h2", {}, "Options"), el("pre", {}, JSON.stringify(job.options ?? {}, null, 2)))),
      el("h2", {}, "Results"), resultsSection(job),
      el("h2", {}, "PUBs"), job.pubs.map((p, i) => el("div", { class: "card pub" }, el("h3", {}, `PUB ${i}`),
        dl([["PUB shape", `[${p.shape}]`], ["Parameter values shape", `[${p.parameter_values_shape}]`], ["Observables shape", p.observables_shape ? `[${p.observables_shape}]` : "—"],
          [p.shots !== undefined ? "Shots" : "Precision", p.shots ?? p.precision ?? "default"]]),
        el("pre", { class: "drawing" }, p.drawing || p.qasm))),
      el("h2", {}, "Execution spans"), el("table", {}, el("tr", {}, el("th", {}, "Start"), el("th", {}, "Stop"), el("th", {}, "PUB shapes")),
        job.spans.map((s) => el("tr", {}, el("td", {}, fmtTime(s.start)), el("td", {}, fmtTime(s.stop)), el("td", {}, JSON.stringify(s.pubs))))),
      el("h2", {}, "Logs"), el("pre", { id: "logs" }, job.logs || "(empty)"),
      el("h2", {}, "Metrics"), el("pre", {}, JSON.stringify(job.metrics, null, 2)));
    if (!PENDING.has(j.status)) { clearInterval(timer); timer = null; }
  };
  await load();
  timer = setInterval(() => { if (!document.hidden) load().catch(() => {}); }, REFRESH_MS);
}

async function sessionsPage(params) {
  const offset = Number(params.get("offset") || 0);
  const page = await api(`/dashboard/api/sessions?offset=${offset}`);
  show(el("h1", {}, "Sessions & batches"), el("table", { id: "sessions-table" },
    el("tr", {}, ["Session", "Mode", "Backend", "State", "Accepting jobs", "Jobs", "Usage", "Started"].map((h) => el("th", {}, h))),
    page.sessions.map((s) => el("tr", {}, el("td", {}, el("a", { href: `#/sessions/${s.id}` }, s.id)), el("td", {}, s.mode),
      el("td", {}, s.backend_name), el("td", {}, s.state), el("td", {}, s.accepting_jobs ? "yes" : "no"),
      el("td", {}, s.jobs), el("td", {}, `${s.usage_seconds} s`), el("td", {}, fmtTime(s.started_at))))),
  el("p", { class: "muted" }, `${page.count} in all`));
}

async function sessionPage(id) {
  const path = `/api/v1/sessions/${encodeURIComponent(id)}`;
  const s = await api(path);
  const jobs = await api(`/api/v1/jobs?session_id=${encodeURIComponent(id)}&limit=${PAGE}`);
  const reload = () => sessionPage(id);
  show(el("h1", {}, `${s.mode === "batch" ? "Batch" : "Session"} `, el("code", {}, s.id), ` (${s.state})`),
    el("div", { class: "card" }, dl([["Backend", s.backend_name], ["Accepting jobs", s.accepting_jobs ? "yes" : "no"],
      ["Max TTL", `${s.max_ttl} s`], ["Started", fmtTime(s.started_at)], ["Closed", fmtTime(s.closed_at)], ["Elapsed", s.elapsed_time]]),
      s.state !== "closed" ? [
        el("button", { type: "button", class: "secondary", id: "close-session", onclick: () => api(path, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ accepting_jobs: false }) }).then(reload) }, "Close (finish queued jobs)"), " ",
        el("button", { type: "button", class: "danger", id: "cancel-session", onclick: () => api(`${path}/close`, { method: "DELETE" }).then(reload) }, "Cancel (stop queued jobs)")] : ""),
    el("h2", {}, "Jobs"), jobsTable(jobs.jobs, reload));
}

async function backendsPage() {
  const list = await api("/api/v1/backends");
  show(el("h1", {}, "Backends"), el("table", {}, el("tr", {}, ["Name", "Qubits", "Status", "Queue", "Processor"].map((h) => el("th", {}, h))),
    list.devices.map((d) => el("tr", {}, el("td", {}, el("a", { href: `#/backends/${d.name}` }, d.name)), el("td", {}, d.qubits),
      el("td", {}, d.status.name), el("td", {}, d.queue_length), el("td", {}, `${d.processor_type.family ?? ""} ${d.processor_type.revision ?? ""}`)))));
}

async function backendPage(name) {
  const b = await api(`/dashboard/api/backends/${encodeURIComponent(name)}`);
  const c = b.configuration;
  show(el("h1", {}, b.name),
    el("div", { class: "card" }, dl([["Qubits", c.n_qubits], ["Basis gates", (c.basis_gates || []).join(", ")], ["Simulator", c.simulator ? "yes" : "no"],
      ["Max shots", c.max_shots], ["Queue", b.status.length_queue], ["Version", c.backend_version]])),
    el("h2", {}, "Coupling map"), el("p", { class: "muted" }, "Qubit colour: readout error; coupler colour: two-qubit gate error; green is the device's best, red its worst (log scale). Hover for values."),
    el("div", { class: "card" }, b.map.edges.length ? couplingMap(b.map) : el("p", {}, "All-to-all (no coupling map).")));
}

// ---------------------------------------------------------------- router
async function route() {
  clearInterval(timer); timer = null;
  document.getElementById("nav").hidden = !auth;
  if (!auth) {
    const form = document.getElementById("login-template").content.cloneNode(true);
    show(form);
    document.getElementById("login").addEventListener("submit", signIn);
    return;
  }
  document.getElementById("who").textContent = `instance: ${auth.crn}`;
  const [path, query] = (location.hash.slice(1) || "/jobs").split("?");
  const params = new URLSearchParams(query || "");
  const [, page, id] = path.split("/");
  try {
    if (page === "jobs" && id) await jobPage(decodeURIComponent(id));
    else if (page === "sessions" && id) await sessionPage(decodeURIComponent(id));
    else if (page === "sessions") await sessionsPage(params);
    else if (page === "backends" && id) await backendPage(decodeURIComponent(id));
    else if (page === "backends") await backendsPage();
    else await jobsPage(params);
  } catch (error) {
    if (auth) show(el("p", { class: "error", role: "alert" }, `Error: ${error.message}`));
  }
}

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("signout").addEventListener("click", signOut);
  route();
});
