"""The role a suggested message names comes from what the mail says, never a raw subject."""

from __future__ import annotations

import pytest

from watcher.drafting import guess_role


@pytest.mark.parametrize(
    ("texts", "role"),
    [
        (["Data Analyst role at Northwind - quick chat?"], "Data Analyst"),
        (["Application received: Junior Data Scientist"], "Junior Data Scientist"),
        (["Interview confirmation - Business Analyst"], "Business Analyst"),
        (["Offer - Data Analyst, Northwind Analytics"], "Data Analyst"),
        (["We received your application for Operations Analyst. Our team"], "Operations Analyst"),
        (["speaking with you about the Product Analyst role."], "Product Analyst"),
        (["Your interview with Orchard Labs", "for the Staff Engineer position"], "Staff Engineer"),
        (["Your interview with Orchard Labs", "Thanks for your time today!"], ""),
        ([], ""),
    ],
    ids=["subject-role-at", "ats-received", "interview-dash", "offer-dash", "application-for",
         "about-the-role", "later-text", "none-named", "nothing"],
)  # fmt: skip
def test_guess_role(texts: list[str], role: str) -> None:
    assert guess_role(texts) == role
