// test_agent.mjs - the agent console (/agent) in real headless Chromium.
//
// A resident starts a chat in one browser context; an agent logs in to the
// console in a second context, sees the chat arrive live (no reload),
// opens it, takes it and answers; the resident's network drops
// (context.setOffline) while both sides write and comes back with every
// message exactly once on both sides; the resident asks to be called back
// and picks a slot; the agent finds the request with the transcript in the
// callback queue and logs the outcome.  Also: the console's other actions
// (note, attachment up and down, assignment to a team, status, snooze,
// categories, presence), the log-in redirect, log-out, axe-core on every
// screen and screenshots.  The keyboard-only flow and hostile input have
// their own files (test_agent_keys.mjs, test_agent_hostile.mjs).
//
//   node tests/browser/test_agent.mjs      (ctest: browser/test_agent)
// Exit status 77 (skipped) when node_modules or Chromium are missing.
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
let srv, api, admin, browser, resCtx, res, agentCtx, agent, world, convId;
const problems = [];

async function accessible(p, what) {
  const v = await h.axe(p);
  assert.deepEqual(v, [], `${what}: axe violations:\n` +
    JSON.stringify(v, null, 2));
}

async function residentShows(text) {
  await res.waitForFunction((t) => Array.from(document.querySelectorAll(
    "#chat-berichten li:not(.loket-chat-msg--pending) .loket-chat-msg__text"))
    .some((e) => e.textContent === t), text, LIVE);
}

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket().start();
  api = srv.token("api events");
  admin = srv.token("admin");
  world = await a.seed(srv, admin);
  browser = await h.launchBrowser();
  resCtx = await browser.newContext({ locale: "nl-NL",
    timezoneId: "Europe/Amsterdam" });
  agentCtx = await browser.newContext({ locale: "nl-NL",
    timezoneId: "Europe/Amsterdam", viewport: { width: 1400, height: 900 } });
  problems.push(h.watchConsole(resCtx), h.watchConsole(agentCtx));
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

test("without a session /agent sends to the log-in page", async () => {
  const r = await fetch(srv.base + "/agent", { redirect: "manual" });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get("location"), "/login?next=/agent");
  const csp = r.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
});

test("the agent logs in and sees the empty console", async () => {
  agent = await agentCtx.newPage();
  await a.login(agent, srv, a.AGENT);
  assert.equal(new URL(agent.url()).pathname, "/agent");
  const r = await agent.request.get(srv.base + "/agent");
  assert.doesNotMatch(await r.text(), /<script>|<style|\sstyle=|\son[a-z]+=/);
  await agent.waitForSelector("#inbox-lijst", { state: "attached" });
  assert.match(await agent.textContent("#console-user"), /Fatima/);
  assert.equal(await agent.getAttribute("a[href='/agent/dashboard']",
    "href"), "/agent/dashboard");
  await accessible(agent, "console, empty inbox");
  await h.screenshot(agent, "console-leeg");
});

test("a resident's chat appears live; the agent takes it and answers",
  async () => {
    res = await resCtx.newPage();
    await res.goto(srv.base + "/contact/chat");
    await res.fill("#chat-naam", "Eva de Vries");
    await res.fill("#chat-vraag", "Mijn paspoort is verlopen");
    await res.click("text=Start de chat");
    await residentShows("Mijn paspoort is verlopen");

    // The agent's page did not reload: the stream brought it.
    const row = agent.locator("#inbox-lijst a.loket-inbox-item",
      { hasText: "Eva de Vries" });
    await row.waitFor(LIVE);
    assert.match(await row.textContent(), /ongelezen/);
    assert.match(await agent.textContent("#inbox-ongelezen"), /1 ongelezen/);
    assert.match(await agent.textContent("#console-live"),
      /Nieuw (gesprek|bericht)/);
    await h.screenshot(agent, "console-inbox");
    await row.click();
    await agent.waitForSelector("#tijdlijn li >> text=Mijn paspoort is " +
      "verlopen", LIVE);
    convId = new URL(agent.url()).hash.split("/")[2];
    // Opening it marks it read.
    await agent.waitForFunction(() => !/ongelezen/.test(
      document.getElementById("inbox-ongelezen").textContent), null, LIVE);
    await agent.click("#oppakken");
    await agent.waitForFunction(() => /behandelaar: Fatima/.test(
      document.getElementById("gesprek-gegevens").textContent), null, LIVE);
    await res.waitForFunction(() => /Fatima is bij het gesprek/.test(
      document.getElementById("chat-status").textContent), null, LIVE);

    // The resident types: the agent sees it.
    await res.fill("#chat-bericht", "Ik");
    await agent.waitForFunction(() => /typt/.test(
      document.getElementById("gesprek-typt").textContent), null, LIVE);
    await res.fill("#chat-bericht", "");

    await agent.fill("#antwoord", "Goedemiddag, wanneer reist u?");
    await agent.click("#versturen");
    await residentShows("Goedemiddag, wanneer reist u?");
    await agent.waitForSelector("#tijdlijn li.loket-timeline__item--" +
      "outbound >> text=Goedemiddag, wanneer reist u?", LIVE);
    await accessible(agent, "console, conversation");
    await h.screenshot(agent, "console-gesprek");
  });

