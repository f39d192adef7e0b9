// test_agent_live.mjs - the agent console's live state stays right when
// things happen at awkward moments.
//
// - Two reloads of the open conversation overlap and the older answer
//   comes back last (held with page.route): the message that arrived in
//   between must stay on the screen.
// - The tab is hidden when a resident writes: the conversation stays
//   unread (on the server too) until the agent looks at it again.
// - The inbox filters by category.
// - The session ends elsewhere (log-out in another tab): the console,
//   idle in the inbox, goes to /login instead of retrying for ever.
//
//   node tests/browser/test_agent_live.mjs  (ctest: browser/test_agent_live)
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
let srv, api, admin, browser, ctx, page, conv, world;
const problems = [];

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket().start();
  api = srv.token("api events");
  admin = srv.token("admin");
  world = await a.seed(srv, admin);
  browser = await h.launchBrowser();
  ctx = await browser.newContext({ locale: "nl-NL",
    viewport: { width: 1400, height: 900 } });
  problems.push(h.watchConsole(ctx));
  page = await ctx.newPage();
  await a.login(page, srv, a.AGENT);
  conv = await a.conversation(srv, api, { subject: "Stoep",
    content: "Er ligt een tegel los.",
    from: { name: "Els de Vries", email: "els@example.nl" } });
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

function inbound(text) {
  return srv.api(api, "POST", `/api/v1/conversations/${conv.id}/messages`,
    { direction: "inbound", content: text });
}

function timelineHas(text) {
  return page.evaluate((t) => Array.from(document.querySelectorAll(
    "#tijdlijn .loket-timeline__text")).some((e) => e.textContent === t),
  text);
}

test("an older reload answering last does not hide a new message",
  async () => {
    await page.goto(srv.base + "/agent#/gesprek/" + conv.id);
    await page.waitForSelector("#tijdlijn >> text=Er ligt een tegel los.",
      LIVE);
    // The next reload is answered now but delivered only on release.
    let release;
    const held = new Promise((r) => { release = r; });
    let caught, delivered;
    const seen = new Promise((r) => { caught = r; });
    const done = new Promise((r) => { delivered = r; });
    const url = `**/api/v1/conversations/${conv.id}?limit=100`;
    await page.route(url, async (route) => {
      const resp = await route.fetch();
      caught();
      await held;
      await route.fulfill({ response: resp });
      delivered();
    }, { times: 1 });
    await inbound("Eerste aanvulling");
    await seen;
    await inbound("Tweede aanvulling");
    await page.waitForSelector("#tijdlijn >> text=Tweede aanvulling", LIVE);
    // Shown once, it must never go away again (a later reload would hide
    // the loss, so every change of the timeline is checked).
    await page.evaluate(() => {
      window.__lost = 0;
      new MutationObserver(() => {
        if (!Array.from(document.querySelectorAll(
          "#tijdlijn .loket-timeline__text")).some(
          (e) => e.textContent === "Tweede aanvulling")) window.__lost++;
      }).observe(document.getElementById("tijdlijn"), { childList: true });
    });
    release();
    await done;
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await page.evaluate(() => window.__lost), 0,
      "the stale answer replaced the newer timeline");
    assert.ok(await timelineHas("Eerste aanvulling"));
    assert.ok(await timelineHas("Tweede aanvulling"),
      "the stale answer replaced the newer timeline");
  });

// The server's unread flag of the conversation, as this agent sees it.
function serverUnread() {
  return page.evaluate(async (id) => {
    const r = await fetch("/api/v1/conversations?limit=50",
      { headers: { Accept: "application/json" } });
    const it = (await r.json()).items.find((x) => x.id === id);
    return it ? it.unread : null;
  }, conv.id);
}

