// agentlib.mjs - what the agent console's browser tests share: staff
// accounts made with the CLI as an operator would, a team and a category
// through the API, and logging in through the real /login form.
import { spawnSync } from "node:child_process";
import * as h from "./harness.mjs";

export const PASSWORD = "correct horse battery staple";
export const AGENT = { email: "agent@example.nl", name: "Fatima" };
export const COLLEAGUE = { email: "collega@example.nl", name: "Joost" };

// A staff account and its agent; returns the agent (actor) id.
export async function makeAgent(srv, admin, who) {
  const p = spawnSync(h.LOKET_BIN, ["user", "add", "--email", who.email,
    "--role", "agent", "--name", who.name, "--data", srv.data],
  { input: PASSWORD + "\n", encoding: "utf8" });
  if (p.status !== 0) throw new Error(p.stderr);
  const user = /\((usr_[0-9a-f]{16})\)/.exec(p.stdout)[1];
  const r = await srv.api(admin, "POST", "/api/v1/agents", { userId: user });
  return r.body.id;
}

// Two agents, a team "Burgerzaken" with the first, a category.
export async function seed(srv, admin) {
  const agentId = await makeAgent(srv, admin, AGENT);
  const colleagueId = await makeAgent(srv, admin, COLLEAGUE);
  const team = await srv.api(admin, "POST", "/api/v1/teams",
    { name: "Burgerzaken" });
  await srv.api(admin, "PUT",
    `/api/v1/teams/${team.body.id}/members/${agentId}`);
  const cat = await srv.api(admin, "POST",
    "/klantinteracties/api/v1/categorieen", { naam: "Afval" });
  return { agentId, colleagueId, teamId: team.body.id,
           categoryId: cat.body.uuid };
}

// Opens /agent, is sent to /login, logs in and comes back.
export async function login(page, srv, who) {
  await page.goto(srv.base + "/agent");
  await page.waitForURL(/\/login\?next=/);
  await page.fill("#email", who.email);
  await page.fill("#wachtwoord", PASSWORD);
  await page.click("button:has-text('Inloggen')");
  await page.waitForURL(/\/agent(#.*)?$/);
  await page.waitForSelector("#console:not([hidden])");
}

// A conversation through the API (a web form's, by default).
export async function conversation(srv, token, body) {
  const r = await srv.api(token, "POST", "/api/v1/conversations",
    { channel: "webformulier", ...body });
  return r.body;
}
