"""Checks docs/metrics.md against a live scrape of the real wsedge, both ways, so neither can drift.

usage: check_metrics_doc.py WSEDGE_BINARY [DOCS_DIR]

Starts a redis-server and wsedge in cluster mode (broker=redis, whose /metrics has every series a
single node has, plus the broker's own) on free ports, reads /metrics once, stops both, and checks:
- every metric family of the scrape is a row of the series table in docs/metrics.md, with the
  scrape's type and label names, and every row of that table is a family of the scrape;
- for every label of the scrape, docs/metrics.md has a section "### `family{label}`" whose table
  lists exactly the label values the scrape has (wsedge registers every kind and reason at 0
  from start-up, so a fresh node shows them all);
- every metric name written in docs/*.md (`wsedge_…`, `exposer_…`, with `{label="value"}` when
  given) exists in the scrape.
Python 3 standard library only.
"""
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

START_DEADLINE_S = 20
SCRAPE_TIMEOUT_S = 10
EXIT_DEADLINE_S = 20
REDIS_SERVER = "/usr/bin/redis-server"

wsedge = sys.argv[1]
docs_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")
metrics_doc = os.path.join(docs_dir, "metrics.md")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def start_line(proc, stderr):
    """The start-up line, read with a deadline (wsedge prints it once it listens)."""
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + START_DEADLINE_S
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not selector.select(left):
            sys.exit(f"metrics_doc: no start-up line from wsedge within {START_DEADLINE_S} s")
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            stderr.seek(0)
            sys.exit(f"metrics_doc: wsedge exited before listening: {stderr.read().decode()}")
        line += chunk
    return line.decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis():
    """Debian's redis-server on a free port, in memory only; returns (process, port)."""
    port = free_port()
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_DEADLINE_S
    ready = b""
    while b"Ready to accept connections" not in ready:
        if time.monotonic() > deadline:
            proc.kill()
            sys.exit("metrics_doc: redis-server did not start")
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            sys.exit("metrics_doc: redis-server exited")
        ready += chunk
    return proc, port


def scrape():
    # A clean environment: a WSEDGE_* variable of the caller must not change what is registered.
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSEDGE_")}
    # stderr goes to a file: a pipe nobody reads could fill up and stall the server.
    stderr = tempfile.TemporaryFile()
    redis, redis_port = start_redis()
    proc = subprocess.Popen(
        [wsedge, "--bind_address=127.0.0.1", "--ws_port=0", "--grpc_port=0", "--metrics_port=0",
         "--threads=1", "--broker=redis", f"--redis_url=redis://127.0.0.1:{redis_port}/0",
         "--node_name=metrics-doc"],
        env=env, stdout=subprocess.PIPE, stderr=stderr)
    try:
        line = start_line(proc, stderr)
        found = re.search(r"metrics=([0-9.]+:[0-9]+)", line)
        if not found:
            sys.exit(f"metrics_doc: no metrics address in the start-up line: {line!r}")
        url = f"http://{found.group(1)}/metrics"
        # Straight to the node, whatever http_proxy the environment names.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=SCRAPE_TIMEOUT_S) as answer:
            return answer.read().decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=EXIT_DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            failures.append(f"wsedge did not exit within {EXIT_DEADLINE_S} s of SIGTERM")
        redis.kill()
        redis.wait()


LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}


