"""infra/: the Kubernetes manifests validate offline against the newest Kubernetes schema kubernetes-validate
ships (strict: no unknown fields), and say what the portal needs; the compose file is checked structurally
(no Compose engine and no compose-spec schema here — see infra/README.md for what is not checked)."""

from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

INFRA = Path(__file__).resolve().parents[2] / "infra"
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
