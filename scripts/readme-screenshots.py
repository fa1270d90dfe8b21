#!/usr/bin/env python3
"""Takes the README's screenshots (docs/screenshots/) from the built server with realistic data:
a confirmed owner, a cooperative in EUR with this month's expenses in two currencies.

    swift build && python3 scripts/readme-screenshots.py

Uses the e2e harness (the built server on a fresh SQLite database, the SMTP test server) and
Chromium, as the browser tests do; `BIN` names another binary."""
import datetime
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from harness import SMTPServer, Server  # noqa: E402
from journeys import confirm_email, organization_id, register  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
EXPENSES = [  # amount as typed, currency, month (0 this one, -1 the last), category, merchant, tags
    ("980.00", "EUR", -1, "Travel", "Coastal Coaches", "trip"),
    ("€35.20", "EUR", -1, "Meals", "Café Central", "team"),
    ("1,249.99", "EUR", 0, "Travel", "Northern Rail & Sleeper Co", "trip client-x"),
    ("€86.40", "EUR", 0, "Supplies", "Harbour Hardware", ""),
    ("12.50", "EUR", 0, "Meals", "Café Central", "team"),
    ("420", "EUR", 0, "Rent", "Dockside Lettings", ""),
    ("¥3,200", "JPY", 0, "Meals", "Kissaten Blue", "trip"),
    ("64.90", "EUR", 0, "Events", "Print & Post", "open-day"),
]


def add(page, amount, currency, day, category, merchant, tags):
    page.get_by_role("link", name="Add expense").first.click()
    page.get_by_label("Amount").fill(amount)
    page.get_by_label("Currency").fill(currency)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Merchant").fill(merchant)
    page.get_by_label("Tags").fill(tags)
    page.get_by_role("button", name="Add expense").click()
    expect(page.get_by_role("status")).to_have_text("Expense added.")


def main():
    smtp = SMTPServer()
    app = Server(smtp)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            desktop = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=app.base_url)
            page = desktop.new_page()
            register(page, "Rita Rivera", "rita@example.org")
            confirm_email(page, smtp, app.base_url, "rita@example.org")
            page.goto("/orgs")
            page.get_by_label("Name").fill("Harbour Cooperative")
            page.get_by_label("Kind").select_option(label="Cooperative")
            page.get_by_label("Currency").fill("EUR")
            page.get_by_label("Time zone").fill("Europe/Lisbon")
            page.get_by_role("button", name="Create organization").click()
            org = organization_id(page)
            page.goto(f"/orgs/{org}/dashboard")
            today = datetime.date.today()
            last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
            for index, (amount, currency, month, category, merchant, tags) in enumerate(EXPENSES):
                # Spread over this month's days so far, and the same days of last month.
                first = today.replace(day=1) if month == 0 else last_month
                add(page, amount, currency, first.replace(day=1 + index % today.day), category, merchant, tags)
            OUT.mkdir(parents=True, exist_ok=True)
            page.goto(f"/orgs/{org}/dashboard")
            page.screenshot(path=str(OUT / "dashboard-desktop.png"), full_page=True)
            phone = browser.new_context(viewport={"width": 360, "height": 780}, base_url=app.base_url,
                                        storage_state=desktop.storage_state())
            small = phone.new_page()
            small.goto(f"/orgs/{org}/expenses")
            small.screenshot(path=str(OUT / "expenses-phone.png"), full_page=True)
            browser.close()
    finally:
        app.stop()
        smtp.stop()
    print("wrote", OUT / "dashboard-desktop.png", "and", OUT / "expenses-phone.png")


if __name__ == "__main__":
    main()