test("the network drops and comes back without loss or duplicates",
  async () => {
    await resCtx.setOffline(true);
    await res.fill("#chat-bericht", "Geschreven zonder verbinding");
    await res.click("#chat-versturen");
    await agent.fill("#antwoord", "Bent u er nog?");
    await agent.click("#versturen");
    await agent.waitForSelector("#tijdlijn >> text=Bent u er nog?", LIVE);
    await new Promise((r) => setTimeout(r, 1500));
    await resCtx.setOffline(false);
    await residentShows("Geschreven zonder verbinding");
    await residentShows("Bent u er nog?");
    // The agent's console shows the resident's message live, once.
    await agent.waitForSelector(
      "#tijdlijn >> text=Geschreven zonder verbinding", LIVE);
    // The agent has it open: the resident's page says it was read.
    await res.waitForSelector("#chat-berichten li:last-child >> " +
      "text=Gelezen", LIVE);
    const expected = ["Mijn paspoort is verlopen",
      "Goedemiddag, wanneer reist u?", "Bent u er nog?",
      "Geschreven zonder verbinding"];
    const residentTexts = await res.$$eval(
      "#chat-berichten li .loket-chat-msg__text",
      (els) => els.map((e) => e.textContent));
    assert.deepEqual(residentTexts, expected);
    const agentTexts = await agent.$$eval(
      "#tijdlijn li .loket-timeline__text", (els) =>
        els.map((e) => e.textContent));
    assert.deepEqual(agentTexts, expected);
    const conv = (await srv.api(api, "GET",
      `/api/v1/conversations/${convId}`)).body;
    assert.equal(conv.messages.filter((m) =>
      m.content === "Geschreven zonder verbinding").length, 1);
  });

test("the resident asks for a call back; the agent logs the outcome",
  async () => {
    await res.click("#chat-terugbellen");
    await res.waitForSelector("#tb-telefoon");
    await res.fill("#tb-telefoon", "06 12345678");
    await res.check("input[name=tijdvak] >> nth=0");
    await res.click("button:has-text('Bel mij terug')");
    await res.waitForSelector("#terugbellen-bevestigd");

    // The count in the navigation follows the stream.
    await agent.waitForFunction(() => document.getElementById(
      "terugbel-aantal").textContent === "(1)", null, LIVE);
    await agent.click("#nav-terugbellen");
    const item = agent.locator("#terugbel-lijst li.loket-callback");
    await item.waitFor(LIVE);
    const text = await item.textContent();
    assert.match(text, /Eva de Vries/);
    assert.match(text, /06 12345678/);
    for (const t of ["Mijn paspoort is verlopen", "Bent u er nog?",
                     "Geschreven zonder verbinding"])
      assert.ok(text.includes(t), `transcript has ${t}`);
    assert.equal(await item.locator("a[href^='tel:']").getAttribute("href"),
      "tel:0612345678");
    await accessible(agent, "console, callback queue");
    await h.screenshot(agent, "console-terugbellen");
    await item.locator("select").selectOption("reached");
    await item.locator("input[type=text]").fill("Afspraak gemaakt");
    await item.locator("button:has-text('Uitkomst vastleggen')").click();
    await agent.waitForSelector("#terugbel-lijst li", { state: "detached",
      timeout: 10000 });
    await agent.waitForFunction(() => /Uitkomst vastgelegd/.test(
      document.getElementById("console-live").textContent), null, LIVE);
    const cbs = (await srv.api(api, "GET", "/api/v1/callbacks?status=all"))
      .body.items;
    assert.equal(cbs[0].outcome, "reached");
    assert.equal(cbs[0].taskStatus, "verwerkt");
    // The call is in the conversation's timeline.
    await agent.goto(srv.base + "/agent#/gesprek/" + convId);
    await agent.waitForSelector("#tijdlijn >> text=Afspraak gemaakt", LIVE);
  });

