"""Asking the served app's GraphQL endpoint the way a client does."""

from __future__ import annotations

from fastapi.testclient import TestClient


def ask(client: TestClient, query: str, key: str | None = None, **variables: object) -> dict:
    """The JSON answer to one operation, as the caller with `key` (none: the public)."""
    headers = {"X-API-Key": key} if key else {}
    response = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code in (200, 400), response.text
    return response.json()
