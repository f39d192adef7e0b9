// test_subscriptions.mjs - the postcode-subscription pages in real
// headless Chromium, with the tokens from real mail.
//
// A resident subscribes on /actueel/abonneren (empty form, errors next to
// the fields, the answer page), confirms through the link in the
// confirmation mail (the button page, then the confirmed page) and leaves
// through the List-Unsubscribe link of a notice mail (the button page,
// the done page).  The mail goes through a real Postfix and Dovecot
// (tests/integration/mailserver.py, driven by tests/browser/mailbox.py):
// the test knows no token the mail did not carry.  Every page: axe-core
// (WCAG 2.0/2.1 A and AA), no console error or CSP violation, the whole
// journey again with JavaScript off, keyboard order, 320 px reflow.
// Screenshots go to $LOKET_ARTEFACTS.
//
//   node tests/browser/test_subscriptions.mjs
//     (ctest: browser/test_subscriptions)
// Exit status 77 (skipped) when node_modules, Chromium, Postfix or
// Dovecot are missing, or when not root (Postfix needs it).
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import * as h from "./harness.mjs";

const why = h.missing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}

// The mail server, through a small Python wrapper: one JSON line a
// request, one a reply.  It stops Postfix and Dovecot when its input
// closes, so also when this process dies.
class Mailbox {
  async start(users) {
    this.proc = spawn("python3",
      [path.join(h.SOURCE_DIR, "tests", "browser", "mailbox.py"), ...users],
      { stdio: ["pipe", "pipe", "inherit"] });
    this.waiting = [];
    const lines = readline.createInterface({ input: this.proc.stdout });
    lines.on("line", (l) => this.waiting.shift()?.(JSON.parse(l)));
    this.proc.once("exit", (code) => {
      for (const w of this.waiting.splice(0))
        w({ error: `mailbox.py exited with ${code}` });
    });
    return this.next();
  }

  next() {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  // The first `n` messages of `user`, waiting up to `timeout` s for them.
  async wait(user, n, timeout = 20) {
    const reply = this.next();
    this.proc.stdin.write(JSON.stringify({ wait: user, n, timeout }) + "\n");
    const r = await reply;
    if (r.error) throw new Error(r.error);
    return r.messages;
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const done = new Promise((r) => this.proc.once("exit", r));
    this.proc.stdin.end();
    await done;
  }
}

const mail = new Mailbox();
const first = await mail.start(["jan", "piet"]);
if (first.skip) {
  console.log(`skipped: no mail server: ${first.skip}`);
  await mail.stop();
  process.exit(77);
}
if (first.error) {
  await mail.stop();
  throw new Error(`mail server did not start: ${first.error}`);
}

const { test, before, after } = await import("node:test");
const assert = (await import("node:assert/strict")).default;

let srv, admin, browser, js, nojs;
const problems = []; // console errors and CSP violations, every context
const links = {}; // from the mails: confirm.jan, unsubscribe.piet, ...

function header(msg, name) {
  const h_ = msg.headers.find(([k]) => k.toLowerCase() === name);
  return h_ ? h_[1] : null;
}

// The confirmation link in a confirmation mail (plain text part).
function confirmLink(msg) {
  assert.match(header(msg, "subject"), /^Bevestig uw aanmelding/);
  const m = /(http:\/\/\S+\/actueel\/abonneren\/bevestigen\?token=\S+)/
    .exec(msg.text);
  assert.ok(m, msg.text);
  return m[1];
}

// The unsubscribe link of a notice mail: its List-Unsubscribe header,
// which must be the one in the text too.
function unsubscribeLink(msg) {
  const m = /^<(http:\/\/\S+\/actueel\/afmelden\?token=[^>]+)>$/
    .exec(header(msg, "list-unsubscribe"));
  assert.ok(m, JSON.stringify(msg.headers));
  // RFC 8058 one-click needs an https link; this server's is http
  // (docs/subscriptions.md), so the header must be absent.
  assert.equal(header(msg, "list-unsubscribe-post"), null);
  assert.ok(msg.text.includes(m[1]), msg.text);
  return m[1];
}

async function stats() {
  const r = await srv.api(admin, "GET", "/api/v1/subscriptions/stats");
  return r.body.totals;
}

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
  const response = await page.goto(
    url.startsWith("http") ? url : srv.base + url, { waitUntil: "load" });
  return { page, response };
}

