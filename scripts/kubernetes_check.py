#!/usr/bin/env python3
"""Checks deploy/kubernetes the way a cluster would run it, on loopback.

Renders the kustomize base and the four-node overlay with `kubectl
kustomize`, validates every object against Kubernetes' schemas
(kubernetes-validate, offline), then plays kubelet for the rendered pods:
each pod gets its own loopback IP, its pod name as HOSTNAME, the image's
ENV (from the Dockerfile) under the container's `env`, its Secrets (made
by deploy/kubernetes/secrets.sh) as files where they are mounted and in
`secretKeyRef`s, its volumes as directories, and its containers' exact
command and args, init containers first. Names resolve as cluster DNS
would (the headless Service's pod names, the gateway Service): for the
store's peers through its tests-only PREDASTORE_TEST_HOSTS file, for the
admin CLI of the init container through nss_wrapper. The only rewrites:
`0.0.0.0` becomes the pod's IP (one
network namespace per pod), a mount path its directory, and the image's
binary the one under test. A Secret's files get their `defaultMode`, and
must be readable by the pod's `runAsUser`/`fsGroup` as kubelet would
make them.

Then: the three node pods and both gateways form a cluster and serve S3
(boto3: objects written through one gateway read back through the other,
MD5 checked); a node pod rescheduled to a new IP is found by its name;
the four-node render's new pod joins the storage layout by itself and
takes shards, and, drained, stays draining when its pod restarts; with a
node pod killed, every object still reads back.

Usage: scripts/kubernetes_check.py BINARY   (scripts/kubernetes-check.sh
sets up its Python packages and nss_wrapper; KUBERNETES_CHECK_KEEP=1 keeps
the pods' directories and logs)
"""

import base64
import hashlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore.config
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.path.join(ROOT, "deploy", "kubernetes", "base")
FOUR = os.path.join(ROOT, "deploy", "kubernetes", "four-nodes")
IMAGE_BINARY = "/usr/local/bin/predastore"
# Loopback addresses of the pods: nodes from .81, gateways from .91; a
# rescheduled pod moves to .99.
NODE_IP = "127.0.0.{}".format
GATEWAY_IPS = ["127.0.0.91", "127.0.0.92"]
MOVED_IP = "127.0.0.99"
PATIENCE = 90
# Kubernetes versions validated against: an old one still run widely and
# the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ["1.29.0", "1.37.0"]


def log(*args):
    print("kubernetes-check:", *args, flush=True)


def fail(message):
    raise SystemExit("kubernetes-check: FAIL: " + message)


def wait_for(what, check, timeout=PATIENCE):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as e:  # noqa: BLE001 - report the last one
            last = e
        time.sleep(0.5)
    fail(f"{what} within {timeout} s (last error: {last})")


