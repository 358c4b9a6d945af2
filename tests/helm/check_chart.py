"""Checks the wsedge Helm chart: values schema, rendering, yamllint, Kubernetes schemas, and the
invariants operators rely on (probes and ports match the binary, grace exceeds the drain, the
control plane stays internal, replicas > 1 with the local broker are refused with the reason,
cluster mode keeps the Redis password out of the ConfigMap and reaches a real redis-server)."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import jsonschema
import yaml

chart, work, wsedge, values_dir = sys.argv[1:5]
render = os.path.join(work, "render")
schema = json.load(open(os.path.join(chart, "values.schema.json")))
defaults = yaml.safe_load(open(os.path.join(chart, "values.yaml")))
failures = []
redis_server = "/usr/bin/redis-server"
# What every Secret the scenarios name holds under the key the chart reads.
test_redis_password = "Test-pa55word"


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


def binary_flags():
    """The settings the binary declares itself (--helpfull, section "Flags from wsedge")."""
    result = subprocess.run([wsedge, "--helpfull"], capture_output=True, text=True)
    ours = (result.stdout + result.stderr).split("Flags from wsedge:")[-1].split("Flags from")[0]
    return set(re.findall(r"^\s+--(\w+)", ours, re.M))


def secret_values(values):
    """(Secret, key) -> value of the Secrets a scenario's pods read: the chart's own from its
    values, and the Redis password Secret the operator would have created."""
    out = {}
    auth = values["auth"]
    for key, value in (("jwt-secret", auth["jwtSecret"]), ("control-token", auth["controlToken"])):
        if value:
            out[(auth["existingSecret"] or "rel-wsedge", key)] = value
    redis = values["broker"]["redis"]
    if redis["existingSecret"]:
        out[(redis["existingSecret"], redis["passwordKey"])] = test_redis_password
    return out


def container_env(container, secrets):
    """A container's env as Kubernetes resolves it: secretKeyRefs from `secrets`, and $(VAR)
    expanded from the variables defined before it (so their order matters)."""
    out = {}
    for e in container.get("env", []):
        ref = e.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            if (ref["name"], ref["key"]) in secrets:
                out[e["name"]] = secrets[(ref["name"], ref["key"])]
            elif not ref.get("optional"):
                failures.append(f"{container['name']}: no test value for secret {ref}")
        elif "value" in e:
            out[e["name"]] = re.sub(r"\$\((\w+)\)", lambda m: out.get(m[1], m[0]), e["value"])
    return out


def start_redis(args):
    """A local redis-server with these arguments on a free port; (process, port) once ready."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([redis_server, *args, "--port", str(port), "--bind", "127.0.0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if "Ready to accept connections" in line:
            return proc, port
    failures.append(f"redis-server {args} did not start")
    return proc, None


def redis_channels(port, password, pattern):
    """The Redis channels matching pattern (a prefix and *) that someone subscribed to."""
    env = {**os.environ, **({"REDISCLI_AUTH": password} if password else {})}
    cli = subprocess.run(["/usr/bin/redis-cli", "-p", str(port), "PUBSUB", "CHANNELS", pattern],
                         capture_output=True, text=True, env=env)
    return [c for c in cli.stdout.split() if c.startswith(pattern.rstrip("*"))]