test("note, attachment, team, status, snooze, categories, history",
  async () => {
    const c = await a.conversation(srv, api, {
      subject: "Afval", content: "De container is niet geleegd.",
      from: { name: "Jan Jansen", email: "jan@example.nl" } });
    // An earlier contact of the same resident in another channel.
    await srv.api(api, "POST", "/api/v1/conversations", {
      channel: "telefoon", subject: "Eerder", content: "Vorige week gebeld.",
      partyId: c.party.id });
    await agent.goto(srv.base + "/agent#/gesprek/" + c.id);
    await agent.waitForSelector("#tijdlijn >> text=De container is niet " +
      "geleegd.", LIVE);
    // One timeline across channels, and the card.
    await agent.waitForSelector("#tijdlijn li.loket-timeline__item--other " +
      ">> text=Vorige week gebeld.", LIVE);
    assert.match(await agent.textContent("#kaart"), /Jan Jansen/);
    assert.match(await agent.textContent("#kaart-adressen"),
      /jan@example\.nl/);
    assert.match(await agent.textContent("#kaart-contacten"), /Eerder/);

    // An internal note with an attachment.
    await agent.check("#soort-notitie");
    await agent.fill("#antwoord", "Route nagevraagd, zie bijlage.");
    await agent.setInputFiles("#bijlagen", { name: "route.txt",
      mimeType: "text/plain", buffer: Buffer.from("Route 7, dinsdag\n") });
    await agent.click("#versturen");
    const link = agent.locator("#tijdlijn li.loket-timeline__item--note " +
      "a:has-text('route.txt')");
    await link.waitFor(LIVE);
    const [dl] = await Promise.all([agent.waitForEvent("download"),
      link.click()]);
    assert.equal(dl.suggestedFilename(), "route.txt");
    const fs = await import("node:fs");
    assert.equal(fs.readFileSync(await dl.path(), "utf8"),
      "Route 7, dinsdag\n");
    let conv = (await srv.api(api, "GET", `/api/v1/conversations/${c.id}`))
      .body;
    assert.equal(conv.messages.at(-1).kind, "note");

    // Assign to a colleague, to a team, then categories, then snooze.
    await agent.selectOption("#toewijzen", "agent:" + world.colleagueId);
    await agent.click("#toewijzen-knop");
    await agent.waitForFunction(() => /behandelaar: Joost/.test(
      document.getElementById("gesprek-gegevens").textContent), null, LIVE);

    await agent.selectOption("#toewijzen", "team:" + world.teamId);
    await agent.click("#toewijzen-knop");
    await agent.waitForFunction(() => /team: Burgerzaken/.test(
      document.getElementById("gesprek-gegevens").textContent), null, LIVE);
    await agent.check(`#cat-${world.categoryId}`);
    await agent.click("#categorieen-knop");
    await agent.waitForFunction(() => /Categorieën opgeslagen/.test(
      document.getElementById("console-live").textContent), null, LIVE);
    await agent.selectOption("#gesprek-status", "snoozed");
    await agent.fill("#sluimer-tot", "2099-01-01T09:00");
    await agent.click("#status-knop");
    await agent.waitForFunction(() => /Gesluimerd tot/.test(
      document.getElementById("gesprek-gegevens").textContent), null, LIVE);
    conv = (await srv.api(api, "GET", `/api/v1/conversations/${c.id}`)).body;
    assert.equal(conv.teamId, world.teamId);
    assert.equal(conv.status, "snoozed");
    assert.deepEqual(conv.categories.map((x) => x.id), [world.categoryId]);
    await accessible(agent, "console, conversation with note");
    await h.screenshot(agent, "console-notitie");

    // Filters: snoozed conversations of the team.
    await agent.selectOption("#filter-status", "snoozed");
    await agent.selectOption("#filter-team", world.teamId);
    await agent.waitForFunction(() => document.querySelectorAll(
      "#inbox-lijst li").length === 1, null, LIVE);
    assert.match(await agent.textContent("#inbox-lijst"), /Jan Jansen/);
    await agent.fill("#inbox-zoek", "paspoort");
    await agent.selectOption("#filter-status", "");
    await agent.selectOption("#filter-team", "");
    await agent.waitForFunction(() => document.querySelectorAll(
      "#inbox-lijst li").length === 1 && /Eva/.test(
      document.getElementById("inbox-lijst").textContent), null, LIVE);
  });

