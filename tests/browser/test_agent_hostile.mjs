// test_agent_hostile.mjs - the agent console shows residents' input as
// text and nothing else.
//
// Script tags, HTML, SVG with onload, javascript: links and event-handler
// attributes go into every field a resident controls: the web form (name,
// e-mail, phone, message, attachment file name), the chat (name, e-mail,
// messages), the call-me-back form (name and the carried form fields), a
// conversation made through the API as an e-mail adapter would (subject,
// body, sender, attachment file name).  Then the agent opens the inbox,
// every conversation, the resident card and the callback queue, and the
// test asserts: no dialog fired, no payload ran (window.__pwned), no
// element or attribute from the payloads exists, no javascript: href, and
// no CSP violation or console error.
//
//   node tests/browser/test_agent_hostile.mjs
//   (ctest: browser/test_agent_hostile)
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
const RUN = "window.__pwned=(window.__pwned||0)+1;alert(1)";
const P = {
  script: `<script>${RUN}</script>`,
  img: `<img src=x onerror="${RUN}">`,
  svg: `<svg onload="${RUN}"><circle r="5"/></svg>`,
  link: `<a href="javascript:${RUN}">klik</a>`,
  js: `javascript:${RUN}`,
  attr: `" autofocus onfocus="${RUN}" x="`,
  iframe: `<iframe src="javascript:${RUN}"></iframe>`,
};
const ALL = Object.values(P).join(" ");
let srv, api, admin, browser, resCtx, agentCtx, agent;
const problems = [];
const dialogs = [];

