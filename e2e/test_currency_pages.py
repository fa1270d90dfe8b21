"""Currencies on the pages, in a real browser, on the embedded SQLite store and on PostgreSQL:
an expense in dollars waits for a rate, the ECB's file imported on the rates page converts it,
an expense in yen is converted at the rate typed with it, and the reports page and the dashboard
total both in the organization's currency."""
import pytest
from playwright.sync_api import expect

from harness import Server
from loadrun import Stack
from journeys import organization_id, register

# The ECB's historical CSV, cut to one day: 1 EUR = 1.05 USD = 160.5 JPY.
ECB_FILE = b"Date,USD,JPY,\n2026-12-01,1.05,160.5,\n"


@pytest.fixture(params=["sqlite", "postgres"])
def server(request, smtp):
    """This module's server: the built binary on each database in turn."""
    if request.param == "sqlite":
        app = Server(smtp)
        yield app
        app.stop()
        return
    stack = Stack(cluster=request.getfixturevalue("pg_cluster"), smtp=smtp)
    yield stack.server
    stack.server.stop()
    stack.close()


def add_foreign_expense(page, org, amount, currency, merchant, rate=None):
    page.goto(f"/orgs/{org}/expenses/new")
    page.get_by_label("Amount").fill(amount)
    page.get_by_label("Currency").fill(currency)
    page.get_by_label("Merchant").fill(merchant)
    if rate is not None:
        page.get_by_text("In another currency than EUR? Its rate").click()
        page.get_by_label("Rate (EUR for 1 unit)").fill(rate)
    page.get_by_role("button", name="Add expense").click()
    expect(page.get_by_role("status")).to_have_text("Expense added.")


def test_foreign_expenses_are_converted_and_totalled_in_the_base_currency(server, new_page):
    olga = new_page()
    register(olga, "Olga Owner", "olga@example.org")
    olga.goto("/orgs")
    olga.get_by_label("Name").fill("Harbour Cooperative")
    olga.get_by_label("Currency").fill("EUR")
    olga.get_by_role("button", name="Create organization").click()
    org = organization_id(olga)
    olga.goto(f"/orgs/{org}/dashboard")

    # Dollars with no rate yet: the list says the expense waits for one.
    add_foreign_expense(olga, org, "21.00", "USD", "Diner NYC")
    row = olga.get_by_role("row").filter(has_text="Diner NYC")
    expect(row).to_contain_text("$21.00")
    expect(row).to_contain_text("not yet in EUR: waiting for a rate")

    # The rates page names what waits, and the ECB's file converts it: 21 / 1.05 = 20.00.
    olga.get_by_role("link", name="Rates").click()
    expect(olga.get_by_role("listitem").filter(has_text="1 expense in USD")).to_be_visible()
    olga.get_by_label("eurofxref file").set_input_files(
        files=[{"name": "eurofxref-hist.csv", "mimeType": "text/csv", "buffer": ECB_FILE}])
    olga.get_by_role("button", name="Import rates").click()
    expect(olga.get_by_role("status")).to_have_text(
        "Imported 2 rates in 2 currencies for 1 Dec 2026 to 1 Dec 2026; 1 expense converted.")
    current = olga.get_by_role("table").first
    expect(current.get_by_role("row").filter(has_text="USD")).to_contain_text("0.952380952381")
    expect(current.get_by_role("row").filter(has_text="JPY")).to_contain_text("0.00623052959502")
    olga.goto(f"/orgs/{org}/expenses")
    olga.get_by_role("link", name="Diner NYC", exact=True).click()
    expect(olga.locator("dl.facts")).to_contain_text("$21.00 (€20.00)")

    # Yen at the rate paid, typed with the expense: 3,000 × 0.0062 = 18.60.
    add_foreign_expense(olga, org, "3000", "JPY", "Ramen Bar", rate="0.0062")
    expect(olga.get_by_role("row").filter(has_text="Ramen Bar")).to_contain_text("€18.60")

    # A rate set by hand.
    olga.goto(f"/orgs/{org}/rates")
    olga.get_by_label("Currency", exact=True).fill("GBP")
    olga.get_by_label("EUR per 1 unit").fill("1.17")
    olga.get_by_role("button", name="Save rate").click()
    expect(olga.get_by_role("status")).to_have_text("Rate saved.")
    expect(olga.get_by_role("table").first.get_by_role("row").filter(has_text="GBP")).to_contain_text("1.17")

    # The reports page all in euros, and the dashboard's month.
    olga.goto(f"/orgs/{org}/reports")
    olga.get_by_label("Amounts").select_option(label="All in EUR")
    olga.get_by_role("button", name="Show").click()
    expect(olga.get_by_text("Whole range:")).to_contain_text("€38.60 across 2 expenses")
    olga.goto(f"/orgs/{org}/dashboard")
    expect(olga.locator(".in-base")).to_have_text("All in EUR: €38.60")
