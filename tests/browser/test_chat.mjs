// test_chat.mjs - live chat and call-me-back in real headless Chromium.
//
// A resident starts a chat in one browser context; an agent (through the
// API, as the agent console will) takes it and answers; the resident's
// network drops (context.setOffline) while both sides write, and comes
// back with every message shown exactly once; typing and read marks reach
// the other side; the resident asks to be called back and picks a slot;
// the agent's callback API shows the transcript and the outcome is logged.
// axe-core on the chat and callback pages; screenshots as artefacts.
//
//   node tests/browser/test_chat.mjs      (ctest: browser/test_chat)
// Exit status 77 (skipped) when node_modules or Chromium are missing.
import * as h from "./harness.mjs";
import { spawnSync } from "node:child_process";

const why = h.missing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}

const { test, before, after } = await import("node:test");
const assert = (await import("node:assert/strict")).default;

const LIVE = { timeout: 10000 };
let srv, api, admin, browser, ctx, page, agentId, convId;
const problems = [];

async function accessible(p, what) {
  const v = await h.axe(p);
  assert.deepEqual(v, [], `${what}: axe violations:\n` +
    JSON.stringify(v, null, 2));
}

// A staff account made with the CLI, then an agent for it.
async function makeAgent() {
  const p = spawnSync(h.LOKET_BIN, ["user", "add", "--email",
    "agent@example.nl", "--role", "agent", "--name", "Fatima",
    "--data", srv.data], { input: "correct horse battery staple\n",
    encoding: "utf8" });
  assert.equal(p.status, 0, p.stderr);
  const user = /\((usr_[0-9a-f]{16})\)/.exec(p.stdout)[1];
  const r = await srv.api(admin, "POST", "/api/v1/agents", { userId: user });
  return r.body.id;
}

// The texts of the messages the resident's page shows, in order.
async function shown() {
  return page.$$eval("#chat-berichten li .loket-chat-msg__text",
    (els) => els.map((e) => e.textContent));
}

async function waitShown(text) {
  await page.waitForFunction((t) => Array.from(document.querySelectorAll(
    "#chat-berichten li:not(.loket-chat-msg--pending) .loket-chat-msg__text"))
    .some((e) => e.textContent === t), text, LIVE);
}

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket().start();
  api = srv.token("api events");
  admin = srv.token("admin");
  agentId = await makeAgent();
  browser = await h.launchBrowser();
  ctx = await browser.newContext({ locale: "nl-NL",
    timezoneId: "Europe/Amsterdam" });
  problems.push(h.watchConsole(ctx));
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

test("without JavaScript the chat page says so and offers a call back",
  async () => {
    const c = await browser.newContext({ javaScriptEnabled: false });
    const p = await c.newPage();
    await p.goto(srv.base + "/contact/chat");
    assert.match(await p.textContent("#chat-zonder-js"), /JavaScript/);
    assert.equal(await p.isVisible("#chat"), false);
    await p.click("text=Bel mij terug");
    assert.equal(new URL(p.url()).pathname, "/contact/terugbellen");
    await c.close();
  });

test("a resident starts a chat and waits in the queue", async () => {
  page = await ctx.newPage();
  await page.goto(srv.base + "/actueel");
  await page.click("text=Chat met ons"); // from any resident page
  await page.waitForSelector("#chat-vraag");
  await accessible(page, "chat start");
  await page.fill("#chat-naam", "Eva <b>de Vries</b>");
  await page.fill("#chat-vraag", "Mijn paspoort is verlopen <script>x</script>");
  await page.click("text=Start de chat");
  await waitShown("Mijn paspoort is verlopen <script>x</script>");
  await page.waitForFunction(() => /nummer 1 in de wachtrij/.test(
    document.getElementById("chat-status").textContent), null, LIVE);
  await accessible(page, "chat waiting");
  await h.screenshot(page, "chat-wachtrij");
  const chats = (await srv.api(api, "GET", "/api/v1/chats")).body.items;
  assert.equal(chats.length, 1);
  assert.equal(chats[0].position, 1);
  convId = chats[0].conversationId;
});

