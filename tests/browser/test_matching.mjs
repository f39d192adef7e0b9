// test_matching.mjs - the matching pages in real headless Chromium, with
// JavaScript off (they must work without it): post a need and an offer,
// see the match, write through the platform, sign up for help on an
// initiative page, report.  Every page: axe-core (WCAG 2.0/2.1 A and AA),
// no console error or CSP violation; the post form with its errors too.
// Residents are seeded in the database as the participation core writes
// them (a confirmed account and a live session cookie).
//
//   node tests/browser/test_matching.mjs   (ctest: browser/test_matching)
// Exit status 77 (skipped) when node_modules or Chromium are missing.
import { spawnSync } from "node:child_process";
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

let srv, browser;
const problems = [];

// Seeds rows with Python's sqlite3 (WAL: safe while loket runs).
function seed(statements) {
  const script = "import json, sqlite3, sys\n" +
    "c = sqlite3.connect(sys.argv[1], timeout=10)\n" +
    "with c:\n" +
    "    for sql, params in json.load(sys.stdin):\n" +
    "        c.execute(sql, params)\n";
  const p = spawnSync("python3", ["-c", script,
    path.join(srv.data, "loket.db")],
  { input: JSON.stringify(statements), encoding: "utf8" });
  if (p.status !== 0) throw new Error(`seeding failed: ${p.stderr}`);
}

function resident(name) {
  const id = crypto.randomUUID();
  const sid = crypto.randomBytes(16).toString("base64url");
  const digest = blake2b256(sid);
  const t = Date.now();
  seed([
    ["INSERT INTO p_accounts (id, email, email_key, display_name," +
     " confirmed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [id, `${name}@bewoner.example`, `${name}@bewoner.example`, name, t, t,
      t]],
    ["INSERT INTO p_sessions (id_hash, account_id, created_at," +
     " last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
    [digest, id, t, t, t + 86400000]],
  ]);
  return { id, sid, name };
}

// BLAKE2b-256 (what Loket stores for a session id): node's crypto has
// only BLAKE2b-512, so Python computes it.
function blake2b256(s) {
  const p = spawnSync("python3", ["-c",
    "import hashlib, sys; print(hashlib.blake2b(sys.argv[1].encode()," +
    " digest_size=32).hexdigest())", s], { encoding: "utf8" });
  return p.stdout.trim();
}

// axe runs inside the page, so it needs JavaScript; the pages have none
// of their own to need, and the last test goes through them without it.
async function contextOf(who, js = true) {
  const c = await browser.newContext({ locale: "nl-NL",
    timezoneId: "Europe/Amsterdam", javaScriptEnabled: js });
  problems.push(h.watchConsole(c));
  if (who)
    await c.addCookies([{ name: "loket_bewoner", value: who.sid,
      domain: "127.0.0.1", path: "/" }]);
  return c;
}

async function accessible(page, what) {
  const v = await h.axe(page);
  assert.deepEqual(v, [], `${what}: axe violations:\n` +
    JSON.stringify(v, null, 2));
}

async function submit(page, name) {
  await Promise.all([page.waitForNavigation(),
    page.getByRole("button", { name }).first().click()]);
}

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket().start();
  browser = await h.launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