before(async () => {
  await h.buildBundle();
  srv = await new h.Loket().start();
  api = srv.token("api events");
  admin = srv.token("admin");
  await a.seed(srv, admin);
  browser = await h.launchBrowser();
  resCtx = await browser.newContext({ locale: "nl-NL" });
  agentCtx = await browser.newContext({ locale: "nl-NL",
    viewport: { width: 1400, height: 900 } });
  problems.push(h.watchConsole(resCtx), h.watchConsole(agentCtx));
  for (const c of [resCtx, agentCtx]) {
    // Registered through the DevTools protocol, outside the page's CSP.
    await c.addInitScript(() => {
      window.__csp = [];
      document.addEventListener("securitypolicyviolation",
        (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
    });
    c.on("page", (p) => p.on("dialog", (d) => {
      dialogs.push(`${p.url()}: ${d.type()} ${d.message()}`);
      d.dismiss().catch(() => {});
    }));
  }
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
});

// What a payload may have left on the page.
async function clean(page, where) {
  const r = await page.evaluate(() => {
    const bad = [];
    for (const e of document.querySelectorAll("*")) {
      const tag = e.tagName.toLowerCase();
      if (["img", "svg", "iframe", "circle", "object", "embed"]
          .includes(tag))
        bad.push(`element ${tag}`);
      if (tag === "script" && (e.textContent.trim() || !e.src))
        bad.push("inline script");
      for (const at of e.attributes) {
        if (/^on/i.test(at.name)) bad.push(`${tag}[${at.name}]`);
        if (at.name === "autofocus") bad.push(`${tag}[autofocus]`);
        if (/^\s*javascript:/i.test(at.value) &&
            ["href", "src", "action", "formaction", "xlink:href"]
              .includes(at.name))
          bad.push(`${tag}[${at.name}=${at.value.slice(0, 30)}]`);
      }
    }
    for (const l of document.links) {
      if (!["http:", "https:", "mailto:", "tel:"].includes(l.protocol))
        bad.push(`link ${l.protocol}`);
    }
    return { bad, pwned: window.__pwned || 0, csp: window.__csp || [] };
  });
  assert.deepEqual(r.bad, [], `${where}: injected markup`);
  assert.equal(r.pwned, 0, `${where}: a payload ran`);
  assert.deepEqual(r.csp, [], `${where}: CSP violations`);
  assert.deepEqual(dialogs, [], `${where}: dialogs`);
}

test("residents fill every field with markup", async () => {
  let p = await resCtx.newPage();
  // The web form, with an attachment whose name is markup.
  await p.goto(srv.base + "/contact/formulier");
  await p.getByLabel("Een vraag stellen").check();
  await p.getByLabel("Uw vraag of klacht").fill("Formulier " + ALL);
  await p.getByLabel("Naam").first().fill(P.svg + P.attr);
  await p.getByLabel("Telefoonnummer").fill("030 1234567");
  await p.selectOption("#categorie", { index: 1 });
  await p.getByLabel("Bijlage").setInputFiles({ name: `${P.img}.txt`,
    mimeType: "text/plain", buffer: Buffer.from("bijlage\n") });
  await p.getByLabel(/Ik geef toestemming/).check();
  await Promise.all([p.waitForNavigation(),
    p.click("button[type=submit]:has-text('Versturen')")]);
  assert.doesNotMatch(await p.title(), /^Fout/, "the form was accepted");
  await clean(p, "status page");

  // The chat, with the name, address and messages as markup.
  await p.goto(srv.base + "/contact/chat");
  await p.fill("#chat-naam", P.script + P.link);
  await p.fill("#chat-vraag", "Chat " + ALL);
  await p.click("text=Start de chat");
  await p.waitForSelector("#chat-berichten li[data-seq]", LIVE);
  await p.fill("#chat-bericht", P.js + " https://example.nl/?q=" + P.svg);
  await p.click("#chat-versturen");
  await p.waitForFunction(() => document.querySelectorAll(
    "#chat-berichten li[data-seq]").length === 2, null, LIVE);
  await clean(p, "resident chat");
  // ...and asks to be called back from it.
  await p.click("#chat-terugbellen");
  await p.fill("#tb-telefoon", "06 12345678");
  await p.fill("#tb-naam", P.iframe + P.img).catch(() => {});
  await p.check("input[name=tijdvak] >> nth=0");
  await p.click("button:has-text('Bel mij terug')");
  await p.waitForSelector("#terugbellen-bevestigd");

  await p.close();
  // A half-filled form carried to a call back, in a browser without a
  // chat going (with one, the call back continues the chat).
  const other = await browser.newContext({ locale: "nl-NL" });
  problems.push(h.watchConsole(other));
  p = await other.newPage();
  p.on("dialog", (d) => {
    dialogs.push(`${p.url()}: ${d.type()} ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await p.goto(srv.base + "/contact/formulier");
  await p.getByLabel("Een klacht indienen").check();
  await p.getByLabel("Uw vraag of klacht").fill("Half " + ALL);
  await p.getByLabel("Naam").first().fill(P.img + P.js);
  await p.getByLabel("Telefoonnummer").fill("030 7654321");
  await p.selectOption("#categorie", { index: 1 });
  await p.click("#formulier-terugbellen");
  await p.waitForSelector("#tb-telefoon");
  await p.check("input[name=tijdvak] >> nth=0");
  await p.click("button:has-text('Bel mij terug')");
  await p.waitForSelector("#terugbellen-bevestigd");
  await clean(p, "callback confirmation");
  await other.close();

  // An e-mail as the mail adapter would store it, through the API.
  const up = await fetch(srv.base + "/api/v1/attachments?filename=" +
    encodeURIComponent(`${P.svg}${P.js}.txt`), { method: "POST",
    headers: { Authorization: `Bearer ${api}`,
               "Content-Type": "text/plain" }, body: "mail\n" });
  assert.equal(up.status, 201);
  const att = await up.json();
  await srv.api(api, "POST", "/api/v1/conversations", {
    channel: "email", subject: "Mail " + P.script + P.svg,
    content: "Mailtekst " + ALL,
    from: { name: P.link + P.iframe, email: "mail@example.nl",
            phone: "0201234567" },
    attachmentIds: [att.id] });
  const list = (await srv.api(api, "GET",
    "/api/v1/conversations?limit=100")).body.items;
  assert.equal(list.length, 4, JSON.stringify(list.map((c) =>
    [c.channel, c.subject, c.party && c.party.name])));
});

test("the agent's inbox, conversations, cards and callbacks stay text",
  async () => {
    agent = await agentCtx.newPage();
    await a.login(agent, srv, a.AGENT);
    await agent.waitForFunction(() => document.querySelectorAll(
      "#inbox-lijst a.loket-inbox-item").length === 4, null, LIVE);
    await clean(agent, "inbox");
    // The payloads are there, as text.
    const inboxText = await agent.textContent("#inbox-lijst");
    assert.ok(inboxText.includes("<svg onload="), "inbox shows markup");
    assert.ok(inboxText.includes("<script>"), "inbox shows the name");
    await h.screenshot(agent, "console-vijandig-inbox");

    const ids = await agent.$$eval("#inbox-lijst a.loket-inbox-item",
      (l) => l.map((e) => e.getAttribute("data-conv")));
    for (const id of ids) {
      await agent.click(`#inbox-lijst a[data-conv="${id}"]`);
      await agent.waitForFunction((i) => location.hash.endsWith(i) &&
        document.querySelectorAll("#tijdlijn li").length > 0 &&
        document.querySelector("#kaart .loket-console-name"), id, LIVE);
      // Wait for the card and history to settle.
      await agent.waitForTimeout(300);
      await clean(agent, `conversation ${id}`);
      const t = await agent.textContent("#gesprek");
      assert.ok(t.includes("onerror=") || t.includes("onload=") ||
        t.includes("javascript:"), "the conversation shows the markup");
      // Hover and focus every link and button: handlers would fire now.
      for (const e of await agent.$$("#gesprek a, #kaart a"))
        await e.hover().catch(() => {});
      await clean(agent, `conversation ${id} after hovering`);
    }
    // Attachment names: text, links to the content by id.
    const names = await agent.$$eval("#tijdlijn .loket-attachments a",
      (l) => l.map((e) => [e.textContent, e.getAttribute("href")]));
    assert.ok(names.length >= 1);
    for (const [, href] of names)
      assert.match(href, /^\/api\/v1\/attachments\/[0-9a-f-]{36}\/content$/);
    // The only real link in the messages is the https one.
    const links = await agent.$$eval("#tijdlijn .loket-timeline__text a",
      (l) => l.map((e) => e.href));
    for (const l of links) assert.match(l, /^https:\/\/example\.nl\//);
    await h.screenshot(agent, "console-vijandig-gesprek");

    await agent.click("#nav-terugbellen");
    await agent.waitForFunction(() => document.querySelectorAll(
      "#terugbel-lijst li.loket-callback").length === 2, null, LIVE);
    await clean(agent, "callback queue");
    const cb = await agent.textContent("#terugbel-lijst");
    assert.ok(cb.includes("Half <script>"), "carried fields");
    assert.ok(cb.includes("Chat <script>"), "carried transcript");
    await h.screenshot(agent, "console-vijandig-terugbellen");
  });

test("the console's source never parses text as HTML", async () => {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const src = fs.readFileSync(path.join(h.WEB_DIR, "src", "agent.js"),
    "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  for (const bad of ["innerHTML", "outerHTML", "insertAdjacentHTML",
    "document.write", "eval(", "new Function", "createContextualFragment",
    "DOMParser", "srcdoc"])
    assert.ok(!src.includes(bad), `agent.js uses ${bad}`);
});

test("no dialogs, console errors or CSP violations", () => {
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems.flat(), []);
});