// Clicks the button named `name` and waits for the page it leads to.
async function submit(page, name) {
  const [response] = await Promise.all([page.waitForNavigation(),
    page.getByRole("button", { name }).click()]);
  return response;
}

async function newNotice(title, postcodes) {
  const r = await srv.api(admin, "POST", "/api/v1/notices", {
    kind: "storing", severity: "waarschuwing", publish: true, title,
    body: "Er is een storing in de stroomvoorziening.", postcodes,
    area: { type: "circle", center: [5.1214, 52.0907], radius: 300 } });
  return r.body.id;
}

before(async () => {
  await h.buildBundle();
  // The server must know its own address before it starts: the links in
  // its mails start with --public-url.
  const port = await h.freePort();
  srv = await new h.Loket([
    "--public-url", `http://127.0.0.1:${port}`,
    "--smtp-url", `smtp://127.0.0.1:${first.smtp_port}`,
    "--mail-from", "Gemeente Voorbeeld <actueel@loket.test>",
    "--outbox-backoff-ms", "300"], port).start();
  admin = srv.token("admin");
  browser = await h.launchBrowser();
  js = await newContext();
  nojs = await newContext({ javaScriptEnabled: false });
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
  await mail.stop();
});

test("/actueel links to the form; the empty form", async () => {
  const { page } = await open(js, "/actueel");
  await Promise.all([page.waitForNavigation(),
    page.getByRole("link",
      { name: "ontvang e-mail bij meldingen in uw buurt" }).click()]);
  assert.equal(new URL(page.url()).pathname, "/actueel/abonneren");
  await page.getByRole("heading", { level: 1,
    name: "E-mail bij meldingen in uw buurt" }).waitFor();
  assert.equal(await page.title(), "E-mail bij meldingen - Loket");
  // the hint is read with the field
  assert.equal(await page.getByLabel("Postcode")
    .getAttribute("aria-describedby"), "abonnement-postcode-uitleg");
  assert.equal(await page.getByLabel("Postcode")
    .getAttribute("aria-invalid"), null);
  await accessible(page, "/actueel/abonneren");
  await h.screenshot(page, "abonneren");
  await page.close();
});

test("keyboard: the tab order skips the hidden honeypot field",
  async () => {
    const { page } = await open(js, "/actueel/abonneren");
    const order = [];
    for (let i = 0; i < 7; i++) {
      await page.keyboard.press("Tab");
      order.push(await page.evaluate(() => {
        const e = document.activeElement;
        return e.id || e.getAttribute("href") || e.textContent.trim();
      }));
    }
    // skip link, the header's chat link, "Alle meldingen", the form, then
    // the footer
    assert.deepEqual(order, ["#inhoud", "/contact/chat", "/actueel",
      "abonnement-postcode", "abonnement-email", "Aanmelden", "/actueel"]);
    await page.close();
  });

test("320 CSS pixels wide: no horizontal scrolling (WCAG 1.4.10)",
  async () => {
    const narrow = await newContext({ viewport: { width: 320, height: 640 } });
    const { page } = await open(narrow, "/actueel/abonneren");
    await page.getByLabel("Postcode").fill("12");
    await submit(page, "Aanmelden");
    await page.locator("#foutmelding").waitFor();
    const wide = await page.evaluate(() =>
      document.documentElement.scrollWidth);
    assert.ok(wide <= 320, `the page is ${wide} px wide`);
    await h.screenshot(page, "abonneren-320px");
    await narrow.close();
  });

