"""docker-compose.yml cannot be run here (no Docker), so it is checked by reading it.

Each check is a function that lists the problems it finds; the file must have none, and a
deliberately broken copy must have some, so a check cannot pass by checking nothing.
"""

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from workflows.search import ALL as SEARCH_ATTRIBUTES

ROOT = Path(__file__).resolve().parents[1]
Compose = dict[str, Any]


@pytest.fixture(scope="module")
def compose() -> Compose:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def missing_dependencies(compose: Compose) -> list[str]:
    services = compose["services"]
    return [
        f"{name} depends on unknown {dep}"
        for name, service in services.items()
        for dep in service.get("depends_on") or []  # list form, or dict form (iterates keys)
        if dep not in services
    ]


def unpinned_images(compose: Compose) -> list[str]:
    problems = []
    for name, service in compose["services"].items():
        image = service.get("image")
        if image is None:
            continue
        reference = image.split("@", 1)[0]
        tag = reference.rsplit(":", 1)[1] if ":" in reference.rsplit("/", 1)[-1] else None
        if tag in (None, "", "latest"):
            problems.append(f"{name}: image {image!r} needs an explicit version tag")
    return problems


def missing_dockerfiles(compose: Compose) -> list[str]:
    problems = []
    for name, service in compose["services"].items():
        build = service.get("build")
        if build is None:
            continue
        if isinstance(build, str):
            build = {"context": build}
        dockerfile = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
        if not dockerfile.is_file():
            problems.append(f"{name}: builds from {dockerfile}, which does not exist")
    return problems


def host_ports(service: dict[str, Any]) -> list[str]:
    ports = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):  # long syntax
            published, protocol = entry.get("published"), entry.get("protocol", "tcp")
        else:
            mapping, _, protocol = str(entry).partition("/")
            parts = mapping.split(":")
            published = parts[-2] if len(parts) > 1 else None  # "8080" alone publishes a random port
        if published is not None:
            ports.append(f"{published}/{protocol or 'tcp'}")
    return ports


def colliding_host_ports(compose: Compose) -> list[str]:
    owner: dict[str, str] = {}
    problems = []
    for name, service in compose["services"].items():
        for port in host_ports(service):
            if port in owner:
                problems.append(f"host port {port} is published by both {owner[port]} and {name}")
            owner[port] = name
    return problems


def unreachable_temporal(compose: Compose) -> list[str]:
    address = environment(compose["services"]["worker"]).get("ORDERS_TEMPORAL_ADDRESS", "")
    host = address.rsplit(":", 1)[0]
    if host not in compose["services"]:
        return [f"worker's ORDERS_TEMPORAL_ADDRESS={address!r} names no service"]
    return []


def test_every_dependency_is_a_service(compose):
    assert missing_dependencies(compose) == []


def test_every_image_is_pinned_to_a_version(compose):
    assert unpinned_images(compose) == []


def test_every_build_has_a_dockerfile(compose):
    assert missing_dockerfiles(compose) == []


def test_no_two_services_publish_the_same_host_port(compose):
    assert colliding_host_ports(compose) == []


def test_worker_reaches_temporal_through_a_service_name(compose):
    assert unreachable_temporal(compose) == []


def test_worker_and_sandbox_share_one_postgresql_inventory_they_wait_for(compose):
    services = compose["services"]
    urls = {environment(services[name])["ORDERS_INVENTORY_DB_URL"] for name in ("worker", "sandbox")}
    assert len(urls) == 1
    url = make_url(urls.pop())
    database = services[url.host]

    assert url.drivername == "postgresql+asyncpg"
    assert environment(database)["POSTGRES_DB"] == url.database
    assert (environment(database)["POSTGRES_USER"], environment(database)["POSTGRES_PASSWORD"]) == (url.username, url.password)
    for name in ("worker", "sandbox"):
        assert services[name]["depends_on"][url.host] == {"condition": "service_healthy"}
    named = {v.split(":")[0] for s in services.values() for v in s.get("volumes") or [] if not v.startswith((".", "/"))}
    assert set(compose["volumes"]) == named


def test_sandbox_listens_on_all_interfaces(compose):
    # `orders sandbox` binds to the host of ORDERS_SANDBOX_URL; loopback would be unreachable.
    url = environment(compose["services"]["sandbox"])["ORDERS_SANDBOX_URL"]

    assert url.split("://", 1)[1].startswith("0.0.0.0:")


def test_api_reaches_temporal_listens_on_all_interfaces_and_takes_the_carriers_webhook(compose):
    services = compose["services"]
    api, sandbox = environment(services["api"]), environment(services["sandbox"])

    assert api["ORDERS_TEMPORAL_ADDRESS"].rsplit(":", 1)[0] in services
    assert api["ORDERS_API_HOST"] == "0.0.0.0"
    assert host_ports(services["api"]) == [f"{api['ORDERS_API_PORT']}/tcp"]
    # The carrier stand-in posts its webhook to the API by its service name.
    assert (sandbox["ORDERS_API_HOST"], sandbox["ORDERS_API_PORT"]) == ("api", api["ORDERS_API_PORT"])


def test_setup_registers_every_search_attribute_the_workflows_use(compose):
    script = compose["services"]["temporal-setup"]["command"][0]
    registered = dict(re.findall(r"(\w+)=(KeywordList|Keyword|Bool|Int|Double|Datetime|Text)\b", script))

    for key in SEARCH_ATTRIBUTES:
        expected = key.indexed_value_type.name.title().replace("_", "")  # KEYWORD_LIST: KeywordList
        assert registered.get(key.name) == expected, key.name
    assert registered.get("NeedsAttention") == "Bool"


def test_image_runs_as_a_non_root_user_and_starts_the_worker():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert re.search(r"^USER (?!root\b)\S+", dockerfile, re.MULTILINE)
    assert 'CMD ["orders", "worker"]' in dockerfile
    assert ".venv" in (ROOT / ".dockerignore").read_text().split()


@pytest.mark.parametrize(
    ("break_it", "check"),
    [
        (lambda c: c["services"]["worker"]["depends_on"].update({"ghost": {}}), missing_dependencies),
        (lambda c: c["services"]["mailpit"].update(image="axllent/mailpit"), unpinned_images),
        (lambda c: c["services"]["mailpit"].update(image="axllent/mailpit:latest"), unpinned_images),
        (lambda c: c["services"]["postgresql"].update(image="localhost:5000/postgres"), unpinned_images),
        (lambda c: c["services"]["sandbox"].update(build={"context": "nowhere"}), missing_dockerfiles),
        (lambda c: c["services"]["mailpit"].update(ports=["127.0.0.1:8088:8025"]), colliding_host_ports),
        (lambda c: c["services"]["mailpit"].update(ports=[{"target": 80, "published": 8233}]), colliding_host_ports),
        (lambda c: c["services"]["worker"]["environment"].update(ORDERS_TEMPORAL_ADDRESS="tmprl:7233"), unreachable_temporal),
    ],
)
def test_each_check_catches_a_broken_file(compose, break_it, check):
    broken = copy.deepcopy(compose)

    break_it(broken)

    assert check(broken) != []