def check_cluster_mode(name, values, by_kind, config, container, env_values):
    """broker.type=redis: the settings, the password kept in the pod, the bundled Redis. Returns
    the redis-server arguments and password that stand in for the scenario's Redis."""
    redis = values["broker"]["redis"]
    check(config["WSEDGE_REDIS_PREFIX"] == redis["prefix"], f"{name}: WSEDGE_REDIS_PREFIX")
    check(config["WSEDGE_REDIS_INGEST"] == redis["ingest"], f"{name}: WSEDGE_REDIS_INGEST")
    env_names = [e["name"] for e in container["env"]]
    password = test_redis_password if redis["existingSecret"] else ""
    if password:
        check("WSEDGE_REDIS_URL" not in config, f"{name}: Redis URL in the ConfigMap with a Secret")
        ref = next(e for e in container["env"] if e["name"] == "REDIS_PASSWORD")
        check(ref["valueFrom"]["secretKeyRef"] == {"name": redis["existingSecret"],
                                                   "key": redis["passwordKey"]},
              f"{name}: REDIS_PASSWORD from {ref}")
        # Kubernetes expands $(REDIS_PASSWORD) only from variables defined before.
        check(env_names.index("REDIS_PASSWORD") < env_names.index("WSEDGE_REDIS_URL"),
              f"{name}: REDIS_PASSWORD must come before WSEDGE_REDIS_URL")
        url = env_values["WSEDGE_REDIS_URL"]
    else:
        check("REDIS_PASSWORD" not in env_names, f"{name}: REDIS_PASSWORD without a Secret")
        url = config["WSEDGE_REDIS_URL"]

    if values["redis"]["enabled"]:
        sts = by_kind["StatefulSet"][0]
        pod = sts["spec"]["template"]["spec"]
        labels = sts["spec"]["template"]["metadata"]["labels"]
        redis_container = pod["containers"][0]
        image = f"{values['redis']['image']['repository']}:{values['redis']['image']['tag']}"
        check(sts["spec"]["replicas"] == 1 and redis_container["image"] == image,
              f"{name}: bundled Redis replicas/image")
        args = redis_container["args"]
        check(args[0] == "redis-server" and " --save  --appendonly no " in " ".join(args) + " ",
              f"{name}: the bundled Redis must persist nothing: {args}")
        check(not pod.get("volumes") or all("emptyDir" in v for v in pod["volumes"]),
              f"{name}: the bundled Redis has a persistent volume")
        services = [s for s in by_kind["Service"] if s["spec"]["selector"] == labels]
        check(len(services) == 1, f"{name}: no Service for the bundled Redis")
        check(sts["spec"]["serviceName"] == services[0]["metadata"]["name"], f"{name}: serviceName")
        for s in by_kind["Service"]:
            if s not in services:
                check(not s["spec"]["selector"].items() <= labels.items(),
                      f"{name}: Service {s['metadata']['name']} selects the Redis pod")
        target = f"{services[0]['metadata']['name']}:{services[0]['spec']['ports'][0]['port']}/0"
        if values["networkPolicy"]["enabled"]:
            check(any(p["spec"]["podSelector"]["matchLabels"] == labels
                      for p in by_kind["NetworkPolicy"]), f"{name}: the Redis has no NetworkPolicy")
        redis_env = container_env(redis_container, secret_values(values))
        if password:
            check("--requirepass" in args, f"{name}: the bundled Redis has no password")
        server_args = [re.sub(r"\$\((\w+)\)", lambda m: redis_env.get(m[1], m[0]), a)
                       for a in args[1:]]
    else:
        check("StatefulSet" not in by_kind, f"{name}: a bundled Redis nobody asked for")
        target = redis["url"][len("redis://"):]
        server_args = ["--save", "", "--appendonly", "no"] + \
            (["--requirepass", password] if password else [])
    expected = f"redis://:{password}@{target}" if password else f"redis://{target}"
    check(url == expected, f"{name}: WSEDGE_REDIS_URL is {url}, expected {expected}")
    return server_args, password


# 1. Values the schema must refuse.
for bad in ("bad-type.yaml", "unknown-key.yaml", "bad-broker.yaml", "bad-redis-url.yaml"):
    check(schema_errors(merged(os.path.join(values_dir, bad))), f"schema accepted {bad}")

# 2. Values the templates must refuse, naming the reason.
for refused, reason in (("replicas-3.yaml", "cross-node broker"),
                        ("autoscaling.yaml", "cross-node broker"),
                        ("local-replicas-2.yaml", "cross-node broker"),
                        ("redis-no-url.yaml", "broker.type=redis needs broker.redis.url"),
                        ("redis-url-password.yaml", "must not hold a password")):
    values_file = os.path.join(values_dir, refused)
    check(not schema_errors(merged(values_file)), f"{refused} should pass the schema")
    result = run_render(values_file)
    check(result.returncode != 0, f"{refused} rendered but must be refused")
    check(reason in result.stderr, f"{refused}: reason missing: {result.stderr}")

