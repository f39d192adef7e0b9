// build.mjs - bundles web/src/ into web/dist/ (npm run build).
//
// Every top-level web/src/*.js and web/src/*.css is one entry; what they
// import (the NL Design System CSS, the design tokens, the font) is
// bundled in.  Every file written carries a content hash in its name
// (loket-5KQ2WJ3M.css), so the server can let browsers and CDNs keep it
// for a year; web/dist/manifest.json maps entry names to those files and
// is what the server reads at start (src/http/assets.h).
//
// Idempotent and quick: nothing is written when nothing changed, a file
// already there under its hashed name is left alone, every write goes
// through a temporary file and a rename (two builds at once cannot leave
// half a file), and when no input is newer than the manifest the build is
// skipped altogether.  Files of earlier builds are removed.
//
//   node web/build.mjs           build if needed
//   node web/build.mjs --force   build even if the manifest looks current
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const web = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(web);
const src = path.join(web, "src");
const dist = path.join(web, "dist");
const out = path.join(dist, "assets");
const manifestPath = path.join(dist, "manifest.json");

// What the pages support: the browsers residents use, roughly five years
// back; esbuild lowers newer syntax (CSS nesting, ?.) for them.
// Safari 14.1 rather than 14.0: esbuild cannot lower destructuring for
// 14.0, which the dashboard's chart library (uPlot) uses.
const targets = ["es2017", "chrome87", "firefox78", "safari14.1", "edge88"];

function newestInput() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  walk(src);
  for (const f of [fileURLToPath(import.meta.url),
                   path.join(root, "package-lock.json")]) {
    if (fs.existsSync(f)) newest = Math.max(newest, fs.statSync(f).mtimeMs);
  }
  return newest;
}

// True if the manifest is newer than every input and names files that exist.
function upToDate() {
  let m;
  try {
    m = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  } catch {
    return false;
  }
  if (m.version !== 1 || typeof m.assets !== "object") return false;
  for (const f of Object.values(m.assets)) {
    if (!fs.existsSync(path.join(out, f))) return false;
  }
  return fs.statSync(manifestPath).mtimeMs >= newestInput();
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function entries() {
  return fs.readdirSync(src)
    .filter((f) => /^[a-z0-9][a-z0-9_-]*\.(js|css)$/.test(f))
    .sort()
    .map((f) => path.join(src, f));
}

export async function build({ force = false, quiet = false } = {}) {
  const t0 = process.hrtime.bigint();
  const say = quiet ? () => {} : (s) => console.log(`web: ${s}`);

  if (!force && upToDate()) {
    say("bundle up to date");
    return JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  }
  const result = await esbuild.build({
    entryPoints: entries(),
    bundle: true,
    minify: true,
    sourcemap: false,
    format: "iife",
    target: targets,
    outdir: out,
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    loader: { ".woff2": "file", ".woff": "file", ".svg": "file",
              ".png": "file" },
    metafile: true,
    write: false,
    logLevel: "warning",
    absWorkingDir: root,
    legalComments: "none",
  });

  fs.mkdirSync(out, { recursive: true });
  const keep = new Set();
  let written = 0;
  for (const f of result.outputFiles) {
    const name = path.basename(f.path);
    keep.add(name);
    const dest = path.join(out, name);
    if (fs.existsSync(dest) &&
        createHash("sha256").update(fs.readFileSync(dest)).digest("hex") ===
          createHash("sha256").update(f.contents).digest("hex"))
      continue;
    writeAtomic(dest, f.contents);
    written++;
  }

  const assets = {};
  for (const [file, o] of Object.entries(result.metafile.outputs)) {
    if (!o.entryPoint) continue;
    assets[path.basename(o.entryPoint)] = path.basename(file);
  }
  const manifest = { version: 1, assets };
  const text = JSON.stringify(manifest, null, 2) + "\n";
  let old = null;
  try {
    old = fs.readFileSync(manifestPath, "utf8");
  } catch {
    // first build
  }
  if (old !== text) writeAtomic(manifestPath, text);
  else fs.utimesSync(manifestPath, new Date(), new Date());

  let removed = 0;
  for (const name of fs.readdirSync(out)) {
    if (!keep.has(name) && !name.endsWith(".tmp")) {
      fs.rmSync(path.join(out, name), { force: true });
      removed++;
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  say(`${Object.keys(assets).length} entries, ${keep.size} files ` +
      `(${written} written, ${removed} removed) in ${ms.toFixed(0)} ms`);
  return manifest;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  build({ force: process.argv.includes("--force") }).catch((e) => {
    console.error(`web: build failed: ${e.message}`);
    process.exit(1);
  });
}
