// test_initiatives.mjs - the participation pages under /initiatieven in
// real headless Chromium, all of it with JavaScript off.
//
// A resident makes an account (the form, its errors, the answer page),
// follows the mailed link (read from the outbox row the mail sender
// would send: the test knows no token the mail did not carry), starts an
// initiative (empty form with errors, then saved as a draft), submits
// it, posts news and adds an image; another resident follows it; an
// anonymous visitor reads the list (filters, next page), the map and
// the initiative page.  Every page: axe-core (WCAG 2.0/2.1 A and AA), no
// console error or CSP violation; the list again with JavaScript on;
// 320 px reflow of the initiative page.  Screenshots go to
// $LOKET_ARTEFACTS.
//
//   node tests/browser/test_initiatives.mjs  (ctest: browser/test_initiatives)
// Exit status 77 (skipped) when node_modules or Chromium are missing.
import { spawnSync } from "node:child_process";
import path from "node:path";
import * as h from "./harness.mjs";

const why = h.missing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}

const { test, before, after } = await import("node:test");
const assert = (await import("node:assert/strict")).default;

let srv, browser, nojs, js, other, anon;
const problems = [];

// The newest mail queued for `to` whose outbox key starts with `prefix`
// (python3's sqlite3: the outbox holds what the mail sender would send).
function mailTo(to, prefix) {
  const p = spawnSync("python3", ["-c", `
import json, sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for (p,) in c.execute("SELECT payload FROM outbox WHERE kind = 'mail'"
                      " AND key LIKE ? ORDER BY seq DESC", (sys.argv[3] + "%",)):
    m = json.loads(p)
    if m["to"] == sys.argv[2]:
        print(json.dumps(m))
        break
`, path.join(srv.data, "loket.db"), to, prefix], { encoding: "utf8" });
  assert.equal(p.status, 0, p.stderr);
  assert.ok(p.stdout.trim(), `no mail to ${to} (${prefix})`);
  return JSON.parse(p.stdout);
}

// axe-core needs JavaScript, which the pages under test run without:
// the HTML a page was served (its navigation `response`) is served again
// at the same address to a page with JavaScript, and checked there.
async function accessible(response, what) {
  const html = await response.text();
  const page = await js.newPage();
  await page.route(response.url(), (route) => route.fulfill({
    status: 200, contentType: "text/html; charset=utf-8", body: html }));
  await page.goto(response.url(), { waitUntil: "load" });
  const v = await h.axe(page);
  await page.close();
  assert.deepEqual(v, [], `${what}: axe violations:\n` +
    JSON.stringify(v, null, 2));
}

async function newContext(options = {}) {
  const c = await browser.newContext({ locale: "nl-NL",
    timezoneId: "Europe/Amsterdam", javaScriptEnabled: false, ...options });
  problems.push(h.watchConsole(c));
  return c;
}

async function open(context, url) {
  const page = await context.newPage();
  const response = await page.goto(srv.base + url, { waitUntil: "load" });
  return { page, response };
}

async function submit(page, name) {
  const [response] = await Promise.all([page.waitForNavigation(),
    page.getByRole("button", { name }).click()]);
  return response;
}

// Registers `email` in `context` through the pages and the mailed link.
async function register(context, email, name, shot) {
  const { page, response } = await open(context, "/initiatieven/registreren");
  await accessible(response, "/initiatieven/registreren");
  if (shot) await h.screenshot(page, "initiatieven-registreren");
  await page.getByLabel("E-mailadres").fill(email);
  await page.getByLabel("Uw naam").fill(name);
  let r = await submit(page, "Stuur mij de link");
  assert.equal(r.status(), 200);
  await page.getByRole("heading", { level: 1, name: "Bekijk uw e-mail" })
    .waitFor();
  await accessible(r, "check your mail");
  const link = /(\/initiatieven\/link\?token=lkp_[\w-]+)/
    .exec(mailTo(email, "p-link:").text)[1];
  r = await page.goto(srv.base + link);
  await accessible(r, "the link page");
  if (shot) await h.screenshot(page, "initiatieven-link");
  r = await submit(page, "Bevestig en log in");
  assert.equal(new URL(page.url()).pathname, "/initiatieven/mijn");
  await page.getByRole("heading", { level: 1, name: "Mijn account" })
    .waitFor();
  await accessible(await page.goto(page.url()), "/initiatieven/mijn");
  if (shot) await h.screenshot(page, "initiatieven-mijn");
  return page;
}

let iid;

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket(["--public-url", "http://127.0.0.1"]).start();
  browser = await h.launchBrowser();
  nojs = await newContext();
  other = await newContext();
  anon = await newContext();
  js = await newContext({ javaScriptEnabled: true });
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

test("register with errors, then by the mailed link", async () => {
  const { page } = await open(nojs, "/initiatieven/registreren");
  await page.getByLabel("E-mailadres").fill("geen adres");
  const r = await submit(page, "Stuur mij de link");
  assert.equal(r.status(), 422);
  assert.match(await page.title(), /^Fout: /);
  assert.equal(await page.getByLabel("E-mailadres")
    .getAttribute("aria-invalid"), "true");
  await accessible(r, "registration with errors");
  await page.close();
  (await register(nojs, "anna@example.nl", "Anna", true)).close();
});

