"""Checks the wsedge Helm chart: values schema, rendering, yamllint, Kubernetes schemas, and the
invariants operators rely on (probes and ports match the binary, grace exceeds the drain, the
control plane stays internal, replicas > 1 with the local broker are refused with the reason)."""
import json
import os
import signal
import subprocess
import sys
import urllib.request

import jsonschema
import yaml

chart, work, wsedge, values_dir = sys.argv[1:5]
render = os.path.join(work, "render")
schema = json.load(open(os.path.join(chart, "values.schema.json")))
defaults = yaml.safe_load(open(os.path.join(chart, "values.yaml")))
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def merged(values_file):
    def merge(dst, src):
        for k, v in src.items():
            if isinstance(v, dict) and isinstance(dst.get(k), dict):
                merge(dst[k], v)
            else:
                dst[k] = v
        return dst
    base = json.loads(json.dumps(defaults))
    return merge(base, yaml.safe_load(open(values_file))) if values_file else base


def run_render(values_file):
    args = [render, chart, "rel", "ns"] + ([values_file] if values_file else [])
    return subprocess.run(args, capture_output=True, text=True)


def schema_errors(values):
    return [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(values)]


# 1. Values the schema must refuse.
for bad in ("bad-type.yaml", "unknown-key.yaml"):
    check(schema_errors(merged(os.path.join(values_dir, bad))), f"schema accepted {bad}")

# 2. Values the templates must refuse, naming the reason.
for refused in ("replicas-3.yaml", "autoscaling.yaml"):
    values_file = os.path.join(values_dir, refused)
    check(not schema_errors(merged(values_file)), f"{refused} should pass the schema")
    result = run_render(values_file)
    check(result.returncode != 0, f"{refused} rendered but must be refused")
    check("cross-node broker" in result.stderr, f"{refused}: reason missing: {result.stderr}")