test("canned answers, a colleague viewing and typing, unread counts",
  async () => {
    await srv.api(admin, "POST", "/api/v1/canned-answers", {
      title: "Paspoort", shortcut: "pas", scope: "everyone",
      body: "Beste {{inwoner.naam}}, ik help u graag. {{medewerker.naam}}" });
    await agent.goto(srv.base + "/agent#/gesprek/" + convId);
    await agent.waitForSelector("#tijdlijn >> text=Bent u er nog?", LIVE);
    await agent.focus("#standaardantwoord");
    await agent.waitForSelector("#standaardantwoord option >> text=Paspoort",
      { state: "attached", ...LIVE });
    await agent.selectOption("#standaardantwoord", { label: "Paspoort (pas)" });
    await agent.waitForFunction(() => document.getElementById("antwoord")
      .value === "Beste Eva de Vries, ik help u graag. Fatima", null, LIVE);
    await agent.fill("#antwoord", "");

    // A colleague opens the same conversation, then types.
    const c2 = await browser.newContext({ locale: "nl-NL",
      timezoneId: "Europe/Amsterdam", viewport: { width: 1400,
        height: 900 } });
    problems.push(h.watchConsole(c2));
    const joost = await c2.newPage();
    await a.login(joost, srv, a.COLLEAGUE);
    await joost.goto(srv.base + "/agent#/gesprek/" + convId);
    await joost.waitForSelector("#tijdlijn >> text=Bent u er nog?", LIVE);
    await agent.waitForFunction(() => /Joost bekijkt dit gesprek/.test(
      document.getElementById("gesprek-collega").textContent), null, LIVE);
    await joost.fill("#antwoord", "Even kijken");
    await joost.type("#antwoord", "…");
    await agent.waitForFunction(() => /Joost typt in dit gesprek/.test(
      document.getElementById("gesprek-collega").textContent), null, LIVE);
    await h.screenshot(agent, "console-collega");
    // Joost goes back to the inbox: he leaves the conversation.
    await joost.goto(srv.base + "/agent#/");
    await joost.waitForSelector("#inbox-lijst a.loket-inbox-item", LIVE);
    await agent.waitForFunction(() => !/Joost/.test(
      document.getElementById("gesprek-collega").textContent), null, LIVE);
    // The resident writes again: unread for Joost, read for Fatima, who
    // has it open.
    await res.goto(srv.base + "/contact/chat");
    await res.waitForSelector("#chat-bericht:not([disabled])", LIVE);
    await res.fill("#chat-bericht", "Nog een vraag");
    await res.click("#chat-versturen");
    await joost.waitForFunction(() => /1 ongelezen/.test(
      document.getElementById("inbox-ongelezen").textContent), null, LIVE);
    await joost.waitForFunction(() => /[1-9] ongelezen/.test(
      document.getElementById("inbox-tellers").textContent), null, LIVE);
    await agent.waitForSelector("#tijdlijn >> text=Nog een vraag", LIVE);
    await agent.waitForFunction(() => !/ongelezen/.test(
      document.getElementById("inbox-ongelezen").textContent), null, LIVE);
    await c2.close();
  });

test("a long conversation shows every message, paged by the API",
  async () => {
    const c = await a.conversation(srv, api, { subject: "Lang",
      content: "Bericht 0", from: { name: "Lia Lang" } });
    for (let i = 1; i < 130; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, 130 - i) },
        (_, k) => srv.api(api, "POST",
          `/api/v1/conversations/${c.id}/messages`,
          { direction: "inbound", content: `Bericht ${i + k}` })));
    }
    await agent.goto(srv.base + "/agent#/gesprek/" + c.id);
    await agent.waitForFunction(() => document.querySelectorAll(
      "#tijdlijn li").length === 130, null, LIVE);
    const texts = await agent.$$eval("#tijdlijn .loket-timeline__text",
      (l) => l.map((e) => e.textContent));
    assert.equal(new Set(texts).size, 130);
  });

test("presence is set from the console", async () => {
  await agent.selectOption("#aanwezigheid", "busy");
  const deadline = Date.now() + 5000;
  let ag;
  do {
    ag = (await srv.api(api, "GET", `/api/v1/agents/${world.agentId}`)).body;
    if (ag.presence === "busy") break;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  assert.equal(ag.presence, "busy");
  // A change made elsewhere reaches the console.
  await srv.api(admin, "PUT", `/api/v1/agents/${world.agentId}/presence`,
    { presence: "away" });
  await agent.waitForFunction(() => document.getElementById(
    "aanwezigheid").value === "away", null, LIVE);
});

test("help lists the keys; log-out ends the session", async () => {
  await agent.evaluate(() => document.activeElement.blur());
  await agent.keyboard.press("?");
  await agent.waitForSelector("#hulp[open]");
  assert.match(await agent.textContent("#hulp"), /Volgend/);
  await accessible(agent, "console, help");
  await h.screenshot(agent, "console-hulp");
  await agent.keyboard.press("Escape");
  await agent.waitForSelector("#hulp", { state: "hidden" });
  await agent.click("button:has-text('Uitloggen')");
  await agent.waitForURL(/\/login$/);
  await agent.goto(srv.base + "/agent");
  assert.equal(new URL(agent.url()).pathname, "/login");
});

test("no console errors or CSP violations", () => {
  assert.deepEqual(problems.flat().filter(
    (p) => !/ERR_INTERNET_DISCONNECTED/.test(p)), []);
});