def render(path):
    out = subprocess.run(
        ["kubectl", "kustomize", path], check=True, capture_output=True, text=True
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def validate(path, docs):
    """kubernetes-validate on the rendered objects, against the oldest and
    the newest Kubernetes it knows of here; the Prometheus Operator's
    ServiceMonitor is a custom resource it has no schema of."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump_all(docs, f)
    for version in KUBERNETES_VERSIONS:
        run = subprocess.run(
            ["kubernetes-validate", "--strict", "--quiet", "-k", version, f.name],
            capture_output=True,
            text=True,
        )
        lines = [l for l in (run.stdout + run.stderr).splitlines() if l.strip()]
        problems = [
            l for l in lines if not ("kind ServiceMonitor" in l and "find schema" in l)
        ]
        if run.returncode != 0 or problems:
            fail(f"{path} does not validate for Kubernetes {version}:\n" + "\n".join(lines))
    os.unlink(f.name)
    kinds = sorted(d["kind"] for d in docs)
    log(f"{os.path.relpath(path, ROOT)}: {len(docs)} objects valid for Kubernetes "
        f"{' and '.join(KUBERNETES_VERSIONS)} ({', '.join(kinds)})")


def image_env():
    """The ENV of the Dockerfile's last stage, as the image has it."""
    text = open(os.path.join(ROOT, "Dockerfile")).read().replace("\\\n", " ")
    stages = text.split("\nFROM ")
    env = {}
    for line in stages[-1].splitlines():
        if line.startswith("ENV "):
            for item in shlex.split(line[4:]):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def find(docs, kind, name):
    for d in docs:
        if d["kind"] == kind and d["metadata"]["name"] == name:
            return d
    fail(f"no {kind} {name} in the render")


class Cluster:
    """Pods of the rendered manifests as processes."""

    def __init__(self, binary, work, secrets):
        self.binary = os.path.abspath(binary)
        self.work = work
        self.secrets = secrets
        self.bin_dir = os.path.join(work, "bin")
        os.makedirs(self.bin_dir, exist_ok=True)
        os.symlink(self.binary, os.path.join(self.bin_dir, "predastore"))
        self.hosts_file = os.path.join(work, "hosts")
        self.hosts = {}
        self.procs = {}
        self.image_env = image_env()

    def set_host(self, name, ip):
        self.hosts[name] = ip
        with open(self.hosts_file + ".new", "w") as f:
            for n, a in sorted(self.hosts.items()):
                f.write(f"{a} {n}\n")
        os.replace(self.hosts_file + ".new", self.hosts_file)

    def pod_dir(self, pod):
        path = os.path.join(self.work, "pods", pod)
        os.makedirs(path, exist_ok=True)
        return path

    def volumes(self, pod, spec, claims):
        """Each volume of the pod as a directory (Secrets as their files,
        with their mode; one the pod's user could not read is an error)."""
        dirs = {}
        for claim in claims:
            name = claim["metadata"]["name"]
            dirs[name] = os.path.join(self.pod_dir(pod), "pvc-" + name)
        for v in spec.get("volumes", []):
            path = os.path.join(self.pod_dir(pod), "vol-" + v["name"])
            if "secret" in v:
                data = self.secrets[v["secret"]["secretName"]]
                items = v["secret"].get("items") or [{"key": k, "path": k} for k in data]
                os.makedirs(path, exist_ok=True)
                for item in items:
                    file = os.path.join(path, item["path"])
                    with open(file, "wb") as f:
                        f.write(data[item["key"]])
                    os.chmod(file, v["secret"].get("defaultMode", 0o644))
                readable_by_pod(pod, spec, v)
            elif "emptyDir" not in v:
                fail(f"volume {v['name']}: only secrets, emptyDirs and claims are played")
            dirs[v["name"]] = path
        for path in dirs.values():
            os.makedirs(path, exist_ok=True)
        return dirs

    def container_env(self, pod, ip, container, mounts):
        env = dict(self.image_env)
        for e in container.get("env", []):
            if "value" in e:
                env[e["name"]] = e["value"]
            else:
                ref = e["valueFrom"]["secretKeyRef"]
                env[e["name"]] = self.secrets[ref["name"]][ref["key"]].decode()
        for name, value in env.items():
            value = value.replace("0.0.0.0", ip)
            for mount_path, local in mounts:
                value = re.sub(re.escape(mount_path) + r"(?=/|$|,)", local, value)
            env[name] = value
        env.update(HOSTNAME=pod, PATH=f"{self.bin_dir}:/usr/bin:/bin")
        return env

    def dns(self, env, init):
        """Cluster DNS for a container: the store's own test hosts file for
        its peers (read on every lookup, safe with its many threads), and
        nss_wrapper for the admin CLI's HTTP client in an init container."""
        env = dict(env, PREDASTORE_TEST_HOSTS=self.hosts_file)
        if init:
            env.update(
                LD_PRELOAD="libnss_wrapper.so",
                NSS_WRAPPER_HOSTS=self.hosts_file,
                NSS_WRAPPER_PASSWD="/etc/passwd",
                NSS_WRAPPER_GROUP="/etc/group",
            )
        return env

    def argv(self, container):
        command = container.get("command") or [IMAGE_BINARY]
        argv = [self.binary if c == IMAGE_BINARY else c for c in command]
        return argv + container.get("args", [])

    def start_pod(self, pod, ip, template, claims=()):
        spec = template["spec"]
        dirs = self.volumes(pod, spec, claims)
        log_path = os.path.join(self.pod_dir(pod), "log")
        out = open(log_path, "ab")
        for init in spec.get("initContainers", []):
            mounts = [(m["mountPath"], dirs[m["name"]]) for m in init.get("volumeMounts", [])]
            env = self.dns(self.container_env(pod, ip, init, mounts), init=True)
            log(f"{pod}: init container {init['name']}")
            done = subprocess.run(self.argv(init), env=env, stdout=out, stderr=out, timeout=PATIENCE)
            if done.returncode != 0:
                fail(f"{pod}: init container {init['name']} exited {done.returncode} ({log_path})")
        (container,) = spec["containers"]
        mounts = [(m["mountPath"], dirs[m["name"]]) for m in container.get("volumeMounts", [])]
        env = self.dns(self.container_env(pod, ip, container, mounts), init=False)
        proc = subprocess.Popen(self.argv(container), env=env, stdout=out, stderr=out)
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        self.procs[pod] = (proc, ip, container, ports, log_path)
        log(f"{pod}: started at {ip} (pid {proc.pid})")

    def probe(self, pod, kind="readinessProbe"):
        _, ip, container, ports, _ = self.procs[pod]
        get = container[kind]["httpGet"]
        port = ports.get(get["port"], get["port"])
        with urllib.request.urlopen(f"http://{ip}:{port}{get['path']}", timeout=2) as r:
            return r.status == 200

    def wait_ready(self, pod):
        proc, _, _, _, log_path = self.procs[pod]

        def ready():
            if proc.poll() is not None:
                fail(f"{pod} exited {proc.returncode}; its log: {log_path}\n" + tail(log_path))
            return self.probe(pod) and self.probe(pod, "livenessProbe")

        wait_for(f"{pod} ready", ready)

    def kill(self, pod):
        proc = self.procs.pop(pod)[0]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        log(f"{pod}: killed")

    def stop_all(self):
        for proc, *_ in self.procs.values():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        self.procs.clear()


def readable_by_pod(pod, spec, volume):
    """Fails unless the pod's user reads the Secret volume's files: they
    are root's, of group fsGroup when one is set (kubelet's rule)."""
    context = spec.get("securityContext", {})
    mode = volume["secret"].get("defaultMode", 0o644)
    if context.get("runAsUser", 0) == 0:
        return
    readable = mode & (0o040 if "fsGroup" in context else 0o004)
    if not readable:
        fail(f"{pod}: secret volume {volume['name']} (mode {mode:o}) is not readable "
             f"by user {context.get('runAsUser')} (fsGroup {context.get('fsGroup')})")


def tail(path, n=30):
    try:
        return "".join(open(path, errors="replace").readlines()[-n:])
    except OSError:
        return ""


def read_secrets(path):
    secrets = {}
    for d in yaml.safe_load_all(open(path)):
        if d and d["kind"] == "Secret":
            secrets[d["metadata"]["name"]] = {
                k: base64.b64decode(v) for k, v in d["data"].items()
            }
    return secrets


def admin(cluster, gateway_ip, *args):
    env = dict(os.environ)
    env.update(
        PREDASTORE_ADMIN_URL=f"http://{gateway_ip}:9000",
        PREDASTORE_ADMIN_TOKEN=cluster.secrets["predastore-credentials"]["admin-token"].decode(),
    )
    out = subprocess.run(
        [cluster.binary, "admin", *args, "--json"], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return json.loads(out.stdout)


def s3(cluster, ip):
    creds = cluster.secrets["predastore-credentials"]
    return boto3.client(
        "s3",
        endpoint_url=f"http://{ip}:9000",
        aws_access_key_id=creds["access-key"].decode(),
        aws_secret_access_key=creds["secret-key"].decode(),
        region_name="us-east-1",
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def put_objects(client, bucket, prefix, count):
    written = {}
    for i in range(count):
        body = os.urandom(50_000 + i * 97_001)
        key = f"{prefix}/{i}"
        reply = client.put_object(Bucket=bucket, Key=key, Body=body)
        md5 = hashlib.md5(body).hexdigest()
        if reply["ETag"].strip('"') != md5:
            fail(f"{key}: ETag {reply['ETag']} is not the MD5 {md5}")
        written[key] = md5
    return written


def read_all(client, bucket, written, when):
    for key, md5 in written.items():
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        if hashlib.md5(body).hexdigest() != md5:
            fail(f"{when}: {key} read back different bytes")
    log(f"{when}: {len(written)} objects read back byte-identical")


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    copy = os.path.join(BASE, "dashboards", "predastore.json")
    if open(copy).read() != open(os.path.join(ROOT, "grafana", "predastore.json")).read():
        fail(f"{copy} is not grafana/predastore.json: cp grafana/predastore.json {copy}")
    base, four = render(BASE), render(FOUR)
    validate(BASE, base)
    validate(FOUR, four)

    work = tempfile.mkdtemp(prefix="kubernetes-check.")
    subprocess.run(
        [os.path.join(ROOT, "deploy", "kubernetes", "secrets.sh"), os.path.join(work, "secrets")],
        env=dict(os.environ, PREDASTORE=os.path.abspath(sys.argv[1])),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    cluster = Cluster(sys.argv[1], work, read_secrets(os.path.join(work, "secrets", "secrets.yaml")))
    try:
        check(cluster, base, four)
    except BaseException:
        for pod, (_, _, _, _, path) in cluster.procs.items():
            print(f"--- {pod} ({path})\n" + tail(path), file=sys.stderr)
        raise
    finally:
        cluster.stop_all()
    if os.environ.get("KUBERNETES_CHECK_KEEP"):
        log(f"pods' directories and logs kept in {work}")
    else:
        subprocess.run(["rm", "-rf", work])
    log("ok")


def check(cluster, base, four):
    nodes = find(base, "StatefulSet", "predastore-node")
    gateway = find(base, "Deployment", "predastore-gateway")
    headless = nodes["spec"]["serviceName"]
    find(base, "Service", headless)
    gateway_service = find(base, "Service", "predastore")["metadata"]["name"]
    replicas = nodes["spec"]["replicas"]
    pods = [f"{nodes['metadata']['name']}-{i}" for i in range(replicas)]
    for i, pod in enumerate(pods):
        cluster.set_host(f"{pod}.{headless}", NODE_IP(81 + i))
    # The gateway Service: its first pod stands for it.
    cluster.set_host(gateway_service, GATEWAY_IPS[0])

    started = time.time()
    claims = nodes["spec"].get("volumeClaimTemplates", [])
    for i, pod in enumerate(pods):
        cluster.start_pod(pod, NODE_IP(81 + i), nodes["spec"]["template"], claims)
    gateways = [f"predastore-gateway-{i}" for i in range(gateway["spec"]["replicas"])]
    for pod, ip in zip(gateways, GATEWAY_IPS):
        cluster.start_pod(pod, ip, gateway["spec"]["template"])
    for pod in pods + gateways:
        cluster.wait_ready(pod)

    def formed():
        status = admin(cluster, GATEWAY_IPS[1], "status")
        voters = (status.get("meta") or {}).get("voters", [])
        up = [n["id"] for n in status["nodes"] if n["up"]]
        return len(voters) == 3 and sorted(up) == [1, 2, 3] and status

    status = wait_for("a cluster of 3 nodes and 3 voters", formed)
    log(f"cluster formed in {time.time() - started:.1f} s: nodes",
        [(n["id"], n["addr"]) for n in status["nodes"]])

    first, second = s3(cluster, GATEWAY_IPS[0]), s3(cluster, GATEWAY_IPS[1])
    wait_for("the bucket made", lambda: first.create_bucket(Bucket="k8s") or True)
    written = put_objects(first, "k8s", "three", 12)
    read_all(second, "k8s", written, "3 nodes, through the other gateway")

    # A node pod rescheduled: same name, new IP. The others find it there.
    moved = pods[2]
    cluster.kill(moved)
    cluster.set_host(f"{moved}.{headless}", MOVED_IP)
    cluster.start_pod(moved, MOVED_IP, nodes["spec"]["template"], claims)
    cluster.wait_ready(moved)
    wait_for(
        f"{moved} up again at its new IP",
        lambda: all(n["up"] for n in admin(cluster, GATEWAY_IPS[0], "status")["nodes"]),
    )
    written.update(put_objects(first, "k8s", "moved", 6))
    # With another node down, every set needs the moved one's shards.
    cluster.kill(pods[0])
    read_all(second, "k8s", written, f"{pods[0]} down, {moved} at its new IP")
    cluster.start_pod(pods[0], NODE_IP(81), nodes["spec"]["template"], claims)
    cluster.wait_ready(pods[0])

    # Scale to 4: the new pod of the four-node render joins by itself.
    nodes4 = find(four, "StatefulSet", "predastore-node")
    new = f"{nodes4['metadata']['name']}-{nodes4['spec']['replicas'] - 1}"
    if nodes4["spec"]["replicas"] != 4 or new in pods:
        fail("the four-node render has no fourth pod")
    cluster.set_host(f"{new}.{headless}", NODE_IP(84))
    cluster.start_pod(new, NODE_IP(84), nodes4["spec"]["template"], nodes4["spec"]["volumeClaimTemplates"])
    cluster.wait_ready(new)

    def joined():
        status = admin(cluster, GATEWAY_IPS[0], "status")
        node = [n for n in status["nodes"] if n["id"] == 4]
        return node and node[0]["state"] == "active" and node[0]["up"] and node[0]

    node4 = wait_for("node 4 active and up in the layout", joined)
    log(f"node 4 joined at {node4['addr']}")
    written.update(put_objects(first, "k8s", "four", 12))
    took = wait_for(
        "node 4 holding shards",
        lambda: next(n for n in admin(cluster, GATEWAY_IPS[0], "status")["nodes"] if n["id"] == 4)["shards"],
    )
    log(f"node 4 holds {took} shards")

    # Drained, then its pod restarted: the join leaves the drain alone.
    admin(cluster, GATEWAY_IPS[0], "node", "drain", "4")
    cluster.kill(new)
    cluster.start_pod(new, NODE_IP(84), nodes4["spec"]["template"], nodes4["spec"]["volumeClaimTemplates"])
    cluster.wait_ready(new)
    state = next(n for n in admin(cluster, GATEWAY_IPS[0], "status")["nodes"] if n["id"] == 4)["state"]
    if state != "draining":
        fail(f"node 4 is {state} after its pod restarted while draining")
    log("node 4 still draining after its pod restarted")
    cluster.kill(pods[1])
    read_all(first, "k8s", written, f"4 nodes, {pods[1]} down")


if __name__ == "__main__":
    main()
