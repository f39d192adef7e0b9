// test_actueel.mjs - the resident pages in real headless Chromium.
//
// axe-core (WCAG 2.0/2.1 A and AA) on every resident page, each page with
// JavaScript off, the live script on an open notice page (a new update
// appears without reload, and after the event stream is dropped it
// resumes without showing an update twice; FAQs appear and go, an edit
// shows its earlier version, all without reload), the CSP and the
// bundle's caching.  Screenshots of the key pages go to $LOKET_ARTEFACTS.
//
//   node tests/browser/test_actueel.mjs      (ctest: browser/test_actueel)
// Exit status 77 (skipped) when node_modules or Chromium are missing.
import * as h from "./harness.mjs";

const why = h.missing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}

const { test, before, after } = await import("node:test");
const assert = (await import("node:assert/strict")).default;

const CIRCLE = { type: "circle", center: [5.1214, 52.0907], radius: 400 };
const POLYGON = { type: "polygon", coordinates: [
  [5.110, 52.085], [5.130, 52.086], [5.134, 52.095], [5.118, 52.099]] };
const LIVE_MS = 5000;

let srv, token, browser, js, nojs, manifest;
const problems = []; // console errors and CSP violations, every context
const ids = {};

async function newNotice(fields) {
  const r = await srv.api(token, "POST", "/api/v1/notices", {
    kind: "storing", severity: "waarschuwing", publish: true,
    body: "De watervoorziening in de binnenstad is onderbroken.\n" +
          "Monteurs zijn ter plaatse.",
    ...fields });
  return r.body.id;
}

async function addUpdate(id, body) {
  const r = await srv.api(token, "POST", `/api/v1/notices/${id}/updates`,
    { body });
  return r.body.id;
}

async function addFaq(id, fields) {
  const r = await srv.api(token, "POST", `/api/v1/notices/${id}/faqs`,
    fields);
  return r.body.id;
}

function withdrawFaq(id, faq) {
  return srv.api(token, "DELETE", `/api/v1/notices/${id}/faqs/${faq}`);
}

// The page at `url` with its live script connected and caught up.
async function openLive(context, url) {
  const page = await context.newPage();
  const first = page.waitForResponse((r) => r.url().endsWith(".json"));
  await page.goto(srv.base + url);
  await first;
  await page.evaluate(() => { window.loketMarker = "no reload"; });
  return page;
}

// No axe violations on the page open in `page`; the details on failure.
async function accessible(page, what) {
  const v = await h.axe(page);
  assert.deepEqual(v, [], `${what}: axe violations:\n` +
    JSON.stringify(v, null, 2));
}

async function newContext(options = {}) {
  const c = await browser.newContext({ locale: "nl-NL",
    timezoneId: "Europe/Amsterdam", ...options });
  problems.push(h.watchConsole(c));
  return c;
}

async function open(context, url) {
  const page = await context.newPage();
  const r = await page.goto(srv.base + url, { waitUntil: "load" });
  return { page, response: r };
}