test("errors next to their fields, a summary linking to them",
  async () => {
    const { page } = await open(js, "/actueel/abonneren");
    await page.getByLabel("Postcode").fill("12 <b>");
    await page.getByLabel("E-mailadres").fill("geen adres");
    const r = await submit(page, "Aanmelden");
    assert.equal(r.status(), 422);
    assert.match(await page.title(), /^Fout: /);
    const summary = page.locator("#foutmelding");
    await summary.waitFor();
    assert.equal(await summary.getAttribute("role"), "alert");
    // what was typed comes back, as text
    assert.equal(await page.getByLabel("Postcode").inputValue(), "12 <b>");
    assert.equal(await page.getByLabel("E-mailadres").inputValue(),
      "geen adres");
    for (const [label, id, hint] of [["Postcode", "abonnement-postcode",
      true], ["E-mailadres", "abonnement-email", false]]) {
      const field = page.getByLabel(label);
      assert.equal(await field.getAttribute("aria-invalid"), "true");
      assert.equal(await field.getAttribute("aria-describedby"),
        (hint ? `${id}-uitleg ` : "") + `${id}-fout`);
      const link = summary.locator(`a[href="#${id}"]`);
      assert.equal(await link.textContent(),
        await page.locator(`#${id}-fout`).textContent());
      // following the summary's link takes the keyboard to the field
      await link.click();
      assert.equal(await page.evaluate(() => document.activeElement.id), id);
    }
    await accessible(page, "/actueel/abonneren with errors");
    await h.screenshot(page, "abonneren-fouten");

    // one field right: only the other is marked
    await page.getByLabel("Postcode").fill("3511 ab");
    assert.equal((await submit(page, "Aanmelden")).status(), 422);
    assert.equal(await page.getByLabel("Postcode")
      .getAttribute("aria-invalid"), null);
    assert.equal(await page.locator("#foutmelding li").count(), 1);
    await accessible(page, "/actueel/abonneren with one error");
    await page.close();
  });

test("subscribe, confirm from the mail, leave from a notice mail",
  async () => {
    const { page } = await open(js, "/actueel/abonneren");
    await page.getByLabel("Postcode").fill("3511 ab");
    await page.getByLabel("E-mailadres").fill("Jan@example.nl");
    assert.equal((await submit(page, "Aanmelden")).status(), 200);
    await page.getByRole("heading", { level: 1, name: "Bekijk uw e-mail" })
      .waitFor();
    await accessible(page, "subscribed: check your mail");
    await h.screenshot(page, "abonneren-bekijk-email");
    await page.close();

    const [confirm] = await mail.wait("jan", 1);
    links.jan = confirmLink(confirm);
    assert.ok(links.jan.startsWith(srv.base + "/"), links.jan);

    // Opening the link changes nothing (mail scanners open every link).
    const c = await open(js, links.jan);
    assert.equal(c.response.status(), 200);
    await c.page.getByRole("heading", { level: 1,
      name: "Aanmelding bevestigen" }).waitFor();
    await c.page.getByText("postcode 3511AB").waitFor();
    assert.equal((await stats()).pending, 1);
    await accessible(c.page, "/actueel/abonneren/bevestigen");
    await h.screenshot(c.page, "bevestigen");
    assert.equal((await submit(c.page, "Aanmelding bevestigen")).status(),
      200);
    await c.page.getByRole("heading", { level: 1,
      name: "Aanmelding bevestigd" }).waitFor();
    await c.page.getByRole("status").getByText("postcode 3511AB").waitFor();
    assert.deepEqual(await stats(),
      { pending: 0, confirmed: 1, unsubscribed: 0 });
    await accessible(c.page, "confirmed");
    await h.screenshot(c.page, "bevestigd");
    await c.page.close();

    // Used: the link says so.
    const used = await open(js, links.jan);
    assert.equal(used.response.status(), 404);
    await used.page.getByRole("heading", { name: "Link ongeldig" }).waitFor();
    await accessible(used.page, "link used");
    await h.screenshot(used.page, "link-ongeldig");
    await used.page.close();

    await newNotice("Stroomstoring Oudegracht", ["3511AB"]);
    const [, notice] = await mail.wait("jan", 2);
    const leave = unsubscribeLink(notice);
    const u = await open(js, leave);
    assert.equal(u.response.status(), 200);
    await u.page.getByRole("heading", { level: 1, name: "Afmelden" })
      .waitFor();
    assert.equal((await stats()).confirmed, 1, "a GET unsubscribes nothing");
    await accessible(u.page, "/actueel/afmelden");
    await h.screenshot(u.page, "afmelden");
    assert.equal((await submit(u.page, "Afmelden")).status(), 200);
    await u.page.getByRole("heading", { level: 1, name: "Afgemeld" })
      .waitFor();
    assert.deepEqual(await stats(),
      { pending: 0, confirmed: 0, unsubscribed: 1 });
    await accessible(u.page, "unsubscribed");
    await h.screenshot(u.page, "afgemeld");
    await u.page.close();

    // The link keeps answering, and says it is done.
    const again = await open(js, leave);
    assert.equal(again.response.status(), 200);
    await again.page.getByRole("heading", { level: 1, name: "Afgemeld" })
      .waitFor();
    assert.equal(await again.page.getByRole("button").count(), 0);
    await accessible(again.page, "unsubscribed, link opened again");
    await again.page.close();
  });

