"""The audit's reader of the carrier: every shipment's tracking number and status, per order."""

import httpx

from domain.audit_facts import ParcelFacts
from starter.audit.sandbox import listing, per_order


async def read_parcels(http: httpx.AsyncClient) -> dict[str, list[ParcelFacts]]:
    shipments = await listing(http, "/carrier/shipments")
    return per_order(shipments, lambda s: ParcelFacts(tracking_number=s["tracking_number"], status=s["status"]))