test("an agent takes the chat and answers; typing and read marks",
  async () => {
    await srv.api(api, "POST", `/api/v1/conversations/${convId}/claim`,
      { agentId });
    await page.waitForFunction(() => /Fatima is bij het gesprek/.test(
      document.getElementById("chat-status").textContent), null, LIVE);
    await srv.api(api, "POST", `/api/v1/chats/${convId}/typing`);
    await page.waitForFunction(() => /typt/.test(
      document.getElementById("chat-typt").textContent), null, LIVE);
    await srv.api(api, "POST", `/api/v1/conversations/${convId}/messages`,
      { direction: "outbound", content: "Goedemiddag, wanneer reist u?" });
    await waitShown("Goedemiddag, wanneer reist u?");
    // The resident's page marks the answer read.
    const deadline = Date.now() + 10000;
    let chat;
    do {
      chat = (await srv.api(api, "GET", "/api/v1/chats")).body.items[0];
      if (chat.residentRead > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    assert.ok(chat.residentRead > 0, "the resident's read mark arrives");
    // The resident writes; the agent reads it; the page says Gelezen.
    await page.fill("#chat-bericht", "Volgende week");
    await page.click("#chat-versturen");
    await waitShown("Volgende week");
    const seq = Number(await page.getAttribute(
      "#chat-berichten li:last-child", "data-seq"));
    await srv.api(api, "POST", `/api/v1/chats/${convId}/read`, { seq });
    await page.waitForSelector("#bericht-" + seq + " >> text=Gelezen", LIVE);
    await h.screenshot(page, "chat-gesprek");
  });

test("the network drops and comes back without loss or duplicates",
  async () => {
    await ctx.setOffline(true);
    await page.fill("#chat-bericht", "Geschreven zonder verbinding");
    await page.click("#chat-versturen");
    await srv.api(api, "POST", `/api/v1/conversations/${convId}/messages`,
      { direction: "outbound", content: "Bent u er nog?" });
    await new Promise((r) => setTimeout(r, 1500));
    await h.screenshot(page, "chat-offline");
    await ctx.setOffline(false);
    await waitShown("Geschreven zonder verbinding");
    await waitShown("Bent u er nog?");
    const texts = await shown();
    assert.deepEqual(texts, [
      "Mijn paspoort is verlopen <script>x</script>",
      "Goedemiddag, wanneer reist u?",
      "Volgende week",
      // the agent's message was stored while the resident's was pending
      "Bent u er nog?",
      "Geschreven zonder verbinding",
    ]);
    const conv = (await srv.api(api, "GET",
      `/api/v1/conversations/${convId}`)).body;
    const count = JSON.stringify(conv).split("Geschreven zonder verbinding")
      .length - 1;
    assert.equal(count, 1, "stored once");
    // Nothing from a resident became markup.
    assert.equal(await page.$$eval("#chat-berichten script, #chat b",
      (e) => e.length), 0);
  });

test("the resident asks to be called back and picks a slot", async () => {
  await page.click("#chat-terugbellen");
  await page.waitForSelector("#tb-telefoon");
  await accessible(page, "callback form");
  assert.match(await page.textContent(".loket-transcript"),
    /Geschreven zonder verbinding/);
  await page.fill("#tb-telefoon", "06 12345678");
  await page.check("input[name=tijdvak] >> nth=0");
  await h.screenshot(page, "terugbellen-formulier");
  await page.click("button:has-text('Bel mij terug')");
  await page.waitForSelector("#terugbellen-bevestigd");
  await accessible(page, "callback confirmed");
  await h.screenshot(page, "terugbellen-bevestigd");

  const items = (await srv.api(api, "GET", "/api/v1/callbacks")).body.items;
  assert.equal(items.length, 1);
  const cb = items[0];
  assert.equal(cb.conversationId, convId);
  assert.equal(cb.phone, "06 12345678");
  assert.deepEqual(cb.context.transcript.map((t) => t.text), [
    "Mijn paspoort is verlopen <script>x</script>",
    "Goedemiddag, wanneer reist u?",
    "Volgende week",
    "Bent u er nog?",
    "Geschreven zonder verbinding",
  ]);
  const r = await srv.api(api, "POST", `/api/v1/callbacks/${cb.id}/outcome`,
    { outcome: "reached", note: "Afspraak gemaakt" });
  assert.equal(r.body.callback.taskStatus, "verwerkt");
  assert.equal(r.body.callback.outcome, "reached");
  const conv = (await srv.api(api, "GET",
    `/api/v1/conversations/${convId}`)).body;
  assert.match(JSON.stringify(conv), /Afspraak gemaakt/);
});

test("the web form hands what was typed to the call-back form",
  async () => {
    const c = await browser.newContext({ locale: "nl-NL",
      timezoneId: "Europe/Amsterdam" });
    problems.push(h.watchConsole(c));
    const p = await c.newPage();
    await p.goto(srv.base + "/contact/formulier");
    await p.getByLabel("Een klacht indienen").check();
    await p.getByLabel("Uw vraag of klacht").fill(
      "Half getypt: de lantaarnpaal <img src=x> is kapot");
    await p.getByLabel("Telefoonnummer").fill("030 1234567");
    await p.click("#formulier-terugbellen");
    await p.waitForSelector("#tb-telefoon");
    assert.equal(new URL(p.url()).pathname, "/contact/terugbellen");
    assert.equal(await p.inputValue("#tb-telefoon"), "030 1234567");
    assert.match(await p.textContent("main"), /lantaarnpaal <img src=x>/);
    await accessible(p, "callback form with carried fields");
    await p.check("input[name=tijdvak] >> nth=0");
    await p.click("button:has-text('Bel mij terug')");
    await p.waitForSelector("#terugbellen-bevestigd");
    const items = (await srv.api(api, "GET", "/api/v1/callbacks?status=all"))
      .body.items.filter((i) => i.source === "formulier");
    assert.equal(items.length, 1);
    assert.equal(items[0].context.fields.bericht,
      "Half getypt: de lantaarnpaal <img src=x> is kapot");
    assert.equal(items[0].context.fields.soort, "klacht");
    await h.screenshot(p, "terugbellen-vanuit-formulier");
    await c.close();
  });

test("no console errors or CSP violations", () => {
  // Requests that failed while the test had the network switched off are
  // what a browser logs then; nothing else may appear.
  assert.deepEqual(problems.flat().filter(
    (p) => !/ERR_INTERNET_DISCONNECTED/.test(p)), []);
});
