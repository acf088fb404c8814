"""`GET /`: a browser lands on the console; other clients learn where things are."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_a_browser_opening_the_root_is_sent_to_the_console(client: FlaskClient) -> None:
    response = client.get("/", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/")


def test_an_api_client_opening_the_root_gets_an_index_of_the_service(
    client: FlaskClient,
) -> None:
    for accept in ("application/json", "*/*"):  # curl sends */*
        response = client.get("/", headers={"Accept": accept})

        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        body = response.get_json()
        assert body["name"] == "appservices-auth" and body["version"]
        links = body["links"]
        assert links["docs"] == "/docs" and links["openapi"] == "/openapi.json"
        assert links["console"] == "/console/"
    # Every page it names is there.
    assert client.get(links["openapi"]).status_code == 200
    assert client.get(links["health"]).status_code == 200
    assert client.get(links["docs"], follow_redirects=True).status_code == 200
    assert client.get(links["console"], follow_redirects=True).status_code == 200