test("without JavaScript: the form, confirming and leaving all work",
  async () => {
    const { page } = await open(nojs, "/actueel/abonneren");
    await page.getByLabel("Postcode").fill("35");
    await page.getByLabel("E-mailadres").fill("piet@example.nl");
    assert.equal((await submit(page, "Aanmelden")).status(), 422);
    await page.locator("#abonnement-postcode-fout").waitFor();
    await page.getByLabel("Postcode").fill("3512");
    assert.equal((await submit(page, "Aanmelden")).status(), 200);
    await page.getByRole("heading", { name: "Bekijk uw e-mail" }).waitFor();
    await h.screenshot(page, "abonneren-bekijk-email-zonder-js");
    await page.close();

    const [confirm] = await mail.wait("piet", 1);
    const c = await open(nojs, confirmLink(confirm));
    assert.equal((await submit(c.page, "Aanmelding bevestigen")).status(),
      200);
    await c.page.getByRole("heading", { name: "Aanmelding bevestigd" })
      .waitFor();
    await c.page.close();
    assert.equal((await stats()).confirmed, 1);

    // A notice in 3512XY reaches the whole of 3512.
    await newNotice("Gasleiding Nobelstraat", ["3512XY"]);
    const [, notice] = await mail.wait("piet", 2);
    const u = await open(nojs, unsubscribeLink(notice));
    assert.equal((await submit(u.page, "Afmelden")).status(), 200);
    await u.page.getByRole("heading", { name: "Afgemeld" }).waitFor();
    await h.screenshot(u.page, "afgemeld-zonder-js");
    await u.page.close();
    assert.deepEqual(await stats(),
      { pending: 0, confirmed: 0, unsubscribed: 2 });
  });

test("no console errors and no CSP violations on any page", () => {
  // Expected: the 422 of a form sent back with errors and the 404 of a
  // used link, which Chromium reports for the document.  Anything else
  // (a CSP violation, a script error, a 403 from the Origin check) is not.
  const expected = [
    /\/actueel\/abonneren: console error: Failed to load resource: the server responded with a status of 422 /,
    /\/actueel\/abonneren\/bevestigen\?token=\S+: console error: Failed to load resource: the server responded with a status of 404 /,
  ];
  const left = problems.flat().filter((p) => !expected.some((e) => e.test(p)));
  assert.deepEqual(left, []);
});
