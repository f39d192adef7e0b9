#!/usr/bin/env python3
"""Live chat under load: message delivery from resident to agent.

For each run: starts loket with a fresh data directory, opens CHATS chats
(POST /contact/chat/start), then starts the C load generator
(build/<preset>/bench/chat_load, see its header): PROCS resident processes
holding every chat's resident stream (/contact/chat/stroom) open and
sending each chat's ROUNDS messages (POST /contact/chat/berichten), and
AGENT_PROCS agent processes (default 1) holding AGENTS agent streams
(/api/v1/events) between them.  The
delivery time of a message is from just before its POST is written until
the first agent stream has read its contact.added; the split into "answered"
(POST to its 201, i.e. committed) and "then delivered" (201 to the agent)
shows which side of the commit the time goes.  Prints p50/p95/p99/max,
messages/s, the server's CPU time and peak RSS, and the writer's commits.

    python3 bench/chat_delivery.py [--chats 1000] [--rounds 3] [--procs 4]
        [--agents 2] [--agent-procs 1] [--rate 0] [--conns 16] [--runs 3]
        [--ref-chats N | --ref-bin PATH]

--rate is messages per second over all processes (0: as fast as CONNS
connections per process allow, a closed loop: throughput, where latency is
mostly queueing).  With a reference (the same with N chats and as many
messages, or another loket binary) the runs alternate, reference first,
and the medians of both are printed side by side.  Also printed: the
clients' send lag, the server's p99 request and commit times (from
/metrics), and how long its threads waited for a CPU (schedstat).

Environment: LOKET_BIN (default build/release/loket), CHAT_LOAD (the
chat_load binary), DATA_PARENT (where the data directories go),
PERF_OUT=FILE (perf record of the server while sending), CALLGRIND=1
(LOKET_BIN is a wrapper running loket under callgrind: its counters are
zeroed at the start and dumped at the end of the sending).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("LOKET_BIN", os.path.join(ROOT, "build", "release",
                                                "loket"))
import loketlib  # noqa: E402

LOAD_BIN = os.environ.get("CHAT_LOAD", os.path.join(
    ROOT, "build", "release", "bench", "chat_load"))


def start_chats(srv, n):
    """n chats, each from its own (forwarded) client address: the start
    limit counts per address.  Returns their cookies."""
    cookies = [None] * n

    def work(lo):
        conn = None
        for i in range(lo, n, 8):
            r = srv.request("POST", "/contact/chat/start",
                            json_body={"text": "Vraag %d" % i},
                            headers={"X-Forwarded-For": "10.%d.%d.%d" % (
                                i >> 16 & 255, i >> 8 & 255, i & 255)},
                            conn=conn)
            assert r.status == 201, r
            cookies[i] = [v.split(";")[0] for v in r.header_all("Set-Cookie")
                          if v.startswith("loket_chat=")][0]
    ts = [threading.Thread(target=work, args=(lo,)) for lo in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(cookies)
    return cookies


def spawn(args):
    return subprocess.Popen([LOAD_BIN] + args, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, bufsize=1)


def expect(p, word, timeout=120):
    line = p.stdout.readline()
    if not line.startswith(word):
        raise AssertionError("chat_load said %r, expected %s" % (line, word))
    return line.split()


def metric_sum(text, name):
    total = {}
    for line in text.splitlines():
        for suffix in ("_sum", "_count"):
            if line.startswith(name + suffix + " ") or line.startswith(
                    name + suffix + "{"):
                total[suffix] = total.get(suffix, 0) + float(line.split()[-1])
    return total.get("_sum", 0), total.get("_count", 0)


def hist_p99(m0, m1, prefix):
    """The upper bound (ms) of the bucket holding the 99th percentile of
    what a histogram counted between two /metrics texts."""
    def buckets(text):
        out = {}
        for line in text.splitlines():
            if line.startswith(prefix) and 'le="' in line:
                le = line.split('le="')[1].split('"')[0]
                out[le] = float(line.split()[-1])
        return out
    b0, b1 = buckets(m0), buckets(m1)
    les = sorted(b1, key=lambda x: float("inf") if x == "+Inf" else float(x))
    total = b1.get("+Inf", 0) - b0.get("+Inf", 0)
    for le in les:
        if total and b1[le] - b0.get(le, 0) >= 0.99 * total:
            return float(le) * 1000
    return float("nan")


def one_run(binary, chats, a, rounds):
    data = tempfile.mkdtemp(prefix="loket-bench-chat-",
                            dir=os.environ.get("DATA_PARENT"))
    _, token = loketlib.create_token(data, "bench", "api events")
    os.environ["LOKET_BIN"] = binary
    loketlib.LOKET_BIN = binary
    srv = loketlib.Server(data, log_level="warn",
                          extra_args=["--trust-proxy"]).start()
    procs = []
    try:
        cookies = start_chats(srv, chats)
        cpath = os.path.join(data, "cookies.txt")
        with open(cpath, "w") as f:
            f.write("\n".join(cookies) + "\n")
        port = str(srv.port)
        murl = "http://127.0.0.1:%s/metrics" % port
        agent_outs = []
        for i in range(a.agent_procs):
            n = a.agents // a.agent_procs + (i < a.agents % a.agent_procs)
            agent_outs.append(os.path.join(data, "agent-%d.txt" % i))
            procs.append(spawn(["--role", "agent", "--port", port,
                                "--token", token, "--streams", str(n),
                                "--out", agent_outs[-1]]))
        outs = []
        for i in range(a.procs):
            outs.append(os.path.join(data, "resident-%d.txt" % i))
            procs.append(spawn([
                "--role", "resident", "--port", port, "--cookies", cpath,
                "--index", str(i), "--procs", str(a.procs),
                "--conns", str(a.conns), "--rounds", str(rounds),
                "--rate", str(a.rate / a.procs), "--out", outs[-1]]))
        for p in procs:
            expect(p, "ready")
        time.sleep(1)  # let the set-up settle
        m0 = urllib.request.urlopen(murl).read().decode()
        perf = None
        if os.environ.get("PERF_OUT"):  # a CPU profile of the server
            perf = subprocess.Popen(
                ["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000",
                 "-g", "-p", str(srv.proc.pid), "-o",
                 os.environ["PERF_OUT"]], stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        if os.environ.get("CALLGRIND"):  # LOKET_BIN runs under callgrind
            subprocess.run(["callgrind_control", "-z", str(srv.proc.pid)],
                           check=True, capture_output=True)
        cpu0 = cpu_ms(srv.proc.pid)
        w0 = sched_wait_ms(srv.proc.pid)
        t0 = time.time()
        go = "go %d\n" % int((t0 + 0.05) * 1e6)
        for p in procs:
            p.stdin.write(go)
            p.stdin.flush()
        for p in procs[a.agent_procs:]:
            expect(p, "done")
        t_done = time.time()
        cpu = cpu_ms(srv.proc.pid) - cpu0
        w1 = sched_wait_ms(srv.proc.pid)
        if os.environ.get("CALLGRIND"):
            time.sleep(1.0)
            subprocess.run(["callgrind_control", "-d", str(srv.proc.pid)],
                           check=True, capture_output=True)
        if perf is not None:
            perf.send_signal(2)
            perf.wait(60)
        time.sleep(1.0)  # deliveries still on their way
        m1 = urllib.request.urlopen(murl).read().decode()
        for p in procs:
            p.stdin.close()
            p.wait(30)
        seen = {}
        for path in agent_outs:
            with open(path) as f:
                for line in f:
                    _, _, cid, t = line.split()
                    t = int(t)
                    if cid not in seen or t < seen[cid]:
                        seen[cid] = t
        sent = []
        for path in outs:
            with open(path) as f:
                for line in f:
                    _, cid, due, t_sent, t_ans, status = line.split()
                    if status == "201":
                        sent.append((cid, int(due), int(t_sent), int(t_ans)))
        lost = sum(1 for s in sent if s[0] not in seen)
        lat = sorted((seen[c] - ts) / 1000 for c, _, ts, _ in sent
                     if c in seen)
        ans = sorted((ta - ts) / 1000 for c, _, ts, ta in sent)
        after = sorted((seen[c] - ta) / 1000 for c, _, _, ta in sent
                       if c in seen)
        lag = sorted((ts - due) / 1000 for c, due, ts, _ in sent)
        wall = t_done - t0
        cs0, cn0 = metric_sum(m0, "loket_store_commit_batch_size")
        cs1, cn1 = metric_sum(m1, "loket_store_commit_batch_size")
        return {
            "messages": len(sent), "lost": lost,
            "rate": len(sent) / wall, "wall": wall, "p50": pct(lat, .5), "p95": pct(lat, .95),
            "p99": pct(lat, .99), "max": lat[-1] if lat else 0,
            "ans99": pct(ans, .99), "after99": pct(after, .99),
            "lag99": pct(lag, .99), "cpu": 100 * cpu / 1000 / wall,
            "cpu_us_msg": 1000 * cpu / max(1, len(sent)),
            "rss": peak_rss(srv.proc.pid),
            # ms per second that the server's threads waited for a CPU
            "runq": sum(w1.values()) - sum(w0.values()),
            "batch": (cs1 - cs0) / max(1, cn1 - cn0),
            "srv_req99": hist_p99(m0, m1, 'loket_http_request_duration_seconds'
                                  '_bucket{route="/contact/chat/berichten"'),
            "srv_commit99": hist_p99(m0, m1, "loket_store_commit_duration"
                                     "_seconds_bucket"),
        }
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        srv.stop()
        srv.cleanup()
        shutil.rmtree(data, ignore_errors=True)


def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p))] if v else 0


def show(name, r):
    print("%-10s %5d msgs %5.0f/s  p50 %6.1f  p95 %6.1f  p99 %6.1f  max %6.1f"
          " ms | p99 answered %6.1f, after answer %6.1f, send lag %5.1f |"
          " server p99 request <=%g, commit <=%g ms |"
          " CPU %3.0f%% (%3.0f us/msg), waiting for a CPU %3.0f ms/s"
          "  RSS %3d MiB  writes/commit %4.1f"
          "%s" % (name, r["messages"], r["rate"], r["p50"], r["p95"],
                  r["p99"], r["max"], r["ans99"], r["after99"], r["lag99"],
                  r["srv_req99"], r["srv_commit99"],
                  r["cpu"], r["cpu_us_msg"], r["runq"] / r["wall"], r["rss"],
                  r["batch"],
                  "  LOST %d" % r["lost"] if r["lost"] else ""), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chats", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--agents", type=int, default=2)
    ap.add_argument("--agent-procs", type=int, default=1)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ref-chats", type=int, default=0)
    ap.add_argument("--ref-bin", default="")
    a = ap.parse_args()
    main_bin = os.environ["LOKET_BIN"]
    configs = [("loket", main_bin, a.chats)]
    if a.ref_bin:
        configs.insert(0, ("ref-bin", a.ref_bin, a.chats))
    elif a.ref_chats:
        configs.insert(0, ("%d chats" % a.ref_chats, main_bin, a.ref_chats))
    print("chats %d, rounds %d, %d resident processes x %d connections, "
          "%d agent streams in %d processes, rate %s; load %s" % (
              a.chats, a.rounds, a.procs, a.conns, a.agents, a.agent_procs,
              "%.0f/s" % a.rate if a.rate else "closed loop",
              open("/proc/loadavg").read().split()[0]), flush=True)
    results = {name: [] for name, _, _ in configs}
    for run in range(a.runs):
        for name, binary, chats in configs:
            # A reference with fewer chats sends as many messages (more
            # rounds), so both runs last as long.
            r = one_run(binary, chats, a,
                        max(1, a.rounds * a.chats // chats))
            results[name].append(r)
            show(name, r)
    print("medians of %d runs (load now %s):" % (
        a.runs, open("/proc/loadavg").read().split()[0]))
    for name, _, _ in configs:
        rs = results[name]
        show(name, {k: statistics.median(r[k] for r in rs) for k in rs[0]})


def cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def sched_wait_ms(pid):
    """Time the server's threads spent runnable but waiting for a CPU
    (the second field of /proc/PID/task/TID/schedstat), by thread name."""
    out = {}
    base = "/proc/%d/task" % pid
    for tid in os.listdir(base):
        try:
            with open("%s/%s/comm" % (base, tid)) as f:
                name = f.read().strip()
            with open("%s/%s/schedstat" % (base, tid)) as f:
                wait = int(f.read().split()[1]) / 1e6
        except OSError:
            continue
        out[name] = out.get(name, 0) + wait
    return out


def peak_rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0


if __name__ == "__main__":
    main()
