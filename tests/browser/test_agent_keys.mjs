// test_agent_keys.mjs - the agent console's main flow without a mouse.
//
// Log-in by keyboard; every action of the console is in the Tab order and
// shows where the focus is; the shortcuts of the on-screen help ("/",
// "j"/"k", Enter, "o", "r", "n", Ctrl+Enter, Esc, "t", "?") take the
// agent from search to an answered conversation, a note and the callback
// queue; new messages are announced in the ARIA live region.
//
//   node tests/browser/test_agent_keys.mjs  (ctest: browser/test_agent_keys)
import * as h from "./harness.mjs";
import * as a from "./agentlib.mjs";

const why = h.missing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}

const { test, before, after } = await import("node:test");
const assert = (await import("node:assert/strict")).default;

const LIVE = { timeout: 10000 };
let srv, api, admin, browser, ctx, page, world, convA, convB;
const problems = [];

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket().start();
  api = srv.token("api events");
  admin = srv.token("admin");
  world = await a.seed(srv, admin);
  convA = await a.conversation(srv, api, { subject: "Parkeervergunning",
    content: "Wanneer krijg ik mijn vergunning?",
    from: { name: "Anna Bakker", email: "anna@example.nl" } });
  convB = await a.conversation(srv, api, { subject: "Lantaarnpaal",
    content: "De lantaarnpaal in mijn straat is kapot.",
    from: { name: "Bram Smit", email: "bram@example.nl" } });
  browser = await h.launchBrowser();
  ctx = await browser.newContext({ locale: "nl-NL",
    timezoneId: "Europe/Amsterdam", viewport: { width: 1400, height: 900 } });
  problems.push(h.watchConsole(ctx));
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

const focused = () => page.evaluate(() => {
  const e = document.activeElement;
  return e ? (e.id || e.getAttribute("data-conv") || e.tagName) : null;
});

// Presses Tab until `pred(active element)` holds (at most n times).
async function tabTo(sel, n = 80) {
  for (let i = 0; i < n; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement &&
        document.activeElement.matches(s), sel)) return;
  }
  assert.fail(`${sel} not reached with Tab`);
}

test("log in with the keyboard", async () => {
  page = await ctx.newPage();
  await page.goto(srv.base + "/agent");
  await page.waitForURL(/\/login/);
  await page.keyboard.press("Tab"); // skip link
  await tabTo("#email", 5);
  await page.keyboard.type(a.AGENT.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(a.PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/agent$/);
  await page.waitForSelector("#inbox-lijst a.loket-inbox-item");
});

test("every action is in the Tab order, with a visible focus", async () => {
  await page.goto(srv.base + "/agent#/gesprek/" + convA.id);
  await page.waitForSelector("#tijdlijn li", LIVE);
  await page.evaluate(() => document.activeElement.blur());
  const seen = new Set();
  const invisible = [];
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press("Tab");
    const r = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const s = getComputedStyle(e);
      return { id: e.id || e.textContent.trim().slice(0, 20),
        visible: s.outlineStyle !== "none" && s.outlineWidth !== "0px" ||
          s.boxShadow !== "none" };
    });
    if (!r) continue;
    seen.add(r.id);
    if (!r.visible) invisible.push(r.id);
  }
  for (const id of ["hulp-knop", "nav-terugbellen", "aanwezigheid",
    "Uitloggen", "inbox-zoek", "filter-status", "filter-kanaal",
    "filter-team", "filter-behandelaar", "filter-ongelezen", "oppakken",
    "toewijzen", "toewijzen-knop", "gesprek-status", "status-knop",
    `cat-${world.categoryId}`, "categorieen-knop", "soort-antwoord",
    "antwoord", "bijlagen", "versturen"])
    assert.ok(seen.has(id), `${id} is reachable with Tab`);
  assert.deepEqual([...new Set(invisible)], [], "focus is visible");
});

