// test_facilitation.mjs - the facilitation pages in real headless Chromium.
//
// An organiser asks for a budget (first with an error, shown next to its
// field), staff grant part of it through the API, the organiser reads the
// decision and its reason; the organiser creates a meeting, a resident
// registers by keyboard and the meeting's .ics downloads; the public
// /initiatieven/gefaciliteerd shows the neighbourhood's figures.  Every
// page: axe-core (WCAG 2.0/2.1 A and AA), no console error or CSP
// violation, the forms also with JavaScript off, 320 px reflow.
// Accounts, sessions and the initiative are rows of the participation
// core, written into the database with Python's sqlite3 as that core
// would write them.
//
//   node tests/browser/test_facilitation.mjs
//     (ctest: browser/test_facilitation)
// Exit status 77 (skipped) when node_modules or Chromium are missing.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import * as h from "./harness.mjs";

const why = h.missing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}

const { test, before, after } = await import("node:test");
const assert = (await import("node:assert/strict")).default;

let srv, admin, browser, js, nojs;
const problems = [];
const ids = {};

// Runs SQL statements [[sql, params], ...] on the server's database.
function seed(statements) {
  const script = "import json, sqlite3, sys\n" +
    "c = sqlite3.connect(sys.argv[1], timeout=10)\n" +
    "with c:\n" +
    "    for sql, params in json.loads(sys.argv[2]):\n" +
    "        c.execute(sql, params)\n" +
    "c.close()\n";
  execFileSync("python3", ["-c", script, path.join(srv.data, "loket.db"),
                           JSON.stringify(statements)]);
}

// A confirmed account with a session; returns {id, sid}.
function account(name) {
  const id = crypto.randomUUID();
  const sid = crypto.randomBytes(16).toString("base64url");
  const t = Date.now();
  seed([
    ["INSERT INTO p_accounts (id, email, email_key, display_name," +
     " confirmed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
     [id, `${id}@example.nl`, `${id}@example.nl`, name, t, t, t]],
  ]);
  // BLAKE2b-256 of the session id, as lk_session_digest() stores it
  // (Node's crypto has no 256-bit BLAKE2b, Python's hashlib does).
  execFileSync("python3", ["-c",
    "import hashlib, sqlite3, sys\n" +
    "c = sqlite3.connect(sys.argv[1], timeout=10)\n" +
    "with c:\n" +
    "    c.execute('INSERT INTO p_sessions (id_hash, account_id,'\n" +
    "              ' created_at, last_seen_at, expires_at)'\n" +
    "              ' VALUES (?, ?, ?, ?, ?)',\n" +
    "              (hashlib.blake2b(sys.argv[2].encode(),\n" +
    "                               digest_size=32).hexdigest(),\n" +
    "               sys.argv[3], int(sys.argv[4]), int(sys.argv[4]),\n" +
    "               int(sys.argv[4]) + 86400000))\n" +
    "c.close()\n",
    path.join(srv.data, "loket.db"), sid, id, String(t)]);
  return { id, sid };
}

async function newContext(opts = {}) {
  const ctx = await browser.newContext({ locale: "nl-NL", ...opts });
  problems.push(h.watchConsole(ctx));
  return ctx;
}

async function as(ctx, who) {
  await ctx.clearCookies();
  if (who)
    await ctx.addCookies([{ name: "loket_bewoner", value: who.sid,
                            url: srv.base }]);
}

async function accessible(page, what) {
  const v = await h.axe(page);
  assert.deepEqual(v, [], `${what}: axe violations:\n` +
    JSON.stringify(v, null, 2));
}

