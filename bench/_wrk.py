"""The same pages timed with wrk (a C client): one signed-in person's session cookie, behind a
pretend TLS proxy (X-Forwarded-Proto: https), each page between two runs of the floor view.

The Python client spends about as much CPU per request as the server on two cores, which pulls
every page's share of the floor view toward 100%; wrk spends almost none, so its shares are
the honest ones (issue 18).
"""

import re
import shutil
import subprocess
from dataclasses import dataclass

WRK = "wrk"
TARGET_SHARE_OF_FLOOR = 0.3


@dataclass
class WrkResult:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int
    floor_rps: float | None = None

    @property
    def share(self) -> float | None:
        return self.rps / self.floor_rps if self.floor_rps else None


def available() -> bool:
    return shutil.which(WRK) is not None


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _percentile(out: str, p: int) -> float:
    """A line of wrk's latency distribution ("    50%  430.22ms"), not a "78.50%" elsewhere."""
    return _ms(re.search(rf"^\s+{p}%\s+(\S+)$", out, re.MULTILINE).group(1))


def run_wrk(url: str, cookie: str, *, seconds: int, connections: int, name: str) -> WrkResult:
    command = [WRK, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-H", f"Cookie: {cookie}", "-H", "X-Forwarded-Proto: https", url]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    return WrkResult(name, rps, _percentile(out, 50), _percentile(out, 99), requests,
                     (int(bad.group(1)) if bad else 0)
                     + (sum(int(n) for n in errors.groups()) if errors else 0))


def measure_pages(base: str, pages: list[tuple[str, str, str]], *, seconds: int,
                  connections: int) -> list[WrkResult]:
    """pages: [(name, path, cookie)]; the first is the floor view. Every other page is run
    between two runs of the floor view (with the same cookie) and compared with their mean."""
    floor_name, floor_path, floor_cookie = pages[0]
    results = [run_wrk(base + floor_path, floor_cookie, seconds=seconds,
                       connections=connections, name=floor_name)]
    before = results[0].rps
    for name, path, cookie in pages[1:]:
        result = run_wrk(base + path, cookie, seconds=seconds, connections=connections,
                         name=name)
        after = run_wrk(base + floor_path, cookie, seconds=seconds, connections=connections,
                        name=floor_name).rps
        result.floor_rps = (before + after) / 2
        before = after
        results.append(result)
        print(f"  wrk {name}: {result.rps:.0f} req/s, floor around it "
              f"{result.floor_rps:.0f} req/s ({result.share:.0%}), {result.bad} bad",
              flush=True)
    return results


def table(results: list[WrkResult]) -> str:
    lines = [f"{'page (wrk)':44} {'requests':>8} {'bad':>5} {'req/s':>8} {'p50 ms':>7} "
             f"{'p99 ms':>7} {'floor req/s':>11} {'share':>6}"]
    for r in results:
        floor = f"{r.floor_rps:11.1f}" if r.floor_rps else "          -"
        share = f"{r.share:6.0%}" if r.share is not None else "     -"
        lines.append(f"{r.name:44} {r.requests:8d} {r.bad:5d} {r.rps:8.1f} {r.p50_ms:7.1f} "
                     f"{r.p99_ms:7.1f} {floor} {share}")
    return "\n".join(lines)


def misses(results: list[WrkResult]) -> list[str]:
    out = []
    for r in results:
        if r.bad:
            out.append(f"wrk {r.name}: {r.bad} bad responses or socket errors")
        if r.share is not None and r.share < TARGET_SHARE_OF_FLOOR:
            out.append(f"wrk {r.name}: {r.share:.0%} of the floor view "
                       f"(target {TARGET_SHARE_OF_FLOOR:.0%})")
    return out