test("offers and needs, matches, messages, reports", async () => {
  const anna = resident("Anna");
  const bert = resident("Bert");
  const a = await contextOf(anna);
  const b = await contextOf(bert);
  const pa = await a.newPage();

  await pa.goto(srv.base + "/initiatieven/aanbod-en-vraag/nieuw");
  await accessible(pa, "post form");
  await submit(pa, "Plaatsen");
  assert.equal(await pa.locator("[role=alert]").count() > 0, true);
  await accessible(pa, "post form with errors");
  await h.screenshot(pa, "matching-form-errors");

  await pa.selectOption("#post-soort", "need");
  await pa.selectOption("#post-thema", "groen");
  await pa.selectOption("#post-wijk", "oost");
  await pa.fill("#post-titel", "Aanhanger <gezocht>");
  await pa.fill("#post-tekst", "Voor het groenafval.");
  await submit(pa, "Plaatsen");
  assert.match(pa.url(), /\/initiatieven\/aanbod-en-vraag\/[0-9a-f-]{36}/);
  await accessible(pa, "own need");

  const pb = await b.newPage();
  await pb.goto(srv.base + "/initiatieven/aanbod-en-vraag/nieuw");
  await pb.selectOption("#post-soort", "offer");
  await pb.selectOption("#post-thema", "groen");
  await pb.selectOption("#post-wijk", "oost");
  await pb.fill("#post-titel", "Aanhanger te leen");
  await pb.fill("#post-tekst", "Zaterdag vrij.");
  await submit(pb, "Plaatsen");

  await pb.goto(srv.base + "/initiatieven/aanbod-en-vraag");
  await accessible(pb, "list");
  assert.equal(await pb.getByText("Aanhanger <gezocht>").count(), 1);
  await h.screenshot(pb, "matching-list");
  await pb.getByRole("link", { name: "Aanhanger <gezocht>" }).click();
  await pb.waitForLoadState("load");
  await accessible(pb, "someone else's need");
  await pb.fill("#bericht-tekst", "Ik heb er een.");
  await submit(pb, "Verstuur");
  assert.match(pb.url(), /\/initiatieven\/berichten\//);
  await accessible(pb, "thread");

  await pa.goto(srv.base + "/initiatieven/mijn/matches");
  await accessible(pa, "my matches");
  assert.equal(await pa.getByText("Aanhanger te leen").count(), 1);
  await pa.goto(srv.base + "/initiatieven/berichten");
  await accessible(pa, "my threads");
  await pa.locator("#gesprekken a").first().click();
  await pa.waitForLoadState("load");
  assert.equal(await pa.getByText("Ik heb er een.").count(), 1);
  assert.equal(await pa.getByText("bert@bewoner.example").count(), 0);

  await pa.getByRole("link", { name: "Meld dit aan de gemeente" }).first()
    .click();
  await pa.waitForLoadState("load");
  await accessible(pa, "report form");
  await pa.fill("#melding-reden", "Ongepast");
  await submit(pa, "Melden");
  await accessible(pa, "report received");
  await a.close();
  await b.close();
});

test("doe mee and help on the initiative page", async () => {
  const org = resident("Org");
  const cas = resident("Cas");
  const iid = crypto.randomUUID();
  const t = Date.now();
  seed([
    ["INSERT INTO initiatives (id, owner_id, title, summary, theme_id," +
     " neighbourhood_id, status, status_changed_at, published_at," +
     " created_at, updated_at) VALUES (?, ?, 'Buurttuin', 'Samen tuinieren'," +
     " 'groen', 'oost', 'published', ?, ?, ?, ?)", [iid, org.id, t, t, t, t]],
    ["INSERT INTO initiative_organisers VALUES (?, ?, 'owner', ?)",
      [iid, org.id, t]],
  ]);
  const o = await contextOf(org);
  const po = await o.newPage();
  await po.goto(`${srv.base}/initiatieven/${iid}`);
  await po.locator("details summary").filter({ hasText: "Hulp vragen" })
    .click();
  await po.fill("#hulp-titel", "Scheppen zaterdag");
  await po.fill("#hulp-plaatsen", "2");
  await submit(po, "Hulp vragen");
  await accessible(po, "initiative page (organiser)");

  const c = await contextOf(cas);
  const pc = await c.newPage();
  await pc.goto(`${srv.base}/initiatieven/${iid}`);
  await submit(pc, "Doe mee");
  assert.equal(await pc.getByText("U doet mee.", { exact: true }).count(),
    1);
  await submit(pc, "Ik help mee");
  assert.equal(await pc.getByText("1 van 2 plaatsen bezet").count(), 1);
  await accessible(pc, "initiative page (resident)");
  await h.screenshot(pc, "matching-initiative-section");
  await o.close();
  await c.close();
});

test("without JavaScript: post an offer", async () => {
  const dirk = resident("Dirk");
  const c = await contextOf(dirk, false);
  const p = await c.newPage();
  await p.goto(srv.base + "/initiatieven/aanbod-en-vraag/nieuw");
  await p.selectOption("#post-soort", "offer");
  await p.selectOption("#post-thema", "sport");
  await p.fill("#post-titel", "Voetbaldoeltjes");
  await p.fill("#post-tekst", "Twee stuks.");
  await submit(p, "Plaatsen");
  assert.match(p.url(), /\/initiatieven\/aanbod-en-vraag\/[0-9a-f-]{36}/);
  assert.equal(await p.getByText("Uw bericht is geplaatst.").count(), 1);
  await c.close();
});

test("no console errors or CSP violations", () => {
  // The form sent empty on purpose answers 422: the browser logs that.
  assert.deepEqual(problems.flat().filter((p) => !/status of 422/.test(p)),
    []);
});
