"""Production logs: one JSON object per line with the request ID and the person's number, no
personal data; the X-Request-ID header; the client address behind Caddy; Sentry's scrubber."""

import io
import json
import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from audit.models import AuditEvent
from core.logs import ContextFilter, JsonFormatter, request_id_var, scrub_event


@pytest.fixture
def json_lines():
    """Everything logged while the test runs, as the production handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_a_log_record_is_one_json_object_on_one_line(json_lines):
    token = request_id_var.set("abc123def456")
    try:
        logging.getLogger("portal.test").warning("First line\nsecond line", extra={"case": 7})
    finally:
        request_id_var.reset(token)
    [line] = json_lines()
    assert line["message"] == "First line\nsecond line"
    assert line["level"] == "WARNING" and line["logger"] == "portal.test"
    assert line["request_id"] == "abc123def456" and line["case"] == 7
    assert line["time"].endswith("Z")


def test_email_addresses_never_reach_the_log(json_lines):
    try:
        raise ValueError("no account for jo.bloggs@school.example")
    except ValueError:
        logging.getLogger("portal.test").exception("Email to %s failed", "jo.bloggs@school.example")
    [line] = json_lines()
    assert "jo.bloggs" not in json.dumps(line)
    assert line["message"] == "Email to [email] failed"
    assert "ValueError: no account for [email]" in line["exception"]


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_one_access_line(json_lines):
    response = Client().get("/accounts/login/")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    access = [line for line in json_lines() if line["logger"] == "portal.request"]
    assert [(a["request_id"], a["method"], a["route"], a["status"]) for a in access] == [
        (request_id, "GET", "/accounts/login/", 200)]


@pytest.mark.django_db
def test_a_sane_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced():
    assert Client().get("/accounts/login/", HTTP_X_REQUEST_ID="caddy-7f3a9b21")[
        "X-Request-ID"] == "caddy-7f3a9b21"
    replaced = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


def test_the_access_line_names_the_signed_in_person_by_number_only(client_as, org, json_lines):
    client_as("staff").get(reverse("home"))
    [access] = [line for line in json_lines() if line["logger"] == "portal.request"]
    assert access["user_id"] == org.staff.pk
    assert org.staff.email not in json.dumps(json_lines())
    assert org.staff.full_name not in json.dumps(json_lines())


def test_a_signed_link_token_is_not_written_to_the_log(db, json_lines):
    token = "eyJhIjoxfQ:1tK2Zx:abcdefghijklmnopqrstuvwxyz0123456789"
    Client().get(f"/acknowledgements/link/{token}/")
    text = json.dumps(json_lines())
    assert token not in text
    assert "/acknowledgements/link/<str:token>/" in text


def test_the_clients_address_is_the_last_forwarded_for_entry_and_must_be_an_address():
    from core.request_id import client_address

    class Request:
        META = {"HTTP_X_FORWARDED_FOR": "10.0.0.1, 203.0.113.9"}

    assert client_address(Request) == "203.0.113.9"
    Request.META = {"HTTP_X_FORWARDED_FOR": "not-an-address"}
    assert client_address(Request) is None


@override_settings(TRUST_X_FORWARDED_FOR=True)
def test_a_sign_in_behind_the_proxy_is_audited_with_the_clients_address(org):
    Client().post(reverse("account_login"),
                  {"login": org.staff.email, "password": "correct-horse-battery"},
                  HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="172.18.0.5")
    events = AuditEvent.objects.exclude(ip_address=None)
    assert events.exists()
    assert set(events.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_without_a_trusted_proxy_a_forwarded_for_header_is_ignored(org):
    Client().post(reverse("account_login"),
                  {"login": org.staff.email, "password": "correct-horse-battery"},
                  HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="192.0.2.1")
    assert "203.0.113.9" not in set(
        AuditEvent.objects.values_list("ip_address", flat=True))


def _sentry_event() -> dict:
    return {
        "message": "Could not email jo.bloggs@school.example",
        "user": {"id": 42, "email": "jo.bloggs@school.example", "username": "Jo Bloggs",
                 "ip_address": "203.0.113.9"},
        "request": {
            "url": "https://policies.trust.example/acknowledgements/link/"
                   "eyJhIjoxfQ:1tK2Zx:abcdefghijklmnopqrstuvwxyz/",
            "method": "POST", "query_string": "email=jo.bloggs@school.example",
            "cookies": {"sessionid": "secret"}, "data": {"password": "hunter2"},
            "headers": {"Cookie": "sessionid=secret", "Authorization": "Basic x",
                        "Content-Type": "text/html", "X-Request-ID": "abc123def456"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "exception": {"values": [{"type": "SMTPRecipientsRefused",
                                  "value": "{'jo.bloggs@school.example': (550, b'no')}",
                                  "stacktrace": {"frames": [{"function": "send",
                                                             "vars": {"to": "jo@x.example"}}]}}]},
        "breadcrumbs": {"values": [{"message": "mail to jo.bloggs@school.example",
                                    "data": {"to": "jo.bloggs@school.example"}}]},
    }


def test_sentry_events_lose_personal_data_and_keep_what_finds_the_bug():
    event = scrub_event(_sentry_event(), {})
    text = json.dumps(event)
    for secret in ("jo.bloggs", "Jo Bloggs", "hunter2", "sessionid", "Basic x", "203.0.113.9",
                   "abcdefghijklmnopqrstuvwxyz", "jo@x.example"):
        assert secret not in text, secret
    assert event["user"] == {"id": 42}
    assert event["request"]["headers"] == {"Content-Type": "text/html",
                                           "X-Request-ID": "abc123def456"}
    assert event["request"]["url"].endswith("/acknowledgements/link/[token]/")
    assert event["exception"]["values"][0]["type"] == "SMTPRecipientsRefused"
    assert event["exception"]["values"][0]["stacktrace"]["frames"][0]["function"] == "send"


def test_sentry_is_set_up_without_personal_data_and_with_the_scrubber():
    import sentry_sdk

    from core.logs import sentry_init

    sent = []

    class Capture(sentry_sdk.transport.Transport):
        def capture_envelope(self, envelope):
            sent.append(envelope)

    sentry_init(dsn="https://key@o0.ingest.sentry.io/1", transport=Capture)
    try:
        client = sentry_sdk.get_client()
        assert client.options["send_default_pii"] is False
        assert client.options["before_send"] is scrub_event
        sentry_sdk.capture_message("Could not email jo.bloggs@school.example")
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # switched off again for the other tests
    payload = b"".join(item.payload.get_bytes() for envelope in sent for item in envelope.items)
    assert b"Could not email [email]" in payload
    assert b"jo.bloggs" not in payload