test("start an initiative: errors, draft, submit, news, image",
  async () => {
    const { page, response } = await open(nojs, "/initiatieven/nieuw");
    await accessible(response, "/initiatieven/nieuw");
    let r = await submit(page, "Opslaan");
    assert.equal(r.status(), 422);
    await accessible(r, "the initiative form with errors");
    await h.screenshot(page, "initiatieven-nieuw-fouten");
    await page.getByLabel("Titel").fill("Buurtmoestuin <Oost>");
    await page.getByLabel("Samenvatting").fill("Samen groenten kweken.");
    await page.getByLabel("Beschrijving").fill("Elke zaterdag.\nKom ook!");
    await page.getByLabel("Thema").selectOption("groen");
    await page.getByLabel("Wijk").selectOption("oost");
    await page.getByLabel("Adres of plek").fill("Merelstraat 1");
    await page.getByLabel("Breedtegraad").fill("52.087");
    await page.getByLabel("Lengtegraad").fill("5.145");
    r = await submit(page, "Opslaan");
    assert.equal(r.status(), 200);
    iid = new URL(page.url()).pathname.split("/").pop();
    await page.getByRole("heading", { level: 1,
      name: "Buurtmoestuin <Oost>" }).waitFor();
    await accessible(await page.goto(page.url()), "the draft");
    r = await submit(page, "Indienen om te publiceren");
    assert.equal(r.status(), 200);
    await page.getByText("Gepubliceerd", { exact: true }).waitFor();
    await page.getByLabel("Kop").fill("Eerste oogst");
    await page.getByLabel("Bericht").fill("Tomaten!");
    await submit(page, "Nieuws plaatsen");
    await page.getByRole("heading", { level: 3, name: "Eerste oogst" })
      .waitFor();
    await page.getByLabel(/^Afbeelding/).setInputFiles({
      name: "tuin.png", mimeType: "image/png",
      buffer: Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAA" +
        "DUlEQVR4nGP4DwABAQEABRjYTgAAAABJRU5ErkJggg==", "base64") });
    await page.getByLabel(/^Wat staat erop/).fill("Een moestuin");
    await submit(page, "Afbeelding toevoegen");
    await page.getByRole("img", { name: "Een moestuin" }).waitFor();
    await accessible(await page.goto(page.url()),
      "the published initiative, organiser's view");
    await h.screenshot(page, "initiatief-organisator");
    await page.close();
  });

test("another resident follows it", async () => {
  (await register(other, "bob@example.nl", "Bob", false)).close();
  const { page } = await open(other, `/initiatieven/${iid}`);
  await submit(page, "Volgen");
  await page.getByRole("button", { name: "Niet meer volgen" }).waitFor();
  await accessible(await page.goto(page.url()),
    "the initiative, follower's view");
  await page.close();
});

test("anonymous: list, filters, next page, map, initiative", async () => {
  let { page, response } = await open(anon, "/initiatieven");
  await accessible(response, "/initiatieven");
  await h.screenshot(page, "initiatieven");
  await page.getByLabel("Thema").selectOption("groen");
  let r = await submit(page, "Filteren");
  assert.match(page.url(), /thema=groen/);
  await page.getByRole("link", { name: "Buurtmoestuin <Oost>" }).waitFor();
  await accessible(r, "/initiatieven filtered");
  r = await page.goto(srv.base + "/initiatieven/kaart");
  await page.getByRole("group", { name: /Kaart met 1 initiatieven/ })
    .waitFor();
  await accessible(r, "/initiatieven/kaart");
  await h.screenshot(page, "initiatieven-kaart");
  r = await page.goto(srv.base + `/initiatieven/${iid}`);
  await page.getByText("Tomaten!").waitFor();
  assert.equal(await page.getByRole("link", { name: "Log in" }).count(), 1);
  await accessible(r, "the initiative, anonymous");
  r = await page.goto(srv.base + "/initiatieven/inloggen");
  await accessible(r, "/initiatieven/inloggen");
  r = await page.goto(srv.base + "/initiatieven/link?token=lkp_onzin");
  assert.equal(r.status(), 404);
  await accessible(r, "an invalid link");
  await page.close();
  // With JavaScript: the same pages work, and reflow at 320 px.
  ({ page } = await open(js, "/initiatieven"));
  await page.goto(srv.base + `/initiatieven/${iid}`);
  await page.setViewportSize({ width: 320, height: 640 });
  const wide = await page.evaluate(() =>
    document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(wide, false, "320 px: the page scrolls sideways");
  await h.screenshot(page, "initiatief-320");
  await page.close();
});

test("no console errors or CSP violations", () => {
  // The answers with errors that the test asked for (422, 404).
  const expected = [/status of (422|404) /];
  const left = problems.flat().filter((p) => !expected.some((e) => e.test(p)));
  assert.deepEqual(left, []);
});
