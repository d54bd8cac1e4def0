"""Reports of problems, stored in the shape of an Open311 GeoReport v2 service request.

Keeping the Open311 fields (service_code, address_string or lat/long, description, status,
requested and updated times) means a later connector can forward reports to a council's
back office without reshaping them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAX_DESCRIPTION_LENGTH = 4000  # the Open311 limit
# The status note every new report starts with (Open311 ``status_notes``), until the team writes one.
RECEIVED_NOTE = "Received. Waiting for the team to look at it."


@dataclass(frozen=True)
class ServiceRequest:
    """A stored report, field for field as Open311 GeoReport v2 names them."""

    service_request_id: str
    service_code: str
    open311_code: str
    address_string: str | None
    postcode: str | None
    description: str
    status: str
    status_notes: str | None
    requested_datetime: datetime
    updated_datetime: datetime
