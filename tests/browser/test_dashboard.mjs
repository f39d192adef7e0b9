// test_dashboard.mjs - the supervisor dashboard (/agent/dashboard) in real
// headless Chromium.
//
// Without a session the page sends to /login?next=...; an agent gets 403;
// a supervisor logs in and sees tiles, charts and tables whose numbers
// are those of GET /api/v1/figures for the same period (the page names
// the query it made in data-query); a conversation made through the API
// moves the tiles without a reload (event stream); the channel filter
// works from the keyboard; the CSV link downloads the figures; each
// chart's table alternative opens with the keyboard; axe-core finds no
// violations; screenshots are artefacts.
//
//   node tests/browser/test_dashboard.mjs    (ctest: browser/test_dashboard)
// Exit status 77 (skipped) when node_modules or Chromium are missing.
import * as h from "./harness.mjs";
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const why = h.missing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}

const { test, before, after } = await import("node:test");
const assert = (await import("node:assert/strict")).default;

const LIVE = { timeout: 15000 };
const PASSWORD = "correct horse battery staple";
let srv, api, admin, browser, ctx, page, agentId;
const problems = [];

function addUser(email, role, name) {
  const p = spawnSync(h.LOKET_BIN, ["user", "add", "--email", email,
    "--role", role, "--name", name, "--data", srv.data],
  { input: PASSWORD + "\n", encoding: "utf8" });
  assert.equal(p.status, 0, p.stderr);
  return /\((usr_[0-9a-f]{16})\)/.exec(p.stdout)[1];
}

async function accessible(p, what) {
  const v = await h.axe(p);
  assert.deepEqual(v, [], `${what}: axe violations:\n` +
    JSON.stringify(v, null, 2));
}

async function logIn(p, email) {
  await p.getByLabel("E-mailadres").fill(email);
  await p.getByLabel("Wachtwoord").fill(PASSWORD);
  await Promise.all([p.waitForNavigation(),
    p.getByRole("button", { name: "Inloggen" }).click()]);
}

async function conversation(channel, content) {
  const r = await srv.api(api, "POST", "/api/v1/conversations",
    { channel, content, from: { name: "Inwoner", email: "i@example.nl" } });
  return r.body.id;
}

async function message(conv, direction) {
  await srv.api(api, "POST", `/api/v1/conversations/${conv}/messages`,
    { direction, content: "Dank u" });
}

// The figures the page asked for, as the API gives them to a supervisor.
async function figures(extra = "") {
  const q = await page.getAttribute("#dash-tegels", "data-query");
  assert.ok(q, "the page made no query");
  return (await srv.api(admin, "GET", `/api/v1/figures?${q}${extra}`)).body;
}

async function tiles() {
  return page.$$eval("[data-tile]", (els) => Object.fromEntries(
    els.map((e) => [e.dataset.tile, e.dataset.value])));
}

const num = (v) => (v === "" || v === undefined ? null : Number(v));

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket().start();
  api = srv.token("api events");
  admin = srv.token("api admin events");
  addUser("sup@example.nl", "supervisor", "Sanne");
  const agentUser = addUser("agent@example.nl", "agent", "Fatima");
  agentId = (await srv.api(admin, "POST", "/api/v1/agents",
    { userId: agentUser })).body.id;
  await srv.api(admin, "PUT", `/api/v1/agents/${agentId}/presence`,
    { presence: "available" });
  // Calendar-time norms, so the test does not depend on the hour it runs.
  await srv.api(admin, "PUT", "/api/v1/norms", { norms: [
    { metric: "first_response", channel: "chat", targetSeconds: 1,
      clock: "calendar" },
    { metric: "first_response", targetSeconds: 3600, clock: "calendar",
      warnSeconds: 3600 },
    { metric: "resolution", targetSeconds: 86400, clock: "calendar" }] });
  const a = await conversation("email", "Mijn paspoort");
  const b = await conversation("email", "Rijbewijs");
  await conversation("chat", "Parkeren");
  await conversation("telefoon", "Afval");
  await message(a, "outbound");
  await message(b, "outbound");
  await srv.api(admin, "PATCH", `/api/v1/conversations/${a}`,
    { status: "resolved" });
  await srv.api(admin, "POST", `/api/v1/conversations/${b}/claim`,
    { agentId });
  browser = await h.launchBrowser();
  ctx = await browser.newContext({ locale: "nl-NL",
    timezoneId: "Europe/Amsterdam", acceptDownloads: true });
  problems.push(h.watchConsole(ctx));
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

test("without a session the dashboard sends to the log-in page", async () => {
  const r = await fetch(srv.base + "/agent/dashboard", { redirect: "manual" });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get("location"), "/login?next=/agent/dashboard");
});

test("an agent may not see the dashboard", async () => {
  const c = await browser.newContext();
  const p = await c.newPage();
  await p.goto(srv.base + "/login");
  await logIn(p, "agent@example.nl");
  const r = await p.goto(srv.base + "/agent/dashboard");
  assert.equal(r.status(), 403);
  await c.close();
});