def parse_scrape(text):
    """{family: type}, {family: {label: {values}}} and every sample name."""
    types, labels, samples = {}, {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            types[name] = kind
            labels.setdefault(name, {})
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
        samples.add(name)
        family = next((f for f, kind in types.items()
                       if name == f or name in (f + s for s in SUFFIXES.get(kind, ()))), None)
        if family is None:
            failures.append(f"scrape: sample {name} belongs to no # TYPE family")
            continue
        rest = line[len(name):]
        if rest.startswith("{"):
            for key, value in LABEL.findall(rest[1:rest.index("}")]):
                labels[family].setdefault(key, set()).add(value)
    return types, labels, samples


def cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


def ticked(text):
    return re.findall(r"`([^`]+)`", text)


def parse_doc(text):
    """The series table ({family: (type, {labels})}) and the label sections ({(family, label):
    {values}}) of docs/metrics.md."""
    series, values = {}, {}
    section, header = None, None
    for line in text.splitlines():
        heading = re.match(r"#+ `([a-z_:][a-z0-9_:]*)\{([a-z_]+)\}`\s*$", line)
        if line.startswith("#"):
            section = (heading.group(1), heading.group(2)) if heading else None
            if section:
                check(section not in values, f"metrics.md: section {section} appears twice")
                values[section] = set()
            header = None
            continue
        if not line.startswith("|"):
            header = None
            continue
        row = cells(line)
        if header is None:
            header = row
            continue
        if set(line) <= set("|-: "):
            continue
        first = ticked(row[0])
        if header[0] == "series":
            check(len(first) == 1 and len(row) >= 3,
                  f"metrics.md: a series row needs `name` | type | labels: {line}")
            if first:
                series[first[0]] = (row[1], set(ticked(row[2])))
        elif section:
            check(len(first) == 1, f"metrics.md: a label row starts with one `value`: {line}")
            values[section].update(first)
    return series, values


def check_mentions(path, text, types, labels, samples):
    """Every metric quoted in a doc exists, with the label value it names."""
    name = os.path.relpath(path, docs_dir)
    # Prose, tables and code blocks alike: in docs/, a name starting wsedge_ or exposer_ is a
    # metric (flags and environment variables are spelled WSEDGE_*).
    for metric, braces in re.findall(r"\b((?:wsedge|exposer)_[a-z0-9_]+)(\{[^}\n]*\})?", text):
        check(metric in samples or metric in types,
              f"{name}: `{metric}` is not a series of the scrape")
        for key, value in LABEL.findall(braces):
            check(value in labels.get(metric, {}).get(key, set()),
                  f"{name}: `{metric}{{{key}=\"{value}\"}}` is not in the scrape")


def main():
    types, labels, samples = parse_scrape(scrape())
    check(any(f.startswith("wsedge_") for f in types), "scrape: no wsedge_ series at all")
    with open(metrics_doc, encoding="utf-8") as f:
        series, values = parse_doc(f.read())

    for family, kind in sorted(types.items()):
        if family not in series:
            failures.append(f"metrics.md: the series table lacks `{family}` ({kind})")
            continue
        doc_kind, doc_labels = series[family]
        check(doc_kind == kind, f"metrics.md: `{family}` is a {kind}, the table says {doc_kind}")
        check(doc_labels == set(labels[family]),
              f"metrics.md: `{family}` has labels {sorted(labels[family])}, "
              f"the table says {sorted(doc_labels)}")
    for family in sorted(set(series) - set(types)):
        failures.append(f"metrics.md: `{family}` is documented but not in the scrape")

    scraped = {(f, label): vals for f, by_label in labels.items() for label, vals in by_label.items()}
    for key, vals in sorted(scraped.items()):
        family, label = key
        if key not in values:
            failures.append(f"metrics.md: no section `{family}{{{label}}}` for its values "
                            f"{sorted(vals)}")
            continue
        for value in sorted(vals - values[key]):
            failures.append(f"metrics.md: `{family}{{{label}=\"{value}\"}}` is not documented")
        for value in sorted(values[key] - vals):
            failures.append(f"metrics.md: `{family}{{{label}=\"{value}\"}}` is documented but "
                            f"not in the scrape")
    for family, label in sorted(set(values) - set(scraped)):
        failures.append(f"metrics.md: section `{family}{{{label}}}` names no label of the scrape")

    for doc in sorted(os.listdir(docs_dir)):
        if doc.endswith(".md"):
            path = os.path.join(docs_dir, doc)
            with open(path, encoding="utf-8") as f:
                check_mentions(path, f.read(), types, labels, samples)

    if failures:
        print("docs/metrics.md and the binary's /metrics disagree:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"metrics_doc: {len(types)} families and "
          f"{sum(len(v) for v in scraped.values())} label values documented, and only those")


main()
