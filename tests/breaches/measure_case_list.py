"""Measure report submission and the handler pages on a throwaway database (not a test).

    export PORTAL_VAR_DIR=/tmp/measure DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=testserver \
           SECRET_KEY=measure-only-secret-key-measure-only-secret-key-0123456789 \
           ACK_CHAIN_KEY=measure-only-chain-key-measure-only-chain-key-0123456789
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py collectstatic --noinput
    .venv/bin/python manage.py shell -c "exec(open('tests/breaches/measure_case_list.py').read())"

Creates 1,000 reports (once), then times each page five times for the CEO and a Principal.
"""
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from breaches import services
from breaches.models import Case

teacher = User.objects.get(email="teacher.northfield@trust.example")
others = list(User.objects.filter(role="staff").exclude(pk=teacher.pk))
n = 0 if Case.objects.count() > 1000 else 1000
start = time.perf_counter()
for i in range(n):
    services.report_submit(reporter=teacher, data={
        "concerned": others[i % len(others)], "platform": "facebook", "seen_at": timezone.now(),
        "description": f"Measured report {i}"})
elapsed = time.perf_counter() - start
print(f"report_submit: {n} reports in {elapsed:.1f} s ({elapsed / max(n, 1) * 1000:.1f} ms each)")
print("cases in all:", Case.objects.count())
for email in ("ceo@trust.example", "principal.northfield@trust.example"):
    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)
    s = client.session
    s["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    s["account_authentication_methods_user"] = str(user.pk)
    s.save()
    urls = ("/reports/cases/", "/reports/cases/?state=all&overdue=1", "/",
            "/reports/cases/register.csv",
            f"/reports/cases/{Case.objects.filter(handler=user).first().pk}/")
    for url in urls:
        client.get(url)
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as q:
                t = time.perf_counter()
                r = client.get(url)
                times.append(time.perf_counter() - t)
        median = sorted(times)[2] * 1000
        print(f"{email.split('@')[0]:28} {url:45} {r.status_code} median {median:.0f} ms, "
              f"{len(q)} queries")
