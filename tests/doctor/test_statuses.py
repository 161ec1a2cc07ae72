"""The HTTP status a report states, in a client's form or in prose, and never a count."""

from __future__ import annotations

import pytest

from oauth_wizard.doctor import statuses


@pytest.mark.parametrize(("text", "status"), [
    ("HTTP/1.1 403 Forbidden", 403),
    ("status code: 400", 400),
    ("[429] {\"errors\": []}", 429),
    ("getting a 403 error on getOrders", 403),
    ("404 response from getPricing", 404),
    ("getPricing returns 404 for valid ASINs", 404),
    ("the endpoint responds with 403", 403),
    ("Forbidden (403)", 403),
    ("error 503 from the sandbox", 503),
])
def test_a_stated_status_is_read(text, status):
    assert status in [s for s, _ in statuses.stated(text)]


@pytest.mark.parametrize("text", [
    "getOrders returns 400 items per page",
    "we have 403 orders today",
    "ASIN B00403XYZ is missing",
    "it got 500 ms slower",
    "returns 404.5",
])
def test_a_number_that_is_not_a_status_is_not_read(text):
    assert statuses.stated(text) == []


def test_the_words_that_said_it_are_kept_and_the_count_is_bounded():
    found = statuses.stated("a 403 error " * 30)
    assert len(found) == statuses.MAX_FOUND and found[0] == (403, "403 error")
