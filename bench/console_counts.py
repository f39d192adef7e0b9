#!/usr/bin/env python3
"""console_counts.py - latency of the agent console's badge counts and of
the inbox with its unread flags, over HTTP with a staff session, on a
seeded data directory (docs/console-api.md).

Usage: bench/console_counts.py --url http://127.0.0.1:PORT --email E
       --password P [--rounds N]
Prints p50/p95/max per request kind and one RESULT line each.
"""
import argparse
import http.client
import json
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--email", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--rounds", type=int, default=200)
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)

    def req(method, path, body=None, headers=None):
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return r, r.read()

    r, body = req("POST", "/api/v1/session",
                  {"email": a.email, "password": a.password})
    if r.status != 201:
        raise SystemExit("log-in failed: %d %s" % (r.status, body[:200]))
    cookie = r.getheader("Set-Cookie").split(";")[0]
    csrf = json.loads(body)["csrfToken"]
    hdr = {"Cookie": cookie}
    _, body = req("GET", "/api/v1/console/counts", headers=hdr)
    print("counts:", body.decode().strip())
    _, body = req("GET", "/api/v1/conversations?limit=100&status=open",
                  headers=hdr)
    ids = [i["id"] for i in json.loads(body)["items"]]
    kinds = [
        ("counts", lambda i: ("GET", "/api/v1/console/counts", None)),
        ("inbox25", lambda i: ("GET", "/api/v1/conversations?limit=25",
                               None)),
        ("inbox100_open", lambda i: (
            "GET", "/api/v1/conversations?limit=100&status=open", None)),
        ("read_mark", lambda i: (
            "POST", "/api/v1/conversations/%s/read" % ids[i % len(ids)],
            {})),
    ]
    for name, make in kinds:
        times = []
        for i in range(a.rounds):
            method, path, b = make(i)
            h = dict(hdr)
            if method != "GET":
                h["X-CSRF-Token"] = csrf
            t0 = time.perf_counter()
            r, body = req(method, path, b, h)
            times.append((time.perf_counter() - t0) * 1000)
            if r.status != 200:
                raise SystemExit("%s: %d %s" % (name, r.status, body[:200]))
        times.sort()
        p50 = times[len(times) // 2]
        p95 = times[int(len(times) * 0.95)]
        print("%-14s p50 %.2f ms  p95 %.2f ms  max %.2f ms" %
              (name, p50, p95, times[-1]))
        print("RESULT %s_p50_ms=%.2f %s_p95_ms=%.2f" % (name, p50, name, p95))


if __name__ == "__main__":
    main()
