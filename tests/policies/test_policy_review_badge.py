"""The "Policy reviews" badge counts overdue reviews the same way on every page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from policies.models import Policy


@pytest.fixture
def reviews(db):
    today = timezone.localdate()
    for slug, days in [("overdue-a", -30), ("overdue-b", -1), ("due-today", 0), ("soon", 10),
                       ("later", 200)]:
        Policy.objects.create(title=slug.title(), slug=slug,
                              next_review_due=today + datetime.timedelta(days=days))
    Policy.objects.create(title="Undated", slug="undated")


def review_badge(page: str) -> str | None:
    link = re.escape(reverse("policies:review_board"))
    found = re.search(rf'href="{link}">Policy reviews(?: <span class="badge"[^>]*>(\d+)<)?',
                      page)
    assert found, "no Policy reviews link"
    return found.group(1)


@pytest.mark.parametrize("name", ["hr", "ceo", "board"])
def test_the_review_badge_counts_overdue_reviews_on_the_home_page_and_elsewhere(
        client_as, org, reviews, name):
    client = client_as(name)
    on_home = client.get(reverse("home")).content.decode()
    elsewhere = client.get(reverse("policies:policy_list")).content.decode()
    assert review_badge(on_home) == review_badge(elsewhere) == "2"


def test_the_review_badge_is_left_off_when_nothing_is_overdue(client_as, org):
    Policy.objects.create(title="Fresh", slug="fresh",
                          next_review_due=timezone.localdate() + datetime.timedelta(days=5))
    client = client_as("hr")
    assert review_badge(client.get(reverse("home")).content.decode()) is None
    assert review_badge(client.get(reverse("policies:policy_list")).content.decode()) is None
