// harness.mjs - what the browser tests stand on: the real loket binary on
// a free loopback port with a data folder of its own (as loketlib.py does
// for the integration tests), its API for making data, and one headless
// Chromium driven by playwright-core.
//
// Environment (ctest sets the first three, tests/CMakeLists.txt):
//   LOKET_BIN         the loket binary (default build/debug/loket)
//   LOKET_SOURCE_DIR  the source tree (default: two folders up)
//   LOKET_ARTEFACTS   where screenshots go (default build/artefacts)
//   LOKET_CHROMIUM    the browser (default /usr/bin/chromium)
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR =
  process.env.LOKET_SOURCE_DIR || path.resolve(here, "..", "..");
export const LOKET_BIN = process.env.LOKET_BIN ||
  path.join(SOURCE_DIR, "build", "debug", "loket");
export const WEB_DIR = path.join(SOURCE_DIR, "web");
export const ARTEFACTS = process.env.LOKET_ARTEFACTS ||
  path.join(SOURCE_DIR, "build", "artefacts");
export const CHROMIUM = process.env.LOKET_CHROMIUM || "/usr/bin/chromium";

const READY = /^Loket serving http:\/\/([^/]+):(\d+)\/$/;

// Why the browser tests cannot run here, or null.  Only missing tools
// count: anything else that goes wrong is a failure.
export function missing() {
  const mods = path.join(SOURCE_DIR, "node_modules");
  for (const m of ["playwright-core", "axe-core", "esbuild"]) {
    if (!fs.existsSync(path.join(mods, m, "package.json")))
      return `node_modules/${m} is not installed (run scripts/setup.sh test)`;
  }
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK);
  } catch {
    return `${CHROMIUM} is not installed (run scripts/setup.sh test)`;
  }
  if (!fs.existsSync(LOKET_BIN)) return `no loket binary at ${LOKET_BIN}`;
  return null;
}

// Builds the bundle the pages link (quick when nothing changed), so the
// tests see the current web/src/.
export async function buildBundle() {
  const { build } = await import(path.join(WEB_DIR, "build.mjs"));
  return build({ quiet: true });
}

function cli(data, ...args) {
  const p = spawnSync(LOKET_BIN, [...args, "--data", data], {
    encoding: "utf8", timeout: 60000, stdio: ["ignore", "pipe", "pipe"] });
  if (p.status !== 0)
    throw new Error(`loket ${args.join(" ")} failed: ${p.stderr}`);
  return p.stdout;
}

// One loket serve process; restart() keeps the port and the data, as a
// restarted server behind the same address would.  `args` are more
// options of `loket serve`; `port` 0 takes a free one.
export class Loket {
  constructor(args = [], port = 0) {
    this.data = fs.mkdtempSync(path.join(os.tmpdir(), "loket-browser-"));
    this.args = args;
    this.port = port;
    this.proc = null;
    this.log = [];
  }

  async start() {
    const env = { ...process.env };
    for (const k of ["LOKET_LISTEN", "LOKET_DATA", "LOKET_WEB"]) delete env[k];
    this.proc = spawn(LOKET_BIN, [
      "serve", "--listen", `127.0.0.1:${this.port}`, "--data", this.data,
      "--web", WEB_DIR, "--log-level", "warn", "--heartbeat", "5",
      ...this.args],
    { env, stdio: ["ignore", "pipe", "pipe"] });
    const proc = this.proc;
    proc.stderr.on("data", (d) => this.log.push(d.toString()));
    const lines = readline.createInterface({ input: proc.stdout });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`loket not ready:\n${this.log.join("")}`)),
        20000);
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`loket exited with ${code}:\n${this.log.join("")}`));
      });
      lines.on("line", (line) => {
        const m = READY.exec(line);
        if (m) {
          clearTimeout(timer);
          this.port = Number(m[2]);
          resolve();
        }
      });
    });
    this.base = `http://127.0.0.1:${this.port}`;
    return this;
  }

  async stop() {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const done = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    const t = setTimeout(() => proc.kill("SIGKILL"), 10000);
    await done;
    clearTimeout(t);
    this.proc = null;
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  async cleanup() {
    await this.stop();
    fs.rmSync(this.data, { recursive: true, force: true });
  }

  // An API token of the given scopes, made with the CLI as an operator
  // would.  Returns its secret.
  token(scopes = "api") {
    const out = cli(this.data, "token", "create", "--name",
      `browser-${Date.now()}`, "--scopes", scopes).trim().split("\n");
    return out[out.length - 1].trim();
  }

  // A JSON API call; resolves to {status, body}.
  async api(token, method, url, body) {
    const r = await fetch(this.base + url, {
      method,
      headers: { Authorization: `Bearer ${token}`,
                 "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (r.status >= 400)
      throw new Error(`${method} ${url}: ${r.status} ${text}`);
    return { status: r.status, headers: r.headers, body: json };
  }
}

// Headless Chromium from Debian.  Playwright gives every launch a fresh
// temporary profile (its own --user-data-dir) and removes it on close.
export async function launchBrowser() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run"],
    timeout: 30000,
  });
}

// Collects console errors, page errors and CSP violations of a context.
export function watchConsole(context) {
  const problems = [];
  const watch = (page) => {
    page.on("console", (m) => {
      if (m.type() === "error" || /Content Security Policy/i.test(m.text()))
        problems.push(`${page.url()}: console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  return problems;
}

let axeSource = null;

// axe-core's WCAG 2.0 and 2.1 level A and AA rules on the page as it is.
// The script goes in through the DevTools protocol, which the page's CSP
// does not govern, so the page is tested with its real policy.
export async function axe(page) {
  if (axeSource === null) {
    axeSource = fs.readFileSync(
      path.join(SOURCE_DIR, "node_modules", "axe-core", "axe.min.js"),
      "utf8");
  }
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag",
                 values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " +
                                           n.failureSummary),
    }));
  });
}

// A loopback port free at the moment, for a server that must know its
// own address before it starts (links in the mail it sends).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  const file = path.join(ARTEFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
