// dashboard.js - fills the supervisor dashboard (/agent/dashboard, see
// src/pages/dashboard.c and docs/measure.md "Dashboard") from the API the
// page's session may call:
//
//   GET /api/v1/figures      tiles, response-time chart, occupancy, CSV
//                            (and once per channel for the volume chart
//                            when no channel is chosen)
//   GET /api/v1/norms/state  how many items are near their deadline
//   GET /api/v1/agents       the names in the occupancy table
//
// Live: the event stream (/api/v1/events) says that something changed;
// the figures are fetched again at most once per second after it (a burst
// of events costs one refresh), and every 60 s regardless, because ages
// and deadlines move with the clock alone.  Text only via textContent.
import uPlot from "uplot";

const CHANNELS = [
  ["webformulier", "Webformulier"], ["chat", "Chat"], ["email", "E-mail"],
  ["telefoon", "Telefoon"], ["post", "Post"], ["social", "Sociale media"],
  ["video", "Video"], ["kiosk", "Kiosk"], ["balie", "Balie"],
];
const PERIODS = {
  "24u": { daily: false, ms: 864e5 },
  "7d": { daily: true, ms: 7 * 864e5 },
  "30d": { daily: true, ms: 30 * 864e5 },
  "365d": { daily: true, ms: 365 * 864e5 },
};
// Colours with at least 3:1 contrast on white, told apart by shape too in
// the table; the table is the accessible form of each chart.
const COLOURS = ["#0b5cad", "#a4001c", "#2a7d2a", "#7a4b00", "#6b2d8f",
  "#00707a", "#555555", "#b3261e", "#1f3f77"];
const EVENTS = ["conversation.created", "conversation.updated",
  "conversation.assigned", "contact.added", "task.created", "task.updated",
  "agent.updated", "team.updated", "norms.updated"];
const POLL_MS = 60000;
const DEBOUNCE_MS = 1000;

const nf = new Intl.NumberFormat("nl-NL");
const nf1 = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 1 });
const pf = new Intl.NumberFormat("nl-NL",
  { style: "percent", maximumFractionDigits: 0 });
