"""compose.yaml is for users with Docker; here at least its configuration must be valid."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_docker_compose_config_is_valid():
    if shutil.which("docker") is None:
        pytest.skip("no docker client on this machine")
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("no docker compose plugin on this machine")
    result = subprocess.run(["docker", "compose", "config", "--format", "json"], cwd=ROOT, capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(Path.home())})
    assert result.returncode == 0, result.stderr
    import json
    services = json.loads(result.stdout)["services"]
    assert {"kafka", "producer", "extract", "decide", "notify", "web"} <= set(services)
    assert all("healthcheck" in services[name] for name in services)
    assert services["extract"]["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_compose_lets_decide_scale_like_extract_and_follows_the_topics_folder():
    """Without Docker: the file as YAML. Nothing pins a decide container (a name, a port, a fixed instance id), so
    `--scale decide=N` runs N of them; every stage sees ./topics."""
    import yaml

    doc = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    for name in ("extract", "decide"):
        service = doc["services"][name]
        assert "container_name" not in service and "ports" not in service
        assert "NEWSMON_INSTANCE_ID" not in (service.get("environment") or {})
    assert "./topics:/app/topics:ro" in doc["services"]["decide"]["volumes"]
    assert "NEWSMON_TOPICS_DIR=/app/topics" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