// No horizontal scroll at 320 CSS pixels (WCAG 1.4.10).
async function reflows(page, what) {
  await page.setViewportSize({ width: 320, height: 640 });
  const wide = await page.evaluate(() =>
    document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(wide, false, `${what}: scrolls sideways at 320 px`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

function nextWeekday(daysAhead, isoDay) {
  const d = new Date(Date.now() + daysAhead * 86400000);
  while (((d.getUTCDay() + 6) % 7) + 1 !== isoDay)
    d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket().start();
  admin = srv.token("admin");
  ids.owner = account("Olga <Organisator>");
  ids.resident = account("Ria Bewoner");
  ids.initiative = crypto.randomUUID();
  const t = Date.now();
  seed([
    ["INSERT INTO initiatives (id, owner_id, title, summary," +
     " neighbourhood_id, theme_id, status, status_changed_at, published_at," +
     " created_at, updated_at) VALUES (?, ?, ?, 'Samen tuinieren', 'oost'," +
     " 'groen', 'running', ?, ?, ?, ?)",
     [ids.initiative, ids.owner.id, "Moestuin <b>Oost</b>", t, t, t, t]],
    ["INSERT INTO initiative_organisers (initiative_id, account_id, role," +
     " created_at) VALUES (?, ?, 'owner', ?)",
     [ids.initiative, ids.owner.id, t]],
  ]);
  const year = Number(new Intl.DateTimeFormat("en", {
    timeZone: "Europe/Amsterdam", year: "numeric" }).format(new Date()));
  await srv.api(admin, "POST", "/api/v1/budget-pots",
    { year, neighbourhoodId: "oost", amountCents: 100000 });
  await srv.api(admin, "POST", "/api/v1/rooms",
    { name: "Stadhuis zaal 1", location: "Stadsplateau 1", capacity: 30 });
  browser = await h.launchBrowser();
  js = await newContext();
  nojs = await newContext({ javaScriptEnabled: false });
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

test("the organiser asks for a budget; errors sit next to the field",
  async () => {
    await as(js, ids.owner);
    const page = await js.newPage();
    const url = `${srv.base}/initiatieven/${ids.initiative}/faciliteiten`;
    const res = await page.goto(url);
    assert.equal(res.status(), 200);
    assert.ok(res.headers()["content-security-policy"]);
    await page.getByRole("heading", { level: 1,
      name: "Faciliteiten aanvragen" }).waitFor();
    await accessible(page, "faciliteiten");
    await reflows(page, "faciliteiten");
    await page.locator("#budget-doel").fill("Zaden en gieters");
    await page.locator("#budget-bedrag").fill("veel");
    await page.getByRole("button", { name: "Budget aanvragen" }).click();
    await page.getByRole("alert").waitFor();
    assert.equal(await page.locator("#budget-bedrag")
      .getAttribute("aria-invalid"), "true");
    await page.locator("#budget-bedrag-fout").waitFor();
    assert.equal(await page.locator("#budget-doel").inputValue(),
      "Zaden en gieters");
    await accessible(page, "faciliteiten with an error");
    await h.screenshot(page, "facilitation-form-error");
    await page.locator("#budget-bedrag").fill("250,00");
    await page.getByRole("button", { name: "Budget aanvragen" }).click();
    await page.getByRole("heading", { level: 3,
      name: "Budget: Ingediend" }).waitFor();
    const anchor = new URL(page.url()).hash;
    ids.request = anchor.replace("#aanvraag-", "");
    assert.match(ids.request, /^[0-9a-f-]{36}$/);
    await page.close();
  });

test("staff decide; the organiser reads the decision and its history",
  async () => {
    await srv.api(admin, "POST",
      `/api/v1/facilitation-requests/${ids.request}/decision`,
      { outcome: "partly_granted", grantedCents: 15000,
        reason: "Gieters <leent> de buurtschuur uit" });
    await as(nojs, ids.owner);
    const page = await nojs.newPage();
    await page.goto(`${srv.base}/initiatieven/${ids.initiative}/faciliteiten`);
    await page.getByRole("heading", { level: 3,
      name: "Budget: Deels toegekend" }).waitFor();
    await page.getByText("Gieters <leent> de buurtschuur uit").first()
      .waitFor();
    await page.getByText("Geschiedenis").click();
    await page.getByText("door de gemeente").first().waitFor();
    await h.screenshot(page, "facilitation-decided");
    await page.close();
  });

test("a meeting: created without JavaScript, registered by keyboard",
  async () => {
    await as(nojs, ids.owner);
    let page = await nojs.newPage();
    await page.goto(`${srv.base}/initiatieven/${ids.initiative}` +
                    "/bijeenkomsten");
    await page.locator("#bijeenkomst-titel").fill("Plantdag & koffie");
    await page.locator("#bijeenkomst-plaats").fill("Moestuin, Oosterstraat 1");
    await page.locator("#bijeenkomst-datum").fill(nextWeekday(9, 6));
    await page.locator("#bijeenkomst-van").fill("10:00");
    await page.locator("#bijeenkomst-tot").fill("12:00");
    await page.locator("#bijeenkomst-plaatsen").fill("2");
    await page.getByRole("button", { name: "Bijeenkomst aanmaken" }).click();
    await page.getByRole("heading", { level: 1, name: "Plantdag & koffie" })
      .waitFor();
    ids.meeting = page.url().split("/").pop();
    await page.close();

    await as(js, ids.resident);
    page = await js.newPage();
    await page.goto(`${srv.base}/initiatieven/bijeenkomsten/${ids.meeting}`);
    await accessible(page, "meeting");
    await reflows(page, "meeting");
    // Keyboard only: Tab to the button, Enter.
    const button = page.getByRole("button", { name: "Aanmelden" });
    for (let i = 0; i < 40 && !(await button.evaluate(
      (b) => b === document.activeElement)); i++)
      await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "U bent aangemeld" })
      .waitFor();
    await page.getByText("1 van 2 vrij").waitFor();
    await accessible(page, "meeting, registered");
    await h.screenshot(page, "facilitation-meeting");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: /Zet in uw agenda/ }).click(),
    ]);
    const ics = await download.createReadStream().then(async (s) => {
      const chunks = [];
      for await (const c of s) chunks.push(c);
      return Buffer.concat(chunks).toString("utf8");
    });
    assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
    assert.match(ics, /\r\nSUMMARY:Plantdag & koffie\r\n/);
    assert.match(ics, /\r\nLOCATION:Moestuin\\, Oosterstraat 1\r\n/);
    await page.close();

    // The organiser sees who comes.
    await as(js, ids.owner);
    page = await js.newPage();
    await page.goto(`${srv.base}/initiatieven/bijeenkomsten/${ids.meeting}`);
    await page.getByRole("heading", { name: "Aanmeldingen" }).waitFor();
    await page.getByText("Ria Bewoner").waitFor();
    await accessible(page, "meeting, organiser");
    await page.close();
  });

