"""End-to-end check of one publishing example against the real wsedge. Run by CTest.

usage: check_example.py {python|go|node} WSEDGE_BINARY WORK_DIR

Prepares the example (Python: stubs generated into a temporary directory; Go: stubs generated
and the program built, with its build cache in WORK_DIR; Node: `npm ci` of examples/node's
lockfile into WORK_DIR, once), starts wsedge on free ports with a control token, joins a room
with a WebSocket client (python3-websockets), then runs the example three times:
- without the token: it must exit non-zero naming UNAUTHENTICATED;
- with it: it must print "recipients=1 seq=1", and the client must receive {"hello":"from LANG"};
- with it, into a room nobody joined: it must print "recipients=0 seq=1" (the room's first
  message, kept in its history, reaching nobody).
Needs Debian's python3 (/usr/bin/python3) for grpc_tools and websockets.
"""
import asyncio
import filecmp
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import websockets

# A cold Go build of grpc-go takes about 15 s on two cores; everything else takes well under 1 s.
PREPARE_DEADLINE_S = 120
START_DEADLINE_S = 20
RUN_DEADLINE_S = 20
RECEIVE_DEADLINE_S = 10
EXIT_DEADLINE_S = 20
CONTROL_TOKEN = "examples-control-token"

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
proto_dir = os.path.join(root, "proto")
control_proto = os.path.join(proto_dir, "wsedge", "v1", "control.proto")


def prepare(step, argv, **kwargs):
    """Runs one preparation step, or exits naming it with its output."""
    try:
        subprocess.run(argv, check=True, capture_output=True, text=True,
                       timeout=PREPARE_DEADLINE_S, **kwargs)
    except FileNotFoundError as error:
        sys.exit(f"{step}: {error.filename} is missing (scripts/install-deps.sh installs it)")
    except subprocess.CalledProcessError as error:
        sys.exit(f"{step} failed ({error.returncode}):\n{error.stdout}{error.stderr}")
    except subprocess.TimeoutExpired:
        sys.exit(f"{step}: not done within {PREPARE_DEADLINE_S} s")


def prepare_python(work, scratch):
    """Generates the Python stubs into SCRATCH; returns how to run examples/python."""
    stubs = scratch
    prepare("generating the Python stubs",
            [sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_dir}",
             f"--python_out={stubs}", f"--grpc_python_out={stubs}", control_proto])
    command = [sys.executable, os.path.join(here, "python", "publish.py")]
    return command, {"PYTHONPATH": stubs}


def prepare_go(work, scratch):
    """Generates the Go stubs into a GOPATH in SCRATCH and builds examples/go offline."""
    gopath = os.path.join(scratch, "gopath")
    os.makedirs(os.path.join(gopath, "src"))
    # The proto names no go_package: give it an import path (and package name) here.
    package = "Mwsedge/v1/control.proto=wsedge.example/proto/wsedge/v1;wsedgev1"
    prepare("generating the Go stubs",
            ["protoc", f"-I{proto_dir}", f"--go_out={gopath}/src", f"--go_opt={package}",
             f"--go-grpc_out={gopath}/src", f"--go-grpc_opt={package}", control_proto])
    # GOPATH mode against Debian's Go sources in /usr/share/gocode: nothing is downloaded.
    env = dict(os.environ, GO111MODULE="off", GOPATH=f"{gopath}:/usr/share/gocode",
               GOCACHE=os.path.join(work, "gocache"), GOFLAGS="")
    binary = os.path.join(scratch, "publish")
    prepare("building examples/go",
            ["go", "build", "-o", binary, os.path.join(here, "go", "publish.go")], env=env)
    return [binary], {}


