"""Connectors to the council's other systems: an Open311 GeoReport v2 back office, and signed
outgoing webhooks. They read and write through ``storage`` (durable outboxes) and speak HTTP; the
domain rules stay in ``routing``."""
