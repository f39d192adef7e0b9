"""The front-end bundle as the server sees it (docs/frontend.md): the
manifest read at start, the layout linking hashed names, /assets/ with
long-lived caching, and what happens without a bundle or with a broken one.

Each test makes a web folder of its own with a small hand-made bundle, so
nothing here needs Node.js; the real bundle is checked by the browser tests.
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import LoketTestCase, run_cli  # noqa: E402

CSS = "loket-ABCD2345.css"
JS = "actueel-WXYZ6789.js"
IMMUTABLE = "public, max-age=31536000, immutable"


class Assets(LoketTestCase):
    def make_web(self, manifest=None, files=()):
        root = tempfile.mkdtemp(prefix="loket-web-")
        self.addCleanup(shutil.rmtree, root, True)
        web = os.path.join(root, "web")
        shutil.copytree(loketlib.WEB_DIR, web,
                        ignore=shutil.ignore_patterns("dist", "src"))
        assets = os.path.join(web, "dist", "assets")
        os.makedirs(assets)
        for name, content in files:
            with open(os.path.join(assets, name), "wb") as f:
                f.write(content)
        if manifest is not None:
            with open(os.path.join(web, "dist", "manifest.json"), "w") as f:
                f.write(manifest if isinstance(manifest, str)
                        else json.dumps(manifest))
        with open(os.path.join(root, "secret.txt"), "w") as f:
            f.write("SECRET")
        return web

    def good_web(self):
        return self.make_web(
            {"version": 1, "assets": {"loket.css": CSS, "actueel.js": JS}},
            [(CSS, b"body{margin:0}\n"), (JS, b"void 0;\n"),
             ("font-QRST2345.woff2", b"wOF2"), ("plain.css", b"p{}\n")])

    def test_layout_links_the_hashed_bundle(self):
        srv = self.start_server(web=self.good_web())
        r = srv.get("/actueel")
        self.assertEqual(r.status, 200, r)
        self.assertIn('<link rel="stylesheet" href="/assets/%s">' % CSS,
                      r.text)
        self.assertIn('class="utrecht-', r.text)
        self.assertIn("utrecht-theme", r.text)
        # no inline script or style anywhere, and the CSP forbids both
        self.assertNotRegex(r.text, r'<script>|<style|\sstyle="|\son[a-z]+=')
        csp = r.header("Content-Security-Policy")
        self.assertIn("script-src 'self'", csp)
        self.assertIn("style-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        login = srv.get("/login")
        self.assertIn("/assets/%s" % CSS, login.text)
        self.assertIsNotNone(login.header("Content-Security-Policy"))

    def test_assets_cached_for_a_year(self):
        srv = self.start_server(web=self.good_web())
        for name, ctype in ((CSS, "text/css; charset=utf-8"),
                            (JS, "text/javascript; charset=utf-8"),
                            ("font-QRST2345.woff2", "font/woff2")):
            r = srv.get("/assets/" + name)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.content_type, ctype)
            self.assertEqual(r.header("Cache-Control"), IMMUTABLE)
            r304 = srv.get("/assets/" + name,
                           headers={"If-None-Match": r.header("ETag")})
            self.assertEqual(r304.status, 304)
        # a name without a hash may change: a short lifetime only
        r = srv.get("/assets/plain.css")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Cache-Control"), "public, max-age=300")

    def test_assets_outside_or_unknown_are_404(self):
        srv = self.start_server(web=self.good_web())
        for path in ("/assets/nope-AAAAAAAA.css", "/assets/",
                     "/assets/../manifest.json", "/assets/%2e%2e/manifest.json",
                     "/assets/..%2f..%2fsecret.txt", "/assets/.hidden",
                     "/assets/sub/x.css", "/assets/../../secret.txt"):
            r = srv.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertNotIn("SECRET", r.text)
            self.assertNotIn('"version"', r.text)

    def test_without_a_bundle_pages_still_work(self):
        srv = self.start_server(web=self.make_web(manifest=None))
        r = srv.get("/actueel")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("stylesheet", r.text)
        self.assertNotIn("<script", r.text)
        self.assertIn("<h1", r.text)
        warned = [line for line in srv.log_records()
                  if line.get("msg", "").startswith("front-end bundle not "
                                                    "built")]
        self.assertEqual(len(warned), 1, srv.log_text())
        self.assertIn("npm run build", warned[0].get("detail", ""))

    def test_broken_bundle_refuses_to_start(self):
        cases = {
            "missing file": ({"version": 1, "assets": {"loket.css": CSS}},
                             "missing"),
            "not JSON": ("{nope", "not a version 1 manifest"),
            "old version": ({"version": 2, "assets": {}},
                            "not a version 1 manifest"),
            "unhashed": ({"version": 1, "assets": {"loket.css": "x.css"}},
                         "bad or too many entries"),
            "escape": ({"version": 1,
                        "assets": {"loket.css": "../manifest-ABCDEFGH.json"}},
                       "bad or too many entries"),
        }
        for what, (manifest, message) in cases.items():
            with self.subTest(what):
                web = self.make_web(manifest, [("x.css", b"")])
                p = run_cli("serve", "--listen", "127.0.0.1:0", "--web", web,
                            data=self.make_data_dir(), timeout=30)
                self.assertNotEqual(p.returncode, 0, p.stdout)
                self.assertIn("front-end bundle", p.stderr)
                self.assertIn(message, p.stderr)
                self.assertNotIn("Loket serving", p.stdout)


if __name__ == "__main__":
    loketlib.main()
