// test_contact.mjs - the resident contact pages in real headless Chromium.
//
// axe-core (WCAG 2.0/2.1 A and AA) on /contact, the web form (empty, with
// errors, success), the status page and the kiosk pages; the form with
// JavaScript off (with an attachment, then the status page and a reply);
// the kiosk back at its start after inactivity, with the script (a
// visible countdown; activity postpones it) and without (the <meta>
// refresh), against a second server with a 3-second idle time.
// Screenshots of the key screens go to $LOKET_ARTEFACTS.
//
//   node tests/browser/test_contact.mjs      (ctest: browser/test_contact)
// Exit status 77 (skipped) when node_modules or Chromium are missing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as h from "./harness.mjs";

const why = h.missing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}

const { test, before, after } = await import("node:test");
const assert = (await import("node:assert/strict")).default;

const IDLE_S = 3;
const ALL_DAY = { hours: Object.fromEntries(
  ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(
    (d) => [d, ["00:00-24:00"]])) };

let srv, quick, admin, api, browser, js, nojs;
const problems = [];
let statusUrl = null;

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

async function open(context, base, url) {
  const page = await context.newPage();
  const r = await page.goto(base + url, { waitUntil: "load" });
  return { page, response: r };
}

async function submit(page, name) {
  await Promise.all([page.waitForNavigation(),
    page.getByRole("button", { name }).click()]);
}

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket().start();
  // A second server whose kiosk gives up after IDLE_S seconds.
  process.env.LOKET_KIOSK_IDLE = String(IDLE_S);
  try {
    quick = await new h.Loket().start();
  } finally {
    delete process.env.LOKET_KIOSK_IDLE;
  }
  admin = srv.token("admin");
  api = srv.token("api");
  await srv.api(admin, "PUT", "/api/v1/channels/telefoon", {
    label: "Telefoon", enabled: true, hours: ALL_DAY, contact: "14 020",
    description: "Voor vragen die niet kunnen wachten." });
  await srv.api(admin, "PUT", "/api/v1/channels/balie", {
    label: "Balie in het stadskantoor", enabled: true,
    hours: { hours: { mon: ["09:00-12:30"] } },
    contact: "Stadsplein 1, Utrecht" });
  browser = await h.launchBrowser();
  js = await newContext();
  nojs = await newContext({ javaScriptEnabled: false });
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
  await quick?.cleanup();
});

test("/contact: channels open now, hours, waiting time", async () => {
  for (const [ctx, name] of [[js, "contact"], [nojs, "contact-nojs"]]) {
    const { page, response } = await open(ctx, srv.base, "/contact");
    assert.ok(response.headers()["content-security-policy"]);
    await page.getByRole("heading", { level: 1, name: "Contact" }).waitFor();
    const open_ = page.locator("section[aria-labelledby=nu-open]");
    await open_.getByRole("heading", { name: "Telefoon" }).waitFor();
    await open_.getByRole("link", { name: "14 020" }).waitFor();
    await page.getByRole("link", { name: "Vraag of klacht indienen" })
      .waitFor();
    // axe runs in the page: only where JavaScript runs
    if (ctx === js) await accessible(page, "/contact");
    await h.screenshot(page, name);
    await page.close();
  }
});

test("the form: empty, with errors (kept), then success", async () => {
  const { page } = await open(js, srv.base, "/contact/formulier");
  await page.getByRole("heading", { level: 1, name: "Vraag of klacht" })
    .waitFor();
  await accessible(page, "form (empty)");
  await h.screenshot(page, "formulier");

  // The server's checks, past the browser's own (required, type=email).
  await page.getByLabel("Een klacht indienen").check();
  await page.getByLabel("Uw vraag of klacht").fill(
    "De lantaarnpaal <b>voor</b> nummer 12 is al weken stuk.");
  await page.getByLabel("E-mailadres").fill("geen-adres");
  await page.evaluate(() => { document.forms[0].noValidate = true; });
  await submit(page, "Versturen");
  await page.locator("#email-fout").waitFor();
  await page.locator("#toestemming-fout").waitFor();
  assert.equal(await page.getByLabel("Uw vraag of klacht").inputValue(),
    "De lantaarnpaal <b>voor</b> nummer 12 is al weken stuk.");
  assert.equal(await page.getByLabel("E-mailadres")
    .getAttribute("aria-invalid"), "true");
  assert.ok(await page.getByLabel("Een klacht indienen").isChecked());
  await accessible(page, "form with errors");
  await h.screenshot(page, "formulier-fouten");

  await page.getByLabel("E-mailadres").fill("inwoner@example.nl");
  await page.getByLabel(/Ik geef toestemming/).check();
  await submit(page, "Versturen");
  await page.getByText("Uw klacht is ontvangen onder nummer").waitFor();
  await accessible(page, "form received");
  await h.screenshot(page, "formulier-ontvangen");

  // the status page: the agent answers through the API
  await page.locator("#statuslink").click();
  await page.getByRole("heading", { level: 1, name: /Uw bericht LK-/ })
    .waitFor();
  const ref = (await page.locator("h1").textContent()).split(" ").pop();
  const inbox = await srv.api(api, "GET",
    "/api/v1/conversations?channel=webformulier");
  const conv = inbox.body.items.find((c) => c.reference === ref);
  await srv.api(api, "POST", `/api/v1/conversations/${conv.id}/messages`,
    { direction: "outbound", content: "Wij repareren de lamp deze week." });
  await page.reload();
  await page.getByText("Wij repareren de lamp deze week.").waitFor();
  await page.getByLabel("Uw reactie").fill("Dank u wel!");
  await submit(page, "Reactie versturen");
  await page.getByText("Uw reactie is verstuurd.").waitFor();
  await page.getByText("Dank u wel!").waitFor();
  await accessible(page, "status page");
  await h.screenshot(page, "status");
  await page.close();
});