function setHidden(hidden) {
  return page.evaluate((h) => {
    Object.defineProperty(document, "hidden",
      { configurable: true, get: () => h });
    Object.defineProperty(document, "visibilityState",
      { configurable: true, get: () => (h ? "hidden" : "visible") });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

test("a message to a hidden tab stays unread until the agent looks",
  async () => {
    await page.waitForFunction(() => !document.querySelector(
      "#inbox-lijst .loket-inbox-item--unread"), null, LIVE);
    assert.equal(await serverUnread(), false);
    await setHidden(true);
    await inbound("Terwijl u weg was");
    await page.waitForSelector("#tijdlijn >> text=Terwijl u weg was", LIVE);
    await page.waitForSelector(
      `#inbox-lijst a[data-conv='${conv.id}'].loket-inbox-item--unread`,
      LIVE);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await serverUnread(), true,
      "marked read while nobody could see it");
    await setHidden(false);
    await page.waitForFunction(() => !document.querySelector(
      "#inbox-lijst .loket-inbox-item--unread"), null, LIVE);
    for (let i = 0; i < 50 && await serverUnread(); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(await serverUnread(), false);
  });

test("the inbox filters by category", async () => {
  const afval = await a.conversation(srv, api, { subject: "Container vol",
    content: "Al twee weken.", categories: [world.categoryId],
    from: { name: "Piet Smit", email: "piet@example.nl" } });
  await page.goto(srv.base + "/agent#/");
  await page.waitForSelector(`#inbox-lijst a[data-conv='${afval.id}']`,
    LIVE);
  await page.waitForSelector(`#inbox-lijst a[data-conv='${conv.id}']`,
    LIVE);
  await page.selectOption("#filter-categorie", world.categoryId);
  await page.waitForSelector(`#inbox-lijst a[data-conv='${conv.id}']`,
    { state: "detached", ...LIVE });
  const shown = await page.$$eval("#inbox-lijst a[data-conv]",
    (els) => els.map((e) => e.getAttribute("data-conv")));
  assert.deepEqual(shown, [afval.id]);
  await page.selectOption("#filter-categorie", "");
  await page.waitForSelector(`#inbox-lijst a[data-conv='${conv.id}']`,
    LIVE);
});

test("what \"Meer laden\" loaded stays after a live update", async () => {
  for (let i = 0; i < 55; i++)
    await a.conversation(srv, api, { subject: `Vraag ${i}`, content: "?",
      from: { name: `Inwoner ${i}`, email: `inwoner${i}@example.nl` } });
  await page.goto(srv.base + "/agent#/");
  await page.waitForSelector("#inbox-meer:not([hidden])", LIVE);
  const count = () => page.$$eval("#inbox-lijst a[data-conv]",
    (els) => els.length);
  assert.equal(await count(), 50);
  await page.click("#inbox-meer");
  await page.waitForFunction(() => document.querySelectorAll(
    "#inbox-lijst a[data-conv]").length > 50, null, LIVE);
  const loaded = await count();
  // The event's refresh of the inbox, answered and drawn.
  const refreshed = page.waitForResponse((r) =>
    /\/api\/v1\/conversations\?/.test(r.url()), LIVE);
  await inbound("Nog een vraag");
  await (await refreshed).finished();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await count(), loaded);
});

test("a session ended elsewhere sends the console to the log-in page",
  async () => {
    await page.goto(srv.base + "/agent#/terugbellen");
    await page.waitForSelector("#console:not([hidden])");
    await page.waitForFunction(() => !document.body.classList.contains(
      "loket-console--offline"), null, LIVE);
    const other = await ctx.newPage();
    await other.goto(srv.base + "/agent");
    await other.waitForSelector("#console:not([hidden])");
    await other.click("button:has-text('Uitloggen')");
    await other.waitForURL(/\/login$/);
    await page.waitForURL(/\/login\?next=/, { timeout: 20000 });
    // Logging in again comes back to the same view.
    assert.equal(new URL(page.url()).searchParams.get("next"),
      "/agent#/terugbellen");
    await page.fill("#email", a.AGENT.email);
    await page.fill("#wachtwoord", a.PASSWORD);
    await page.click("button:has-text('Inloggen')");
    await page.waitForURL(/\/agent#\/terugbellen$/);
    await page.waitForSelector("#terugbellen:not([hidden])", LIVE);
  });

test("no console errors or CSP violations", () => {
  // The refused stream after the log-out is the point of the last test.
  assert.deepEqual(problems.flat().filter((p) =>
    !/api\/v1\/events|status of 401/.test(p)), []);
});
