#!/usr/bin/env python3
"""Live chat under load: message delivery from resident to agent.

Starts loket ($LOKET_BIN, the release build by default) with a fresh data
directory, opens CHATS chats (POST /contact/chat/start) and for each its
resident event stream (/contact/chat/stroom), spread over PROCS client
processes; AGENTS agent streams read /api/v1/events.  Then every resident
sends ROUNDS messages (POST /contact/chat/berichten, a few ms apart per
process, all processes at once).  The delivery time of a message is from
just before its POST until the first agent stream has its contact.added
event.  Prints p50/p95/p99/max, the server's CPU time and peak memory.

    python3 bench/chat_delivery.py [CHATS] [ROUNDS] [PROCS] [AGENTS]

Defaults 1000 5 4 2.  Needs tests/integration/loketlib.py.
"""
import json
import multiprocessing as mp
import os
import selectors
import socket
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
os.environ.setdefault("LOKET_BIN", os.path.join(HERE, "..", "build",
                                                "release", "loket"))
import loketlib  # noqa: E402


def raw_stream(host, port, path, headers):
    s = socket.create_connection((host, port))
    h = "".join("%s: %s\r\n" % kv for kv in headers.items())
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n" %
               (path, host, port, h)).encode())
    return s


def drain(socks, stop):
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    while not stop.is_set():
        for key, _ in sel.select(0.2):
            try:
                if not key.fileobj.recv(65536):
                    sel.unregister(key.fileobj)
            except BlockingIOError:
                pass


def resident_proc(host, port, cookies, rounds, go, out):
    origin = "http://%s:%d" % (host, port)
    socks = [raw_stream(host, port, "/contact/chat/stroom",
                        {"Cookie": c, "Accept": "text/event-stream"})
             for c in cookies]
    stop = threading.Event()
    threading.Thread(target=drain, args=(socks, stop), daemon=True).start()
    go.wait()
    sent = []

    def worker(mine):
        import http.client
        conn = http.client.HTTPConnection(host, port, timeout=30)
        for r in range(rounds):
            for c in mine:
                body = json.dumps({"clientKey": str(uuid.uuid4()),
                                   "text": "bericht %d" % r})
                t = time.time()
                conn.request("POST", "/contact/chat/berichten", body=body,
                             headers={"Cookie": c, "Origin": origin,
                                      "Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
                if resp.status == 201:
                    sent.append((json.loads(data)["id"], t))
    threads = [threading.Thread(target=worker, args=(cookies[i::16],))
               for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    out.put(sent)


def agent_reader(srv, token, seen, stop):
    sse = loketlib.SSEClient(srv, token=token, timeout=3600)
    while not stop.is_set():
        e = sse.next_event(3600)  # a daemon thread: ends with the process
        if e is None:
            return
        if e.get("event") == "contact.added":
            cid = json.loads(e["data"])["data"]["id"]
            seen.setdefault(cid, time.time())


def main():
    a = [int(x) for x in sys.argv[1:]]
    chats, rounds, procs, agents = (a + [1000, 5, 4, 2][len(a):])[:4]
    data = os.path.join("/tmp", "loket-bench-chat-%d" % os.getpid())
    os.makedirs(data)
    _, token = loketlib.create_token(data, "bench", "api events")
    srv = loketlib.Server(data, log_level="warn").start()
    try:
        cookies = []
        for i in range(chats):
            r = srv.request("POST", "/contact/chat/start",
                            json_body={"text": "Vraag %d" % i})
            assert r.status == 201, r
            cookies.append([v.split(";")[0] for v in
                            r.header_all("Set-Cookie")
                            if v.startswith("loket_chat=")][0])
        seen, stop = {}, threading.Event()
        for _ in range(agents):
            threading.Thread(target=agent_reader,
                             args=(srv, token, seen, stop),
                             daemon=True).start()
        go, out = mp.Event(), mp.Queue()
        ps = [mp.Process(target=resident_proc,
                         args=(srv.host, srv.port, cookies[i::procs], rounds,
                               go, out)) for i in range(procs)]
        for p in ps:
            p.start()
        time.sleep(2 + chats / 500)  # the streams are open
        cpu0 = cpu_ms(srv.proc.pid)
        t0 = time.time()
        go.set()
        sent = []
        for _ in ps:
            sent += out.get()
        for p in ps:
            p.join()
        loketlib.wait_until(lambda: all(c in seen for c, _ in sent), 30,
                            what="every message at an agent")
        wall = time.time() - t0
        cpu = cpu_ms(srv.proc.pid) - cpu0
        lat = sorted((seen[c] - t) * 1000 for c, t in sent)
        stop.set()

        def pct(p):
            return lat[min(len(lat) - 1, int(len(lat) * p))]
        print("chats %d, resident streams %d, agent streams %d, messages %d"
              " in %.1f s (%.0f/s)" % (chats, chats, agents, len(lat), wall,
                                        len(lat) / wall))
        print("delivery resident -> agent: p50 %.1f ms, p95 %.1f ms, "
              "p99 %.1f ms, max %.1f ms" % (pct(.5), pct(.95), pct(.99),
                                            lat[-1]))
        print("server: CPU %.1f s (%.0f%% of one core), peak RSS %d MiB" % (
            cpu / 1000, 100 * cpu / 1000 / wall, peak_rss(srv.proc.pid)))
    finally:
        srv.stop()
        srv.cleanup()
        import shutil
        shutil.rmtree(data, ignore_errors=True)


def cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def peak_rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0


if __name__ == "__main__":
    main()
