"""The basics: the app starts, probes answer, the factory stays side-effect free."""

from __future__ import annotations


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_database_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["database"] == "up"
