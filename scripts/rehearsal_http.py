"""What the rehearsal (scripts/rehearse.py) uses to act like a person with a browser over HTTPS:
HTML forms read and submitted with their CSRF tokens, sign-in with TOTP codes, checks."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import html
import re
import socket
import ssl
import struct
import time
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx


class Failed(Exception):
    pass


class TimedOut(BaseException):
    pass


def say(text: str) -> None:
    print(text, flush=True)


def check(condition, message: str) -> None:
    if not condition:
        raise Failed(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def totp(secret: str, at: float | None = None) -> str:
    counter = int(at if at is not None else time.time()) // 30
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


# --- reading pages like a browser ---------------------------------------------------------------

class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[tuple[str, str]] = []
        self._form = None
        self._select = None
        self._textarea = None
        self._link = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get")
                          .lower(), "fields": [], "id": a.get("id", "")}
            self.forms.append(self._form)
        elif tag == "a" and a.get("href"):
            self._link = [a["href"], ""]
        elif self._form is not None and tag == "input":
            self._form["fields"].append(("input", a))
        elif self._form is not None and tag == "select":
            self._select = {"name": a.get("name"), "options": []}
            self._form["fields"].append(("select", self._select))
        elif self._select is not None and tag == "option":
            self._select["options"].append((a.get("value", ""), "selected" in a))
        elif self._form is not None and tag == "textarea":
            self._textarea = {"name": a.get("name"), "text": ""}
            self._form["fields"].append(("textarea", self._textarea))
        elif self._form is not None and tag == "button" and a.get("name"):
            self._form["fields"].append(("button", a))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data
        if self._link is not None:
            self._link[1] += data


def parse(page: str) -> _Forms:
    parser = _Forms()
    parser.feed(page)
    return parser


def form_data(form: dict) -> dict:
    """What a browser would send with nothing changed (buttons left out)."""
    data: dict = {}
    for kind, field in form["fields"]:
        if kind == "input":
            name, kind_ = field.get("name"), (field.get("type") or "text").lower()
            if not name or kind_ in ("submit", "button", "file", "image", "reset"):
                continue
            if kind_ in ("checkbox", "radio") and "checked" not in field:
                continue
            data[name] = field.get("value", "on" if kind_ == "checkbox" else "")
        elif kind == "select" and field["name"]:
            chosen = [v for v, selected in field["options"] if selected]
            data[field["name"]] = chosen[0] if chosen else (field["options"][0][0]
                                                            if field["options"] else "")
        elif kind == "textarea" and field["name"]:
            data[field["name"]] = field["text"]
    return data


class Browser:
    """One person's browser session over HTTPS (cookies, CSRF tokens, redirects)."""

    def __init__(self, base: str, verify: ssl.SSLContext, name: str):
        self.base, self.name = base, name
        self.http = httpx.Client(base_url=base, verify=verify, follow_redirects=True,
                                 timeout=60, headers={"User-Agent": "rehearsal/1.0"})

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def form(self, page: httpx.Response, *, contains: str = "csrfmiddlewaretoken",
             index: int = 0) -> tuple[str, dict]:
        forms = [f for f in parse(page.text).forms if f["method"] == "post"
                 and any(field.get("name") == contains for _, field in f["fields"])]
        check(len(forms) > index, f"{self.name}: no form with {contains} on {page.url}")
        form = forms[index]
        return urljoin(str(page.url), form["action"] or str(page.url)), form_data(form)

    def submit(self, page: httpx.Response, changes: dict | None = None, *, files=None,
               contains: str = "csrfmiddlewaretoken", drop: tuple = ()) -> httpx.Response:
        url, data = self.form(page, contains=contains)
        data.update(changes or {})
        for name in drop:
            data.pop(name, None)
        return self.http.post(url, data=data, files=files,
                              headers={"Referer": str(page.url)})

    def sign_in(self, email_address: str, password: str, secret: str | None = None) -> None:
        page = self.get("/accounts/login/")
        page = self.submit(page, {"login": email_address, "password": password},
                           contains="login")
        for _attempt in range(3):
            if "/accounts/2fa/authenticate/" not in str(page.url):
                break
            check(secret, f"{email_address} was asked for a code")
            page = self.submit(page, {"code": totp(secret)}, contains="code")
            if "/accounts/2fa/authenticate/" in str(page.url):  # code used: next window
                time.sleep(30 - time.time() % 30 + 0.5)
        check(page.status_code == 200 and "/accounts/" not in str(page.url),
              f"{email_address} could not sign in (at {page.url}, {page.status_code})")
        self.home = page


class MailRelay:
    """A local SMTP server (aiosmtpd) in place of the trust's relay; keeps what it receives."""

    def __init__(self, port: int):
        self.port, self.controller = port, None
        self.messages: list[email.message.EmailMessage] = []

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        messages = self.messages

        class Keep:
            async def handle_DATA(self, server, session, envelope):
                messages.append(email.message_from_bytes(
                    envelope.original_content or envelope.content, policy=email.policy.default))
                return "250 Message accepted"

        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str, subject_has: str = "") -> list:
        return [m for m in self.messages if address in str(m["To"])
                and subject_has in str(m["Subject"])]


def links_in(message) -> list[str]:
    body = message.get_body(preferencelist=("html", "plain")).get_content()
    return sorted({html.unescape(u) for u in re.findall(r'https?://[^\s"<>\']+', body)})


def caddyfile_for(*, site: str, ports: dict, storage) -> str:
    """The production Caddyfile's site, on loopback and high ports, with Caddy's own CA."""
    return f"""{{
	admin off
	http_port {ports['http']}
	https_port {ports['https']}
	skip_install_trust
	storage file_system {{
		root {storage}
	}}
}}

{site} {{
	bind 127.0.0.1
	tls internal
	encode zstd gzip
	reverse_proxy 127.0.0.1:{ports['web']}
}}

http://localhost:{ports['http']} {{
	bind 127.0.0.1
	redir {site}{{uri}} 308
}}
"""