test("a supervisor sees the figures of the API", async () => {
  page = await ctx.newPage();
  await page.goto(srv.base + "/agent/dashboard");
  assert.match(page.url(), /\/login\?next=/);
  await logIn(page, "sup@example.nl");
  assert.equal(new URL(page.url()).pathname, "/agent/dashboard");
  await page.waitForSelector("#dash-tegels[data-query]", LIVE);
  assert.equal(await page.getAttribute('a[href="/agent"]', "href"), "/agent");
  const f = await figures();
  const t = await tiles();
  assert.equal(num(t.conversations), 4);
  assert.equal(num(t.conversations), f.total.conversations);
  assert.equal(num(t.inbound), f.total.inbound);
  assert.equal(num(t.backlog), f.backlog.open);
  assert.equal(num(t.backlog), 3);
  assert.equal(num(t.breached), f.backlog.breached);
  assert.equal(num(t["fr-median"]), f.total.firstResponse.medianSeconds);
  assert.equal(num(t["fr-p90"]), f.total.firstResponse.p90Seconds);
  assert.equal(num(t["fr-share"]), f.total.firstResponse.share);
  assert.equal(num(t["res-share"]), f.total.resolution.share);
  assert.equal(num(t.fcr), f.total.firstContactResolution.share);
  // Ages grow with the clock: the page asked a moment before the test.
  assert.ok(Math.abs(num(t["backlog-age"]) - f.backlog.meanAgeSeconds) < 5);
  assert.ok(Math.abs(num(t.occupancy) - f.occupancy.share) < 0.01);
  assert.ok(f.occupancy.share > 0.9); // Fatima took one: busy since
  assert.equal(f.total.firstResponse.count, 2);
  // Two e-mails and the phone call are within an hour of their 1-hour
  // first-response norm with a 1-hour warning: near; the chat is over.
  await page.waitForFunction(() => document.querySelector(
    '[data-tile="breached"]').dataset.value === "1", null, LIVE);
  assert.equal(num((await tiles()).warning), 1);
  // Dutch text in the tiles.
  assert.equal(await page.textContent('[data-tile="fr-share"]'), "100%");
  // The volume table: the e-mail column adds up to the e-mail figures.
  const emails = await figures("&channel=email");
  const col = await page.$$eval("#dash-volumes-tabel", (ts) => {
    const t = ts[0];
    const i = Array.from(t.tHead.rows[0].cells).findIndex(
      (c) => c.textContent === "E-mail");
    return Array.from(t.tBodies[0].rows).map((r) => r.cells[i].textContent);
  });
  assert.equal(col.length, emails.buckets.length);
  assert.equal(col.map(Number).reduce((a, b) => a + b, 0),
    emails.total.conversations);
  assert.equal(emails.total.conversations, 2);
  // Occupancy per agent, by name.
  await page.waitForSelector("#dash-bezetting tbody tr");
  assert.equal(await page.textContent("#dash-bezetting tbody th"), "Fatima");
  await accessible(page, "dashboard");
  await h.screenshot(page, "dashboard");
});

test("a new conversation moves the tiles without a reload", async () => {
  const before = num((await tiles()).conversations);
  await page.evaluate(() => { window.notReloaded = true; });
  await conversation("email", "Nog een vraag");
  await page.waitForFunction((n) => document.querySelector(
    '[data-tile="conversations"]').dataset.value === String(n), before + 1,
  LIVE);
  await page.waitForFunction(() => document.querySelector(
    '[data-tile="backlog"]').dataset.value === "4", null, LIVE);
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  const f = await figures();
  assert.equal(num((await tiles()).conversations), f.total.conversations);
});

test("the filters and the table alternatives work from the keyboard",
  async () => {
    await page.focus("#dash-kanaal");
    await page.keyboard.press("ArrowDown"); // Webformulier
    await page.keyboard.press("ArrowDown"); // Chat
    await page.keyboard.press("ArrowDown"); // E-mail
    await page.waitForFunction(() => /channel=email/.test(
      document.getElementById("dash-tegels").dataset.query || ""), null,
    LIVE);
    assert.match(page.url(), /kanaal=email/);
    const f = await figures();
    assert.equal(f.channel, "email");
    assert.equal(num((await tiles()).conversations), 3);
    assert.equal(num((await tiles()).conversations), f.total.conversations);
    // A chart's table opens with Enter on its summary.
    const summary = page.locator("#dash-tijden-tabel").locator(
      "xpath=ancestor::details/summary");
    await summary.focus();
    await page.keyboard.press("Enter");
    assert.equal(await page.isVisible("#dash-tijden-tabel"), true);
    assert.ok(await page.$$eval("#dash-tijden-tabel tbody tr",
      (r) => r.length) > 0);
    await accessible(page, "dashboard, e-mail, table open");
    // The period: by day, a week.
    await page.selectOption("#dash-periode", "7d");
    await page.waitForFunction(() => /granularity=day/.test(
      document.getElementById("dash-tegels").dataset.query), null, LIVE);
    const w = await figures();
    assert.equal(w.granularity, "day");
    assert.equal(await page.$$eval("#dash-tijden-tabel tbody tr",
      (r) => r.length), w.buckets.length);
    await h.screenshot(page, "dashboard-week-email");
  });

test("the CSV link downloads the figures of the period", async () => {
  const [dl] = await Promise.all([page.waitForEvent("download"),
    page.click("#dash-csv")]);
  const text = fs.readFileSync(await dl.path(), "utf8");
  const lines = text.trim().split(/\r?\n/);
  assert.match(lines[0], /^start,conversations,inbound,outbound,/);
  const total = lines[lines.length - 1].split(",");
  assert.equal(total[0], "total");
  const href = await page.getAttribute("#dash-csv", "href");
  assert.match(href, /format=csv/);
  assert.match(href, /channel=email/);
  assert.equal(Number(total[1]), (await figures()).total.conversations);
});

test("without JavaScript the page says what it needs", async () => {
  const c = await browser.newContext({ javaScriptEnabled: false });
  const p = await c.newPage();
  await p.goto(srv.base + "/login?next=/agent/dashboard");
  await logIn(p, "sup@example.nl");
  assert.match(await p.content(), /hebben JavaScript nodig/);
  assert.match(await p.getAttribute("#dash-csv", "href"),
    /^\/api\/v1\/figures\?format=csv/);
  await c.close();
});

test("no console errors or CSP violations", () => {
  assert.deepEqual(problems.flat(), []);
});
