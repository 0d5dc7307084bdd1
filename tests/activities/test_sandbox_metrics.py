"""The stand-ins expose Prometheus metrics: their requests by route template and status."""

import httpx
from prometheus_client.parser import text_string_to_metric_families


def requests_by_route(page: str) -> dict[tuple[str, str, str], float]:
    family = next(f for f in text_string_to_metric_families(page) if f.name == "sandbox_http_requests")
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for s in family.samples
        if s.name == "sandbox_http_requests_total"
    }


async def test_requests_are_counted_by_route_template_and_status(sandbox: httpx.AsyncClient) -> None:
    await sandbox.get("/healthz")
    await sandbox.get("/v1/refunds/re_missing")
    await sandbox.get("/v1/refunds/re_other_missing")

    page = await sandbox.get("/metrics")

    assert page.status_code == 200
    counted = requests_by_route(page.text)
    assert counted[("GET", "/healthz", "200")] == 1
    missing = [(key, value) for key, value in counted.items() if key[1].startswith("/v1/refunds/{")]
    assert len(missing) == 1 and missing[0][1] == 2, counted