# 3. Scenarios that must render into valid, consistent objects.
rendered_files = []
for scenario in (None, "everything-on.yaml", "tls-on.yaml"):
    values_file = os.path.join(values_dir, scenario) if scenario else None
    name = scenario or "defaults"
    values = merged(values_file)
    check(not schema_errors(values), f"{name}: schema errors {schema_errors(values)}")
    result = run_render(values_file)
    if result.returncode != 0:
        failures.append(f"{name}: render failed: {result.stderr}")
        continue
    out = os.path.join(work, f"rendered-{name}.yaml")
    open(out, "w").write(result.stdout)
    rendered_files.append(out)
    lint = subprocess.run(["yamllint", "-d", "{extends: default, rules: {line-length: disable, "
                           "document-start: disable, comments: {min-spaces-from-content: 1}}}", out],
                          capture_output=True, text=True)
    check(lint.returncode == 0, f"{name}: yamllint: {lint.stdout}")
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)

    deployment = by_kind["Deployment"][0]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    config = next(c for c in by_kind["ConfigMap"] if c["metadata"]["name"] == "rel-wsedge")["data"]
    check(ports == {"ws": values["ports"]["ws"], "grpc": values["ports"]["grpc"],
                    "metrics": values["ports"]["metrics"]}, f"{name}: container ports {ports}")
    check(config["WSEDGE_WS_PORT"] == str(ports["ws"]), f"{name}: ws port differs from config")
    check(config["WSEDGE_GRPC_PORT"] == str(ports["grpc"]), f"{name}: grpc port differs")
    check(config["WSEDGE_METRICS_PORT"] == str(ports["metrics"]), f"{name}: metrics port differs")
    for probe, path in (("livenessProbe", "/healthz"), ("startupProbe", "/healthz"),
                        ("readinessProbe", "/readyz")):
        check(container[probe]["httpGet"] == {"path": path, "port": "ws"},
              f"{name}: {probe} must GET {path} on the ws port: {container[probe]['httpGet']}")
    drain = values["config"]["drainTimeoutSeconds"] + values["preStopSleepSeconds"]
    check(pod["terminationGracePeriodSeconds"] > drain,
          f"{name}: grace {pod['terminationGracePeriodSeconds']} <= preStop + drain {drain}")
    check(config["WSEDGE_DRAIN_TIMEOUT"] == f"{values['config']['drainTimeoutSeconds']}s",
          f"{name}: WSEDGE_DRAIN_TIMEOUT differs from drainTimeoutSeconds")
    security = container["securityContext"]
    check(security["readOnlyRootFilesystem"] and not security["allowPrivilegeEscalation"]
          and security["capabilities"]["drop"] == ["ALL"], f"{name}: container securityContext")
    check(pod["securityContext"]["runAsNonRoot"] and
          pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", f"{name}: pod security")
    check("checksum/config" in deployment["spec"]["template"]["metadata"]["annotations"],
          f"{name}: no checksum/config annotation")
    grpc_service = next(s for s in by_kind["Service"] if s["metadata"]["name"] == "rel-wsedge-grpc")
    check(grpc_service["spec"]["type"] == "ClusterIP", f"{name}: control plane exposed")
    for ingress in by_kind.get("Ingress", []):
        backends = [p["backend"]["service"]["name"] for r in ingress["spec"]["rules"]
                    for p in r["http"]["paths"]]
        check("rel-wsedge-grpc" not in backends, f"{name}: the Ingress exposes the control plane")
        annotations = ingress["metadata"]["annotations"]
        check(int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600,
              f"{name}: ingress read timeout too short for WebSockets")
    for policy in by_kind.get("NetworkPolicy", []):
        grpc_rules = [r for r in policy["spec"]["ingress"]
                      if any(p["port"] == "grpc" for p in r.get("ports", []))]
        check(all(r.get("from") for r in grpc_rules), f"{name}: control port open to all")

    # The real binary accepts exactly this environment and answers the probes on the ws port.
    if name != "tls-on.yaml":
        # The process environment (e.g. sanitizer options) minus any WSEDGE_* of our own.
        env = {k: v for k, v in os.environ.items() if not k.startswith("WSEDGE_")}
        env.update({k: v for k, v in config.items() if k.startswith("WSEDGE_")})
        env.update(WSEDGE_WS_PORT="0", WSEDGE_GRPC_PORT="0", WSEDGE_METRICS_PORT="0",
                   WSEDGE_BIND_ADDRESS="127.0.0.1")
        if "WSEDGE_ROOM_RULES" in env:
            rules = os.path.join(work, "room-rules.json")
            open(rules, "w").write(config["room-rules.json"])
            env["WSEDGE_ROOM_RULES"] = rules
        if values["config"]["authRequired"]:
            env["WSEDGE_JWT_SECRET"] = values["auth"]["jwtSecret"]
        proc = subprocess.Popen([wsedge], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        line = proc.stdout.readline()
        if "wsedge listening" not in line:
            failures.append(f"{name}: wsedge refused the chart's environment: {proc.stderr.read()}")
        else:
            port = int(line.split(" ws=")[1].split()[0].rsplit(":", 1)[1])
            for path in ("/healthz", "/readyz"):
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).status
                check(status == 200, f"{name}: {path} answered {status}")
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
        check(proc.returncode == 0,
              f"{name}: wsedge exited {proc.returncode} after SIGTERM: {stderr[-3000:]}")

    if name == "tls-on.yaml":
        check(config.get("WSEDGE_TLS_CERT") == "/etc/wsedge/tls/tls.crt", "tls-on: edge TLS env")
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        check({"/etc/wsedge/tls", "/etc/wsedge/control-tls"} <= mounts, f"tls-on: mounts {mounts}")
    if name == "everything-on.yaml":
        for kind in ("Ingress", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule",
                     "NetworkPolicy", "Secret"):
            check(kind in by_kind, f"everything-on: no {kind} rendered")
        rules = by_kind["PrometheusRule"][0]["spec"]["groups"][0]["rules"]
        check({r["alert"] for r in rules} == {"WsedgeInstanceDown", "WsedgeSlowConsumers",
                                               "WsedgeClientErrors", "WsedgeConnectionSaturation"},
              "everything-on: alerts")
    if name == "defaults":
        for kind in ("Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor",
                     "PrometheusRule", "NetworkPolicy", "Secret"):
            check(kind not in by_kind, f"defaults: {kind} should be off by default")

# 4. Every rendered object against the Kubernetes schemas.
node = subprocess.run(["node", os.path.join(work, "node", "validate_k8s.mjs")] + rendered_files,
                      capture_output=True, text=True, cwd=os.path.join(work, "node"))
check(node.returncode == 0, f"kubernetes schemas: {node.stdout}{node.stderr}")

if failures:
    print("helm chart check FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"helm chart check: {len(rendered_files)} scenarios rendered and valid; {node.stdout.strip()}")