before(async () => {
  manifest = await h.buildBundle();
  srv = await new h.Loket().start();
  token = srv.token("api");
  browser = await h.launchBrowser();
  js = await newContext();
  nojs = await newContext({ javaScriptEnabled: false });
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

test("the pages link the hashed bundle under a strict CSP", async () => {
  const r = await fetch(srv.base + "/actueel");
  const csp = r.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /style-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const html = await r.text();
  const css = `/assets/${manifest.assets["loket.css"]}`;
  assert.ok(html.includes(`<link rel="stylesheet" href="${css}">`), html);
  assert.doesNotMatch(html, /<style|style="|<script>|\son[a-z]+="/);
  const a = await fetch(srv.base + css);
  assert.equal(a.status, 200);
  assert.equal(a.headers.get("cache-control"),
    "public, max-age=31536000, immutable");
  assert.equal(a.headers.get("content-type"), "text/css; charset=utf-8");
});

test("/actueel without notices", async () => {
  const { page, response } = await open(js, "/actueel");
  assert.ok(response.headers()["content-security-policy"]);
  await page.getByText("Er zijn op dit moment geen meldingen.").waitFor();
  // the style sheet applies: the theme's font, not the browser's default
  const font = await page.evaluate(() =>
    getComputedStyle(document.body).fontFamily);
  assert.match(font, /Noto Sans/);
  await accessible(page, "/actueel (empty)");
  await h.screenshot(page, "actueel-empty");
  await page.close();
});

test("data through the API", async () => {
  ids.water = await newNotice({
    kind: "calamiteit", severity: "zeer-ernstig",
    title: "Waterleiding gesprongen op de Oudegracht", area: CIRCLE,
    postcodes: ["3511", "3512AB"] });
  ids.road = await newNotice({
    kind: "wegafsluiting", title: "Weg afgesloten: Catharijnesingel",
    area: POLYGON, postcodes: ["3511"] });
  ids.ended = await newNotice({
    kind: "evenement", severity: "informatie",
    title: "Braderie in de binnenstad", area: CIRCLE, postcodes: [] });
  ids.u1 = await addUpdate(ids.water, "Het water is afgesloten.");
  ids.u2 = await addUpdate(ids.water, "Noodwater bij de Domkerk.");
  await srv.api(token, "PATCH",
    `/api/v1/notices/${ids.water}/updates/${ids.u2}`,
    { body: "Noodwater bij de Domkerk en het Janskerkhof." });
  await addUpdate(ids.ended, "De kramen worden opgebouwd.");
  await srv.api(token, "PATCH", `/api/v1/notices/${ids.ended}`,
    { status: "ended" });
});

test("/actueel with notices", async () => {
  // A context of its own: the list is cacheable for 10 s, and the first
  // context still holds the empty one.
  const fresh = await newContext();
  const { page } = await open(fresh, "/actueel");
  await page.getByRole("link",
    { name: "Waterleiding gesprongen op de Oudegracht" }).waitFor();
  await page.getByRole("link",
    { name: "Weg afgesloten: Catharijnesingel" }).waitFor();
  await accessible(page, "/actueel");
  await h.screenshot(page, "actueel");
  await fresh.close();
});

test("a notice page: area, updates, an edited update", async () => {
  const { page } = await open(js, `/actueel/${ids.water}`);
  await page.getByRole("heading", { level: 1,
    name: "Waterleiding gesprongen op de Oudegracht" }).waitFor();
  assert.equal(await page.locator("figure svg").count(), 1);
  assert.equal(await page.locator(".loket-update").count(), 2);
  await page.getByText("bijgewerkt om").waitFor();
  await accessible(page, "/actueel/{id}");
  await h.screenshot(page, "actueel-melding");
  await page.close();

  const road = await open(js, `/actueel/${ids.road}`);
  assert.equal(await road.page.locator("figure svg polygon").count(), 1);
  await accessible(road.page, "/actueel/{id} (polygon)");
  await road.page.close();
});

test("veelgestelde vragen and earlier versions on a notice page",
  async () => {
    const safe = await addFaq(ids.water, {
      question: "Is het kraanwater veilig?",
      answer: "Ja, na een minuut doorspoelen.\nKook het voor baby's." });
    ids.faq = await addFaq(ids.water, {
      question: "Waar haal ik noodwater?", answer: "Bij de Domkerk." });
    await srv.api(token, "PATCH",
      `/api/v1/notices/${ids.water}/faqs/${ids.faq}`,
      { answer: "Bij de Domkerk en op het Janskerkhof." });

    // A context of its own: the page is cacheable for a few seconds, and
    // the first context may still hold it without FAQs.
    const fresh = await newContext();
    const page = await openLive(fresh, `/actueel/${ids.water}`);
    await page.getByRole("heading", { level: 2,
      name: "Veelgestelde vragen" }).waitFor();
    assert.equal(await page.locator(".loket-faq").count(), 2);
    // the edited update and the edited FAQ, each with its history, closed
    const details = page.locator("details.loket-history");
    assert.equal(await details.count(), 2);
    assert.deepEqual(await details.evaluateAll((d) => d.map((e) => e.open)),
      [false, false]);
    await accessible(page, "/actueel/{id} with FAQs (history closed)");
    // The catch-up after connecting found the server's items current:
    // none was redrawn (a redrawn one is marked for 4 s).
    assert.equal(await page.locator(
      ".loket-faq--new, .loket-update--new").count(), 0);
    await h.screenshot(page, "actueel-faqs");

    // The script draws what the server drew: an unrelated change leaves
    // every item it shows the same element (nothing flickers, an open
    // history stays open).
    const items = ".loket-update, .loket-faq";
    await page.locator(items).evaluateAll((els) => els.forEach((e) => {
      e.loketSeen = true;
    }));
    const extra = await addFaq(ids.water, {
      question: "Kan ik douchen?", answer: "Nog niet." });
    await page.locator(`#faq-${extra}`).waitFor({ timeout: LIVE_MS });
    const kept = await page.locator(items).evaluateAll((els) =>
      els.filter((e) => e.loketSeen).map((e) => e.id));
    assert.equal(kept.length, 4, `redrawn: ${kept}`);
    await withdrawFaq(ids.water, extra);
    await page.locator(`#faq-${extra}`).waitFor({ state: "detached",
      timeout: LIVE_MS });

    for (const summary of await page.locator(
      "details.loket-history > summary").all())
      await summary.click();
    assert.deepEqual(await details.evaluateAll((d) => d.map((e) => e.open)),
      [true, true]);
    await page.getByText("Noodwater bij de Domkerk.", { exact: true })
      .waitFor();
    await page.locator(`#faq-${ids.faq} .loket-history-list`)
      .getByText("Bij de Domkerk.").waitFor();
    await accessible(page, "/actueel/{id} with FAQs (history open)");
    await h.screenshot(page, "actueel-faqs-eerdere-versies");
    assert.equal(await page.evaluate(() => window.loketMarker), "no reload");
    await fresh.close();

    const plain = await open(nojs, `/actueel/${ids.water}`);
    await plain.page.locator(`#faq-${safe}`)
      .getByText("Is het kraanwater veilig?").waitFor();
    await plain.page.locator(`#update-${ids.u2} details > summary`).click();
    await plain.page.getByText("Noodwater bij de Domkerk.", { exact: true })
      .waitFor();
    await plain.page.close();
  });

test("live: an FAQ appears and disappears, an edit shows its earlier " +
     "version, without reload", async () => {
  const fresh = await newContext();
  const page = await openLive(fresh, `/actueel/${ids.road}`);
  const section = page.locator("#veelgestelde-vragen");
  assert.ok(await section.isHidden(), "no FAQs: the section is hidden");

  // Text stays text: markup in an FAQ is shown, never run.
  const question = 'Mag ik er met de fiets door? <img src=x ' +
    'onerror="window.loketXss=1">';
  const answer = "Ja, <b>langs</b> de hekken.\nVoetgangers ook.";
  const bike = await addFaq(ids.road, { question, answer, position: 20 });
  await page.locator(`#faq-${bike}`).waitFor({ timeout: LIVE_MS });
  assert.ok(await section.isVisible());
  assert.equal(await page.locator(`#faq-${bike} dt`).textContent(),
    question);
  assert.equal(await page.locator(`#faq-${bike} dd .loket-text`)
    .textContent(), answer);
  assert.equal(await section.locator("img, b").count(), 0);
  assert.equal(await page.evaluate(() => window.loketXss), undefined);

  // The section keeps the order of the positions.
  const when = await addFaq(ids.road, { question: "Tot wanneer?",
    answer: "Tot en met vrijdag.", position: 10 });
  await page.locator(`#faq-${when}`).waitFor({ timeout: LIVE_MS });
  assert.deepEqual(await page.locator(".loket-faq").evaluateAll(
    (els) => els.map((e) => e.id)), [`faq-${when}`, `faq-${bike}`]);

  // An edited update gets its "Eerdere versie" at once.
  const u = await addUpdate(ids.road, "Omleiding via de Croeselaan.");
  await page.locator(`#update-${u}`).waitFor({ timeout: LIVE_MS });
  await srv.api(token, "PATCH", `/api/v1/notices/${ids.road}/updates/${u}`,
    { body: "Omleiding via de Jaarbeurslaan." });
  const history = page.locator(`#update-${u} details.loket-history`);
  await history.waitFor({ timeout: LIVE_MS });
  assert.equal(await history.locator("summary").textContent(),
    "Eerdere versie");
  await page.locator(`#update-${u} .loket-edited`).waitFor();
  assert.equal(await page.locator(`#update-${u} > .loket-text`)
    .textContent(), "Omleiding via de Jaarbeurslaan.");
  await history.locator("summary").click();
  await history.getByText("Omleiding via de Croeselaan.").waitFor();

  // An edited FAQ likewise; the update's open history is left alone.
  await srv.api(token, "PATCH", `/api/v1/notices/${ids.road}/faqs/${when}`,
    { answer: "Tot en met zaterdag." });
  const faqHistory = page.locator(`#faq-${when} details.loket-history`);
  await faqHistory.waitFor({ timeout: LIVE_MS });
  await page.locator(`#faq-${when}`).getByText("Tot en met zaterdag.")
    .waitFor();
  assert.equal(await page.locator(`#faq-${when} .loket-edited`).count(), 1);
  assert.ok(await history.evaluate((d) => d.open));
  await accessible(page, "/actueel/{id} after live FAQs");
  await h.screenshot(page, "actueel-faqs-live");

  // Withdrawn: gone; the last one hides the section again.
  await withdrawFaq(ids.road, bike);
  await page.locator(`#faq-${bike}`).waitFor({ state: "detached",
    timeout: LIVE_MS });
  assert.ok(await section.isVisible());
  await withdrawFaq(ids.road, when);
  await section.waitFor({ state: "hidden", timeout: LIVE_MS });
  assert.equal(await page.locator(".loket-faq").count(), 0);
  assert.equal(await page.evaluate(() => window.loketMarker), "no reload");
  await fresh.close();
});

test("an ended notice", async () => {
  const { page } = await open(js, `/actueel/${ids.ended}`);
  await page.getByText("Deze melding is beëindigd").waitFor();
  assert.equal(await page.locator("form").count(), 0);
  await accessible(page, "/actueel/{id} (ended)");
  await h.screenshot(page, "actueel-beeindigd");
  await page.close();
});

test("the question form: errors next to the fields, then success",
  async () => {
    const { page } = await open(js, `/actueel/${ids.water}`);
    await page.getByLabel("E-mailadres of telefoonnummer").fill("geen adres");
    await page.getByLabel("Uw vraag").fill("Is het kraanwater veilig?");
    await Promise.all([page.waitForNavigation(),
      page.getByRole("button", { name: "Vraag versturen" }).click()]);
    assert.match(page.url(), /\/vragen$/);
    await page.locator("#vraag-contact-fout").waitFor();
    // what was typed is kept
    assert.equal(await page.getByLabel("Uw vraag").inputValue(),
      "Is het kraanwater veilig?");
    assert.equal(await page.getByLabel("E-mailadres of telefoonnummer")
      .getAttribute("aria-invalid"), "true");
    await accessible(page, "question form with errors");
    await h.screenshot(page, "vraag-fouten");

    await page.getByLabel("E-mailadres of telefoonnummer")
      .fill("inwoner@example.nl");
    await Promise.all([page.waitForNavigation(),
      page.getByRole("button", { name: "Vraag versturen" }).click()]);
    await page.getByText("Uw vraag is ontvangen onder nummer").waitFor();
    await accessible(page, "question received");
    await h.screenshot(page, "vraag-ontvangen");
    await page.close();
  });

test("/login", async () => {
  const { page } = await open(js, "/login");
  await page.getByRole("heading", { name: "Inloggen" }).waitFor();
  await accessible(page, "/login");
  await h.screenshot(page, "login");
  await page.getByLabel("E-mailadres").fill("niemand@example.nl");
  await page.getByLabel("Wachtwoord").fill("verkeerd wachtwoord");
  await Promise.all([page.waitForNavigation(),
    page.getByRole("button", { name: "Inloggen" }).click()]);
  await page.locator("#foutmelding").waitFor();
  await accessible(page, "/login with errors");
  await page.close();
});

test("without JavaScript: content visible, forms submit", async () => {
  const list = await open(nojs, "/actueel");
  await list.page.getByRole("link",
    { name: "Waterleiding gesprongen op de Oudegracht" }).waitFor();
  assert.equal(await list.page.getByText("Braderie in de binnenstad")
    .count(), 0, "an ended notice is not listed");
  await list.page.close();

  const { page } = await open(nojs, `/actueel/${ids.water}`);
  await page.getByText("Noodwater bij de Domkerk en het Janskerkhof.")
    .waitFor();
  assert.equal(await page.locator(".loket-update").count(), 2);
  await page.getByLabel("Naam (niet verplicht)").fill("Inwoner Zonder JS");
  await page.getByLabel("Uw vraag").fill("Waar haal ik noodwater?");
  await Promise.all([page.waitForNavigation(),
    page.getByRole("button", { name: "Vraag versturen" }).click()]);
  await page.getByText("Uw vraag is ontvangen onder nummer").waitFor();
  await h.screenshot(page, "vraag-ontvangen-zonder-js");
  await page.close();

  const login = await open(nojs, "/login");
  await login.page.getByLabel("E-mailadres").fill("niemand@example.nl");
  await login.page.getByLabel("Wachtwoord").fill("nog steeds verkeerd");
  await Promise.all([login.page.waitForNavigation(),
    login.page.getByRole("button", { name: "Inloggen" }).click()]);
  await login.page.locator("#foutmelding").waitFor();
  await login.page.close();
});

// The ids of the updates the page shows, in order.
function shown(page) {
  return page.locator(".loket-update").evaluateAll(
    (els) => els.map((e) => e.id));
}

test("live: a new update appears without reload, and after the stream " +
     "drops it resumes without duplicates", async () => {
  const page = await js.newPage();
  const first = page.waitForResponse((r) => r.url().endsWith(".json"));
  await page.goto(`${srv.base}/actueel/${ids.water}`);
  await first; // the script is connected and has caught up
  await page.evaluate(() => { window.loketMarker = "no reload"; });

  const u3 = await addUpdate(ids.water, "Reparatie begonnen.");
  await page.locator(`#update-${u3}`).waitFor({ timeout: LIVE_MS });
  assert.equal(await page.locator(`#update-${u3}`).count(), 1);
  assert.equal(await page.evaluate(() => window.loketMarker), "no reload");
  assert.equal((await shown(page))[0], `update-${u3}`);

  // The server restarts; while it is gone, and for its first answers, the
  // stream is refused (as a proxy would): the script must open a new one.
  let refused = 0;
  await page.route("**/stream", (route) => {
    refused++;
    return route.abort("connectionrefused");
  });
  await srv.restart();
  const t0 = Date.now();
  while (refused === 0 && Date.now() - t0 < 10000)
    await page.waitForTimeout(100);
  assert.ok(refused > 0, "the script tried to reconnect");
  const u4 = await addUpdate(ids.water, "Water weer aan in de Zadelstraat.");
  await page.unroute("**/stream");
  await page.locator(`#update-${u4}`).waitFor({ timeout: 15000 });

  // Live again on the new connection; every update exactly once.
  const u5 = await addUpdate(ids.water, "Alle woningen hebben weer water.");
  await page.locator(`#update-${u5}`).waitFor({ timeout: LIVE_MS });
  await page.waitForTimeout(500); // a late duplicate would show by now
  const ids_ = await shown(page);
  assert.equal(new Set(ids_).size, ids_.length, `duplicates: ${ids_}`);
  assert.deepEqual(ids_.slice(0, 3),
    [`update-${u5}`, `update-${u4}`, `update-${u3}`]);
  const doc = await (await fetch(`${srv.base}/actueel/${ids.water}.json`))
    .json();
  assert.equal(ids_.length, doc.updates.length);
  assert.equal(await page.evaluate(() => window.loketMarker), "no reload");
  await accessible(page, "/actueel/{id} after live updates");
  await h.screenshot(page, "actueel-live");
  await page.close();
});

test("no console errors and no CSP violations on any page", () => {
  // Expected: the stream refused on purpose in the live test, and the
  // 422 status (question, log-in) of a form sent back with
  // errors, which Chromium reports for the document.  Anything else (a
  // CSP violation, a script error, a 403 from the Origin check) is not.
  const expected = [
    /: console error: Failed to load resource: net::ERR_CONNECTION_REFUSED$/,
    /\/vragen: console error: Failed to load resource: the server responded with a status of 422 /,
    /\/login: console error: Failed to load resource: the server responded with a status of 422 /,
  ];
  const left = problems.flat().filter((p) => !expected.some((e) => e.test(p)));
  assert.deepEqual(left, []);
});
