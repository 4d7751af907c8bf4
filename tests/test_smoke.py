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


def test_readyz_reports_database_down(tmp_path):
    from cube import create_app

    missing = tmp_path / "no-such-dir" / "db.sqlite"  # SQLite cannot open a file in a missing folder
    app = create_app({"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "down"}
    assert app.test_client().get("/healthz").status_code == 200
