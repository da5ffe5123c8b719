"""A small bounded asyncio + httpx load client: sign people in, time pages, summarise.

Loopback only: every client connects to 127.0.0.1 from its own loopback source address
(127.0.x.y), as people would from their own machines, so per-IP sign-in rate limits behave
as they do in production.
"""

import asyncio
import itertools
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignInFailed(RuntimeError):
    pass


def loopback_address(index: int) -> str:
    return f"127.0.{1 + index // 250}.{2 + index % 250}"


def totp_now(secret: str) -> str:
    import pyotp

    return pyotp.TOTP(secret).now()


def _keep_secure_cookies(client: httpx.AsyncClient) -> None:
    """The portal marks its cookies Secure; here TLS ends at the (pretend) proxy, so the client
    must send them over the plain loopback connection."""

    async def hook(response: httpx.Response) -> None:
        for cookie in client.cookies.jar:
            cookie.secure = False

    client.event_hooks["response"] = [hook]


def proxy_headers(base_url: str) -> dict[str, str]:
    """What a TLS-terminating proxy in front of gunicorn adds (SECURE_PROXY_SSL_HEADER), and
    the https Referer a browser sends, which Django's CSRF check requires on secure requests."""
    host = base_url.split("://", 1)[1].rstrip("/")
    return {"X-Forwarded-Proto": "https", "Referer": f"https://{host}/"}


def _csrf(html: str) -> str:
    match = CSRF_FIELD.search(html)
    if not match:
        raise SignInFailed("no CSRF token on the form")
    return match.group(1)


async def sign_in(base_url: str, email: str, password: str, *, index: int,
                  totp_secret: str = "", timeout: float = 60) -> httpx.AsyncClient:
    """A client with its own cookie jar and source address, signed in through the forms."""
    transport = httpx.AsyncHTTPTransport(local_address=loopback_address(index), retries=0)
    client = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout,
                               follow_redirects=False, headers=proxy_headers(base_url))
    _keep_secure_cookies(client)
    try:
        page = await client.get("/accounts/login/")
        response = await client.post("/accounts/login/", data={
            "login": email, "password": password, "csrfmiddlewaretoken": _csrf(page.text),
        })
        if response.status_code != 302:
            raise SignInFailed(f"{email}: sign-in answered {response.status_code}")
        location = response.headers["location"]
        if location.startswith("/accounts/2fa/authenticate/"):
            if not totp_secret:
                raise SignInFailed(f"{email}: asked for an authenticator code")
            page = await client.get(location)
            response = await client.post(location, data={
                "code": totp_now(totp_secret), "csrfmiddlewaretoken": _csrf(page.text),
            })
            if response.status_code != 302:
                raise SignInFailed(f"{email}: authenticator code refused "
                                   f"({response.status_code})")
        check = await client.get("/_bench/floor/")
        if check.status_code != 200:
            raise SignInFailed(f"{email}: not signed in after the forms ({check.status_code})")
        return client
    except BaseException:
        await client.aclose()
        raise


async def sign_in_many(base_url: str, emails: list[str], password: str, *, concurrency: int,
                       first_index: int = 0, totp_secret: str = "") -> list[httpx.AsyncClient]:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int, email: str) -> httpx.AsyncClient:
        async with gate:
            return await sign_in(base_url, email, password, index=first_index + i,
                                 totp_secret=totp_secret)

    return list(await asyncio.gather(*(one(i, e) for i, e in enumerate(emails))))


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    first_error: str = ""
    #: False for runs whose throughput says nothing about the page's cost (one in flight,
    #: people pausing between steps): no share of the floor view is shown for them.
    comparable: bool = True
    #: The floor view's throughput measured just before and just after this page (their
    #: mean): the share of the floor is taken against it, so drift of the machine between
    #: the start and the end of the run does not move it. With rounds, the floor's requests
    #: per second over the slices measured between the page's slices.
    floor_rps: float | None = None

    def share_of(self, floor: "Result | None") -> float | None:
        reference = self.floor_rps or (floor.rps if floor else None)
        return self.rps / reference if reference and self.comparable else None

    @property
    def completed(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1] * 1000


Request = Callable[[int], Awaitable[httpx.Response]]
Check = Callable[[httpx.Response], bool]


def _failed(result: Result, status, detail: str) -> None:
    result.statuses[status] += 1
    result.errors += 1
    result.first_error = result.first_error or detail


async def _timed(result: Result, request: Request, i: int, check: Check) -> None:
    """Request i: its latency if `check` accepts the answer, otherwise an error."""
    started = time.perf_counter()
    try:
        response = await request(i)
    except httpx.HTTPError as error:
        _failed(result, type(error).__name__, f"{type(error).__name__}: {error}")
        return
    if check(response):
        result.statuses[response.status_code] += 1
        result.latencies.append(time.perf_counter() - started)
    else:
        _failed(result, response.status_code,
                f"{response.status_code} {response.headers.get('location', '')}")


async def measure(name: str, request: Request, check: Check, *, total: int, concurrency: int,
                  max_seconds: float, first: int = 0, into: Result | None = None) -> Result:
    """Closed loop: `concurrency` requests in flight until `total` are done or time is up.
    Requests are numbered from `first`; ``into``: a result to add this slice to."""
    result = into or Result(name)
    counter = itertools.count(first)
    deadline = time.monotonic() + max_seconds

    async def worker() -> None:
        while time.monotonic() < deadline:
            i = next(counter)
            if i >= first + total:
                return
            await _timed(result, request, i, check)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed += time.perf_counter() - started
    return result


async def measure_users(name: str, prepare: Request, request: Request, check: Check, *,
                        total: int, users: int, think: tuple[float, float], max_seconds: float,
                        seed: int = 9) -> Result:
    """`users` people at once, each at human pace: open the page (`prepare`, not timed), spend
    `think` seconds on it (uniformly drawn), then submit (`request`, timed); then the next
    person takes their place, until `total` have submitted."""
    result = Result(name, comparable=False)
    counter = itertools.count()
    deadline = time.monotonic() + max_seconds
    pauses = random.Random(seed)

    async def person() -> None:
        while time.monotonic() < deadline:
            i = next(counter)
            if i >= total:
                return
            try:
                opened = await prepare(i)
            except httpx.HTTPError as error:
                _failed(result, type(error).__name__, f"opening the page: {error}")
                continue
            if opened.status_code != 200:
                _failed(result, opened.status_code,
                        f"opening the page answered {opened.status_code}")
                continue
            await asyncio.sleep(pauses.uniform(*think))
            await _timed(result, request, i, check)

    started = time.perf_counter()
    await asyncio.gather(*(person() for _ in range(users)))
    result.elapsed = time.perf_counter() - started
    return result


def table(results: list[Result], floor: Result | None) -> str:
    lines = [f"{'page':44} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} "
             f"{'p95 ms':>8} {'floor req/s':>11} {'vs floor':>9}"]
    for r in results:
        share = r.share_of(floor)
        ratio = f"{share:8.0%}" if share is not None else "       -"
        paired = f"{r.floor_rps:11.1f}" if r.floor_rps else "          -"
        lines.append(f"{r.name:44} {r.completed:8d} {r.errors:6d} {r.rps:8.1f} "
                     f"{r.percentile(50):8.1f} {r.percentile(95):8.1f} {paired} {ratio:>9}")
    return "\n".join(lines)