# 3. Scenarios that must render into valid, consistent objects.
flags = binary_flags()
rendered_files = []
for scenario in (None, "everything-on.yaml", "tls-on.yaml", "redis-cluster.yaml",
                 "redis-secret.yaml", "redis-bundled.yaml", "redis-bundled-secret.yaml"):
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
    env_values = container_env(container, secret_values(values))
    settings = {k for k in list(config) + [e["name"] for e in container.get("env", [])]
                if k.startswith("WSEDGE_")}
    unknown = sorted(k for k in settings if k[len("WSEDGE_"):].lower() not in flags)
    check(not unknown, f"{name}: settings the binary does not have: {unknown}")
    broker = values["broker"]["type"]
    check(config["WSEDGE_BROKER"] == broker, f"{name}: WSEDGE_BROKER differs from broker.type")
    if values["autoscaling"]["enabled"]:
        # A replicas field next to an HPA would reset its count on every upgrade.
        check("replicas" not in deployment["spec"], f"{name}: replicas set beside an HPA")
        check(by_kind["HorizontalPodAutoscaler"][0]["spec"]["scaleTargetRef"]["name"] ==
              deployment["metadata"]["name"], f"{name}: the HPA scales something else")
    else:
        check(deployment["spec"]["replicas"] == values["replicaCount"], f"{name}: replicas")
    if broker == "local":
        check(deployment["spec"].get("replicas") == 1 and "HorizontalPodAutoscaler" not in by_kind,
              f"{name}: the local broker must run exactly one pod")
        check(not any(k.startswith("WSEDGE_REDIS") for k in config), f"{name}: Redis settings")
        check("StatefulSet" not in by_kind, f"{name}: a bundled Redis with the local broker")
    for config_map in by_kind["ConfigMap"]:
        data = config_map.get("data", {}).values()
        check(not any(re.search(r"redis://[^/]*@", v) for v in data),
              f"{name}: a Redis password in ConfigMap {config_map['metadata']['name']}")
    redis_args = redis_password = None
    if broker == "redis":
        redis_args, redis_password = check_cluster_mode(name, values, by_kind, config, container,
                                                        env_values)
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
        env.update(env_values)  # the container's env wins over envFrom, as in Kubernetes
        env.update(WSEDGE_WS_PORT="0", WSEDGE_GRPC_PORT="0", WSEDGE_METRICS_PORT="0",
                   WSEDGE_BIND_ADDRESS="127.0.0.1")
        redis_proc = None
        if redis_args is not None:
            # The chart's Redis URL, password included, pointed at a local redis-server.
            redis_proc, redis_port = start_redis(redis_args)
            env["WSEDGE_REDIS_URL"] = re.sub(r"^(redis://(?:[^@/]*@)?)[^/]*",
                                             rf"\g<1>127.0.0.1:{redis_port}",
                                             env["WSEDGE_REDIS_URL"])
        if "WSEDGE_ROOM_RULES" in env:
            rules = os.path.join(work, "room-rules.json")
            open(rules, "w").write(config["room-rules.json"])
            env["WSEDGE_ROOM_RULES"] = rules
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
            if redis_proc:
                # Joined the cluster: authenticated, and subscribed to its node channel.
                pattern = f"{values['broker']['redis']['prefix']}:node:*"
                deadline = time.monotonic() + 10
                while not redis_channels(redis_port, redis_password, pattern) and \
                        time.monotonic() < deadline:
                    time.sleep(0.2)
                check(redis_channels(redis_port, redis_password, pattern),
                      f"{name}: wsedge never subscribed to {pattern} on Redis")
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
        check(proc.returncode == 0,
              f"{name}: wsedge exited {proc.returncode} after SIGTERM: {stderr[-3000:]}")
        if redis_proc:
            redis_proc.kill()
            redis_proc.wait()

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
    if name == "redis-cluster.yaml":
        for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget"):
            check(kind in by_kind, f"redis-cluster: no {kind} rendered")
    if name == "defaults":
        for kind in ("Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor",
                     "PrometheusRule", "NetworkPolicy", "Secret", "StatefulSet"):
            check(kind not in by_kind, f"defaults: {kind} should be off by default")

# 4. Every rendered object against the Kubernetes schemas.
node = subprocess.run(["node", os.path.join(work, "node", "validate_k8s.mjs")] + rendered_files,
                      capture_output=True, text=True, cwd=os.path.join(work, "node"))
check(node.returncode == 0, f"kubernetes schemas: {node.stdout}{node.stderr}")

if failures:
    print("helm chart check FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"helm chart check: {len(rendered_files)} scenarios rendered and valid; {node.stdout.strip()}")