test("the form works with JavaScript off, attachment included", async () => {
  const pdf = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lk-")),
    "brief.pdf");
  fs.writeFileSync(pdf, "%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n");
  const { page } = await open(nojs, srv.base, "/contact/formulier");
  await page.getByLabel("Een vraag stellen").check();
  await page.getByLabel("Uw vraag of klacht").fill(
    "Wanneer wordt het grofvuil opgehaald?");
  await page.getByLabel("Telefoonnummer").fill("06 12345678");
  await page.getByLabel(/Ik geef toestemming/).check();
  await page.getByLabel("Bijlage").setInputFiles(pdf);
  await submit(page, "Versturen");
  await page.getByText("Uw vraag is ontvangen onder nummer").waitFor();
  statusUrl = await page.locator("#statuslink").getAttribute("href");
  await page.locator("#statuslink").click();
  await page.getByText("Bijlage: brief.pdf").waitFor();
  await page.getByLabel("Uw reactie").fill("Zonder JavaScript ook goed.");
  await submit(page, "Reactie versturen");
  await page.getByText("Uw reactie is verstuurd.").waitFor();
  await h.screenshot(page, "status-nojs");
  await page.close();
});

test("an unknown status link is a page that does not exist", async () => {
  const { page, response } = await open(js, srv.base,
    "/contact/status/" + "A".repeat(32));
  assert.equal(response.status(), 404);
  await page.getByRole("heading", { name: "Pagina niet gevonden" }).waitFor();
  await page.close();
  assert.ok(statusUrl);
});

test("kiosk pages", async () => {
  for (const [url, name] of [["/kiosk", "kiosk"],
    ["/kiosk/formulier", "kiosk-formulier"]]) {
    const { page, response } = await open(js, srv.base, url);
    assert.equal(response.headers()["cache-control"], "no-store");
    await page.getByRole("link", { name: "Begin opnieuw" }).waitFor();
    // no link leaves the kiosk
    const hrefs = await page.locator("a[href]").evaluateAll(
      (as) => as.map((a) => a.getAttribute("href")));
    for (const href of hrefs)
      assert.match(href, /^(\/kiosk|#)/, `${url}: ${href}`);
    // large touch targets
    const box = await page.getByRole("link", { name: "Begin opnieuw" })
      .boundingBox();
    assert.ok(box.height >= 48 && box.width >= 48, JSON.stringify(box));
    await accessible(page, url);
    await h.screenshot(page, name);
    await page.close();
  }
  const { page } = await open(js, srv.base, "/kiosk/formulier");
  await page.getByLabel("Een vraag stellen").check();
  await page.getByLabel("Uw vraag of klacht").fill("Waar is de balie?");
  await page.getByLabel("E-mailadres").fill("kiosk@example.nl");
  await page.getByLabel(/Ik geef toestemming/).check();
  await submit(page, "Versturen");
  await page.getByText("Uw vraag is ontvangen onder nummer").waitFor();
  await accessible(page, "kiosk received");
  await h.screenshot(page, "kiosk-ontvangen");
  await page.getByRole("link", { name: "Begin opnieuw" }).click();
  await page.waitForURL(srv.base + "/kiosk");
  await page.close();
});

test("the kiosk forgets after inactivity, with a countdown", async () => {
  const { page } = await open(js, quick.base, "/kiosk/formulier");
  await page.getByLabel("Uw vraag of klacht").fill("Half getypt");
  // activity postpones the restart
  await page.waitForTimeout(IDLE_S * 1000 - 800);
  await page.getByLabel("Uw vraag of klacht").press("End");
  await page.getByLabel("Uw vraag of klacht").type(" en verder");
  await page.waitForTimeout(1500);
  assert.equal(new URL(page.url()).pathname, "/kiosk/formulier");
  // then the countdown shows, and the start screen comes back
  await page.locator("#kiosk-countdown").waitFor({ state: "visible" });
  await h.screenshot(page, "kiosk-aftellen");
  await page.waitForURL(quick.base + "/kiosk", { timeout: 10000 });
  await page.getByRole("heading", { name: "Waarmee kunnen wij u helpen?" })
    .waitFor();
  // nothing typed survives, not even through Back
  await page.goBack();
  if (new URL(page.url()).pathname === "/kiosk/formulier")
    assert.equal(await page.getByLabel("Uw vraag of klacht").inputValue(),
      "");
  await page.close();
});

test("the kiosk forgets after inactivity without JavaScript", async () => {
  const { page } = await open(nojs, quick.base, "/kiosk/formulier");
  await page.getByLabel("Uw vraag of klacht").fill("Half getypt");
  await page.waitForURL(quick.base + "/kiosk", { timeout: 10000 });
  await page.getByRole("heading", { name: "Waarmee kunnen wij u helpen?" })
    .waitFor();
  await page.close();
});

test("no console errors or CSP violations", () => {
  // Expected: the 422 of the form sent back with errors and the 404 of
  // the unknown link, which Chromium reports for the document.  Anything
  // else (a CSP violation, a script error, a 403 from the Origin check)
  // is not.
  const expected = [
    /\/contact\/formulier: console error: Failed to load resource: the server responded with a status of 422 /,
    /\/contact\/status\/A{32}: console error: Failed to load resource: the server responded with a status of 404 /,
  ];
  const left = problems.flat().filter((p) => !expected.some((e) => e.test(p)));
  assert.deepEqual(left, []);
});