const hourFmt = new Intl.DateTimeFormat("nl-NL", { timeZone:
  "Europe/Amsterdam", day: "numeric", month: "short", hour: "2-digit",
  minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat("nl-NL", { timeZone:
  "Europe/Amsterdam", weekday: "short", day: "numeric", month: "short",
  year: "numeric" });
const axisHour = new Intl.DateTimeFormat("nl-NL", { timeZone:
  "Europe/Amsterdam", hour: "2-digit", minute: "2-digit" });
const axisDay = new Intl.DateTimeFormat("nl-NL", { timeZone:
  "Europe/Amsterdam", day: "numeric", month: "short" });
const clockFmt = new Intl.DateTimeFormat("nl-NL", { timeZone:
  "Europe/Amsterdam", hour: "2-digit", minute: "2-digit", second: "2-digit" });

const $ = (id) => document.getElementById(id);
const tilesEl = $("dash-tegels");
const form = $("dash-filter");
const sel = { period: $("dash-periode"), channel: $("dash-kanaal"),
  team: $("dash-team") };
const plots = {};
let agentNames = null;
let timer = null;
let running = false;
let again = false;
let quiet = true; // no "changed" marks on the first fill of a period

const dash = "\u2013";

function count(n) {
  return n === null || n === undefined ? dash : nf.format(n);
}

function share(s) {
  return s === null || s === undefined ? dash : pf.format(s);
}

// A duration in seconds, the way a supervisor reads it.
function duration(s) {
  if (s === null || s === undefined) return dash;
  if (s < 90) return `${nf.format(Math.round(s))} s`;
  if (s < 5400) return `${nf1.format(s / 60)} min`;
  if (s < 172800) return `${nf1.format(s / 3600)} uur`;
  return `${nf1.format(s / 86400)} dagen`;
}

function params() {
  const p = PERIODS[sel.period.value] || PERIODS["24u"];
  const to = Date.now();
  const q = new URLSearchParams({ granularity: p.daily ? "day" : "hour",
    from: String(to - p.ms), to: String(to) });
  if (sel.channel.value) q.set("channel", sel.channel.value);
  if (sel.team.value) q.set("teamId", sel.team.value);
  return q;
}

async function getJSON(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" },
    credentials: "same-origin" });
  if (r.status === 401 || r.status === 403) {
    // The session ended: the log-in page brings the user back here.
    location.assign("/login?next=" + encodeURIComponent(location.pathname +
      location.search));
    throw new Error("not logged in");
  }
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

function tile(key, text, value, alert) {
  const dd = tilesEl.querySelector(`[data-tile="${key}"]`);
  const v = value === null || value === undefined ? "" : String(value);
  if (!quiet && dd.dataset.value !== undefined && dd.dataset.value !== v) {
    // Show which tiles moved since the last refresh, for 4 s.
    dd.parentElement.classList.add("loket-dash-tile--new");
    setTimeout(() => dd.parentElement.classList.remove(
      "loket-dash-tile--new"), 4000);
  }
  dd.textContent = text;
  dd.dataset.value = v;
  dd.parentElement.classList.toggle("loket-dash-tile--alert", !!alert);
}

function fillTiles(f, state) {
  const t = f.total, b = f.backlog;
  tile("backlog", count(b.open), b.open);
  tile("backlog-age", duration(b.meanAgeSeconds), b.meanAgeSeconds);
  tile("backlog-oldest", duration(b.oldestAgeSeconds), b.oldestAgeSeconds);
  tile("breached", count(b.breached), b.breached, b.breached > 0);
  let near = 0;
  for (const it of state.items) {
    if (it.norms.some((n) => n.state === "breached")) continue;
    if (it.norms.some((n) => n.state === "warning")) near++;
  }
  // The live list is bounded: past its first page, say "at least".
  tile("warning", (state.next ? "\u2265 " : "") + count(near), near);
  tile("fr-share", share(t.firstResponse.share), t.firstResponse.share);
  tile("res-share", share(t.resolution.share), t.resolution.share);
  tile("fr-median", duration(t.firstResponse.medianSeconds),
    t.firstResponse.medianSeconds);
  tile("fr-p90", duration(t.firstResponse.p90Seconds),
    t.firstResponse.p90Seconds);
  tile("res-median", duration(t.resolution.medianSeconds),
    t.resolution.medianSeconds);
  tile("res-p90", duration(t.resolution.p90Seconds),
    t.resolution.p90Seconds);
  tile("fcr", share(t.firstContactResolution.share),
    t.firstContactResolution.share);
  tile("callbacks", share(t.callbacks.share), t.callbacks.share);
  tile("conversations", count(t.conversations), t.conversations);
  tile("inbound", count(t.inbound), t.inbound);
  tile("occupancy", share(f.occupancy.share), f.occupancy.share);
}

function bucketLabel(start, daily) {
  return (daily ? dayFmt : hourFmt).format(new Date(start));
}

function cell(tr, tag, text, scope) {
  const c = document.createElement(tag);
  if (scope) c.scope = scope;
  c.textContent = text;
  tr.appendChild(c);
}

// The table alternative of a chart: one row per bucket, one column per
// series, the same values as the chart.
function fillTable(id, labels, starts, daily, columns, fmt) {
  const table = $(`${id}-tabel`);
  const head = document.createElement("tr");
  cell(head, "th", daily ? "Dag" : "Uur", "col");
  for (const l of labels) cell(head, "th", l, "col");
  table.tHead.replaceChildren(head);
  const rows = starts.map((s, i) => {
    const tr = document.createElement("tr");
    cell(tr, "th", bucketLabel(s, daily), "row");
    for (const col of columns) cell(tr, "td", fmt(col[i]));
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
}

function drawChart(id, labels, starts, columns, daily) {
  const el = $(`${id}-grafiek`);
  const data = [starts.map((s) => s / 1000), ...columns];
  const width = Math.max(280, el.clientWidth || 600);
  const old = plots[id];
  if (old && old.series.length === labels.length + 1 &&
      old.dashDaily === daily) {
    old.setData(data);
    return;
  }
  if (old) old.destroy();
  plots[id] = new uPlot({
    width, height: 260,
    series: [{ label: "Tijd" }, ...labels.map((label, i) => ({
      label, stroke: COLOURS[i % COLOURS.length], width: 2,
      spanGaps: false, points: { show: true, size: 5 } }))],
    // Dutch axis labels: hours as 14:00, days as 28 nov.
    axes: [{ values: (u, splits) => splits.map((s) => (daily ? axisDay :
      axisHour).format(new Date(s * 1000))) },
    { size: 60, values: (u, splits) => splits.map((v) => nf1.format(v)) }],
    legend: { live: false },
    cursor: { show: true },
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Europe/Amsterdam"),
  }, data, el);
  plots[id].dashDaily = daily;
}

function minutes(s) {
  return s === null || s === undefined ? null : Math.round(s / 6) / 10;
}

function fillTimes(f, daily) {
  const starts = f.buckets.map((b) => b.start);
  const labels = ["Eerste reactie, mediaan", "Eerste reactie, p90",
    "Afhandeltijd, mediaan", "Afhandeltijd, p90"];
  const cols = [
    f.buckets.map((b) => minutes(b.firstResponse.medianSeconds)),
    f.buckets.map((b) => minutes(b.firstResponse.p90Seconds)),
    f.buckets.map((b) => minutes(b.resolution.medianSeconds)),
    f.buckets.map((b) => minutes(b.resolution.p90Seconds)),
  ];
  drawChart("dash-tijden", labels, starts, cols, daily);
  fillTable("dash-tijden", labels.map((l) => `${l} (min)`), starts, daily,
    cols, (v) => (v === null ? dash : nf1.format(v)));
}

async function fillVolumes(f, q, daily) {
  const starts = f.buckets.map((b) => b.start);
  let chosen = CHANNELS.filter(([k]) => k === sel.channel.value);
  let cols;
  if (chosen.length) {
    cols = [f.buckets.map((b) => b.conversations)];
  } else {
    chosen = CHANNELS;
    cols = await Promise.all(CHANNELS.map(async ([k]) => {
      const cq = new URLSearchParams(q);
      cq.set("channel", k);
      const r = await getJSON(`/api/v1/figures?${cq}`);
      return r.buckets.map((b) => b.conversations);
    }));
  }
  const labels = chosen.map(([, l]) => l);
  drawChart("dash-volumes", labels, starts, cols, daily);
  fillTable("dash-volumes", labels, starts, daily, cols, count);
}

async function fillOccupancy(f) {
  if (agentNames === null) {
    agentNames = new Map();
    try {
      const r = await getJSON("/api/v1/agents?limit=100");
      for (const a of r.items) agentNames.set(a.id, a.name);
    } catch {
      // Names are a nicety: ids still identify the agents.
    }
  }
  const rows = f.occupancy.agents.map((a) => {
    const tr = document.createElement("tr");
    cell(tr, "th", agentNames.get(a.agentId) || a.agentId, "row");
    cell(tr, "td", duration(a.onlineSeconds));
    cell(tr, "td", duration(a.busySeconds));
    cell(tr, "td", share(a.share));
    return tr;
  });
  $("dash-bezetting").tBodies[0].replaceChildren(...rows);
}

async function refresh() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  const status = $("dash-status");
  try {
    const q = params();
    const daily = q.get("granularity") === "day";
    const sq = new URLSearchParams({ limit: "100" });
    if (q.has("channel")) sq.set("channel", q.get("channel"));
    if (q.has("teamId")) sq.set("teamId", q.get("teamId"));
    const [f, state] = await Promise.all([
      getJSON(`/api/v1/figures?${q}`), getJSON(`/api/v1/norms/state?${sq}`)]);
    fillTiles(f, state);
    fillTimes(f, daily);
    await fillVolumes(f, q, daily);
    await fillOccupancy(f);
    const csv = new URLSearchParams(q);
    csv.set("format", "csv");
    $("dash-csv").href = `/api/v1/figures?${csv}`;
    tilesEl.dataset.query = q.toString();
    quiet = false;
    status.textContent = `Bijgewerkt om ${clockFmt.format(new Date())}`;
  } catch (e) {
    status.textContent = "De cijfers konden niet worden opgehaald; " +
      "nieuwe poging over een minuut.";
  } finally {
    running = false;
    if (again) {
      again = false;
      schedule(0);
    }
  }
}

function schedule(delay) {
  if (timer !== null) return;
  timer = setTimeout(() => {
    timer = null;
    refresh();
  }, delay);
}

function connect(wait) {
  const es = new EventSource("/api/v1/events");
  for (const type of EVENTS) es.addEventListener(type, () => schedule(
    DEBOUNCE_MS));
  es.addEventListener("open", () => {
    wait = 1000;
    schedule(0); // catch up on what happened while disconnected
  });
  es.addEventListener("error", () => {
    if (es.readyState === EventSource.CLOSED) {
      setTimeout(() => connect(Math.min(wait * 2, 30000)), wait);
    }
  });
}

function filtersChanged() {
  const u = new URL(location.href);
  u.searchParams.set("periode", sel.period.value);
  for (const [k, s] of [["kanaal", sel.channel], ["team", sel.team]]) {
    if (s.value) u.searchParams.set(k, s.value);
    else u.searchParams.delete(k);
  }
  history.replaceState(null, "", u);
  quiet = true; // other figures, not changes: no marks
  refresh();
}

if (tilesEl && form) {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    filtersChanged();
  });
  for (const s of Object.values(sel)) s.addEventListener("change",
    filtersChanged);
  window.addEventListener("resize", () => {
    for (const [id, p] of Object.entries(plots)) {
      const w = $(`${id}-grafiek`).clientWidth;
      if (w > 0) p.setSize({ width: Math.max(280, w), height: 260 });
    }
  });
  refresh();
  connect(1000);
  setInterval(() => schedule(0), POLL_MS);
}