test("the public page of what the municipality facilitated", async () => {
  await as(js, null);
  const page = await js.newPage();
  const res = await page.goto(`${srv.base}/initiatieven/gefaciliteerd`);
  assert.equal(res.status(), 200);
  await page.getByRole("heading", { level: 1,
    name: /Wat de gemeente faciliteerde in \d{4}/ }).waitFor();
  const row = page.getByRole("row", { name: /Oost/ });
  await row.getByRole("cell", { name: "€ 150,00" }).waitFor();
  await accessible(page, "gefaciliteerd");
  await reflows(page, "gefaciliteerd");
  await h.screenshot(page, "facilitation-public");
  // The previous year, empty, is accessible too.
  await page.getByRole("link", { name: /Vorig jaar/ }).click();
  await page.getByText("In dit jaar is nog niets toegekend.").waitFor();
  await accessible(page, "gefaciliteerd, empty year");
  await page.close();
});

test("the initiative page shows what the municipality contributed",
  async () => {
    for (const [who, organiser] of [[null, false], [ids.owner, true]]) {
      await as(js, who);
      const page = await js.newPage();
      await page.goto(`${srv.base}/initiatieven/${ids.initiative}`);
      await page.getByRole("heading", { level: 2,
        name: "Bijdrage van de gemeente" }).waitFor();
      await page.getByText(/€ 150,00 toegekend/).waitFor();
      await page.getByRole("link", { name: "Plantdag & koffie" }).waitFor();
      assert.equal(await page.getByRole("link",
        { name: /Zaal, uren buitendienst of budget aanvragen/ }).count(),
      organiser ? 1 : 0);
      await accessible(page, `initiative page (${organiser ? "organiser" :
        "public"})`);
      await page.close();
    }
  });

test("no console errors or CSP violations", () => {
  // The form sent with an error answers 422 on purpose.
  const expected = [/faciliteiten: console error: Failed to load resource: the server responded with a status of 422/];
  assert.deepEqual(problems.flat().filter(
    (p) => !expected.some((e) => e.test(p))), []);
});