def prepare_node(work, _scratch):
    """Installs examples/node's locked packages into WORK_DIR/node (again when the lock changes)."""
    node = os.path.join(work, "node")
    lock = os.path.join(here, "node", "package-lock.json")
    installed_lock = os.path.join(node, "package-lock.json")
    installed = (os.path.isdir(os.path.join(node, "node_modules", "@grpc", "grpc-js"))
                 and os.path.exists(installed_lock)
                 and filecmp.cmp(lock, installed_lock, shallow=False))
    if not installed:
        os.makedirs(node, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(os.path.join(here, "node", name), node)
        prepare("npm ci in " + node,
                ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"], cwd=node)
    # (An examples/node/node_modules of a hand-run `npm ci` takes precedence over NODE_PATH.)
    command = ["node", os.path.join(here, "node", "publish.js")]
    return command, {"NODE_PATH": os.path.join(node, "node_modules")}


async def start_wsedge(wsedge):
    """Starts wsedge on free ports; returns the process and its ws and grpc addresses."""
    # A WSEDGE_* variable of the caller must not change the server's settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSEDGE_")}
    proc = await asyncio.create_subprocess_exec(
        wsedge, "--bind_address=127.0.0.1", "--ws_port=0", "--grpc_port=0", "--metrics_port=0",
        "--threads=1", f"--control_token={CONTROL_TOKEN}",
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), START_DEADLINE_S)).decode()
    except asyncio.TimeoutError:
        proc.kill()
        sys.exit(f"no start-up line from wsedge within {START_DEADLINE_S} s")
    found = re.search(r"ws=([0-9.]+:[0-9]+) grpc=([0-9.]+:[0-9]+)", line)
    if not found:
        proc.kill()
        sys.exit(f"no ws and grpc addresses in wsedge's start-up line: {line!r}")
    return proc, found.group(1), found.group(2)


async def run_example(command, env, args, with_token):
    """Runs the example; returns its exit status, stdout and stderr."""
    env = dict(os.environ, **env)
    env.pop("WSEDGE_CONTROL_TOKEN", None)
    if with_token:
        env["WSEDGE_CONTROL_TOKEN"] = CONTROL_TOKEN
    proc = await asyncio.create_subprocess_exec(
        *command, *args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), RUN_DEADLINE_S)
    except asyncio.TimeoutError:
        proc.kill()
        sys.exit(f"{' '.join(command)}: not done within {RUN_DEADLINE_S} s")
    return proc.returncode, out.decode(), err.decode()


async def next_json(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), RECEIVE_DEADLINE_S))


async def check(lang, command, env, wsedge):
    failures = []
    room = f"examples-{lang}"
    proc, ws_address, grpc_address = await start_wsedge(wsedge)
    try:
        async with websockets.connect(f"ws://{ws_address}/ws/rooms/{room}",
                                      open_timeout=RECEIVE_DEADLINE_S) as ws:
            # Joined once "subscribed" arrives: a publish after it reaches this client.
            for expected in ("connected", "subscribed"):
                got = await next_json(ws)
                if got.get("type") != expected:
                    sys.exit(f"expected {expected!r} from wsedge, got {got}")

            status, out, err = await run_example(command, env, [room, grpc_address], False)
            if status == 0 or "UNAUTHENTICATED" not in err:
                failures.append(f"without the token: want a non-zero exit naming UNAUTHENTICATED, "
                                f"got {status}, stdout {out!r}, stderr {err!r}")

            started = time.monotonic()
            status, out, err = await run_example(command, env, [room, grpc_address], True)
            print(f"{lang}: the example ran in {time.monotonic() - started:.2f} s: {out.strip()}")
            if status != 0 or out.strip() != "recipients=1 seq=1":
                failures.append(f"with the token: want exit 0 and 'recipients=1 seq=1', "
                                f"got {status}, stdout {out!r}, stderr {err!r}")
            else:
                got = await next_json(ws)
                want = {"type": "message", "room": room, "seq": 1,
                        "data": {"hello": f"from {lang}"}}
                if {k: got.get(k) for k in want} != want:
                    failures.append(f"the client received {got}, want the fields {want}")

            # recipients=0 is absent on the wire (proto3): the example must still print it.
            status, out, err = await run_example(
                command, env, [f"{room}-empty", grpc_address], True)
            if status != 0 or out.strip() != "recipients=0 seq=1":
                failures.append(f"into an empty room: want exit 0 and 'recipients=0 seq=1', "
                                f"got {status}, stdout {out!r}, stderr {err!r}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), EXIT_DEADLINE_S)
        except asyncio.TimeoutError:
            proc.kill()
            failures.append(f"wsedge did not exit within {EXIT_DEADLINE_S} s of SIGTERM")
    return failures


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("python", "go", "node"):
        sys.exit(__doc__)
    lang, wsedge, work = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    os.makedirs(work, exist_ok=True)
    prepares = {"python": prepare_python, "go": prepare_go, "node": prepare_node}
    # Generated stubs and the Go binary live in SCRATCH, removed at the end; caches in WORK_DIR.
    with tempfile.TemporaryDirectory(prefix=f"{lang}-", dir=work) as scratch:
        started = time.monotonic()
        command, env = prepares[lang](work, scratch)
        print(f"{lang}: prepared in {time.monotonic() - started:.2f} s")
        failures = asyncio.run(check(lang, command, env, wsedge))
    for failure in failures:
        print(f"FAIL {lang}: {failure}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