test("search, move, open, take, answer, note, by shortcuts", async () => {
  await page.goto(srv.base + "/agent#/");
  await page.waitForSelector("#inbox-lijst a.loket-inbox-item", LIVE);
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("/");
  assert.equal(await focused(), "inbox-zoek");
  await page.keyboard.type("lantaarnpaal");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll(
    "#inbox-lijst a.loket-inbox-item").length === 1, null, LIVE);
  await page.keyboard.press("Escape");
  await page.keyboard.press("j");
  assert.equal(await focused(), convB.id);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement.id ===
    "gesprek-kop", null, LIVE);
  assert.match(await page.textContent("#gesprek-kop"), /Lantaarnpaal/);

  // Clear the search, then j and k walk the list.
  await page.keyboard.press("/");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll(
    "#inbox-lijst a.loket-inbox-item").length === 2, null, LIVE);
  await page.keyboard.press("Escape");
  await page.keyboard.press("j");
  const first = await focused();
  await page.keyboard.press("k");
  await page.keyboard.press("j");
  const again = await focused();
  await page.keyboard.press("k");
  const other = await focused();
  assert.equal(again, first);
  assert.notEqual(other, first);
  assert.ok([convA.id, convB.id].includes(other));

  // Back in the open conversation: take it, answer, write a note.
  await page.keyboard.press("o");
  await page.waitForFunction(() => /behandelaar: Fatima/.test(
    document.getElementById("gesprek-gegevens").textContent), null, LIVE);
  await page.keyboard.press("r");
  assert.equal(await focused(), "antwoord");
  await page.keyboard.type("We sturen iemand langs.");
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector("#tijdlijn li.loket-timeline__item--outbound " +
    ">> text=We sturen iemand langs.", LIVE);
  await page.keyboard.press("Escape");
  assert.equal(await focused(), "gesprek-kop");
  await page.keyboard.press("n");
  assert.equal(await focused(), "antwoord");
  assert.equal(await page.isChecked("#soort-notitie"), true);
  await page.keyboard.type("Melding doorgezet naar de aannemer.");
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector("#tijdlijn li.loket-timeline__item--note " +
    ">> text=Melding doorgezet naar de aannemer.", LIVE);
  const conv = (await srv.api(api, "GET",
    `/api/v1/conversations/${convB.id}`)).body;
  assert.deepEqual(conv.messages.map((m) => m.kind),
    ["inbound", "outbound", "note"]);
  assert.equal(conv.assigneeId, world.agentId);
});

test("status by keyboard; a new message is announced", async () => {
  await page.focus("#gesprek-status");
  await page.keyboard.press("End"); // the last option: Afgehandeld
  await tabTo("#status-knop", 5);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /Afgehandeld/.test(
    document.getElementById("gesprek-gegevens").textContent), null, LIVE);
  await srv.api(api, "POST", `/api/v1/conversations/${convA.id}/messages`,
    { direction: "inbound", content: "Nog iets" });
  await page.waitForFunction(() => /Nieuw bericht/.test(
    document.getElementById("console-live").textContent), null, LIVE);
  assert.equal(await page.getAttribute("#console-live", "aria-live"),
    "polite");
});

test("t opens the callback queue, ? the help, Esc closes it", async () => {
  await page.keyboard.press("Escape");
  await page.keyboard.press("t");
  await page.waitForFunction(() => document.activeElement.id ===
    "terugbellen-kop", null, LIVE);
  await page.keyboard.press("?");
  await page.waitForSelector("#hulp[open]");
  assert.equal(await focused(), "hulp-sluiten");
  const rows = await page.$$eval("#hulp tbody tr", (r) => r.length);
  assert.ok(rows >= 10);
  await page.keyboard.press("Escape");
  await page.waitForSelector("#hulp", { state: "hidden" });
  // Switched off in the help, letters do nothing.
  await page.keyboard.press("?");
  await page.waitForSelector("#hulp[open]");
  await page.focus("#sneltoetsen-aan");
  await page.keyboard.press("Space");
  await page.keyboard.press("Escape");
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("i");
  assert.equal(new URL(page.url()).hash, "#/terugbellen");
});

test("no console errors or CSP violations", () => {
  assert.deepEqual(problems.flat(), []);
});
