"""Recurring expenses in a real browser: set up on its page, today's occurrence is logged at
once as an ordinary expense that names its schedule and links to it; paused, resumed, deleted
(the expense it logged stays)."""
import datetime
import re

from playwright.sync_api import expect

from journeys import create_organization, register


def test_a_schedule_logs_its_occurrence_and_links_back(server, new_page):
    olga = new_page()
    register(olga, "Olga Owner", "olga@example.org")
    org = create_organization(olga, "Harbour Cooperative")
    olga.goto(f"/orgs/{org}/recurring")
    olga.get_by_label("Amount", exact=True).fill("950.00")
    olga.get_by_label("Merchant", exact=True).fill("Harbour Lofts")
    olga.get_by_label("Repeats").select_option(label="Monthly")
    olga.get_by_label("Number of times (optional)").fill("12")
    olga.get_by_role("button", name="Set up recurring expense").click()
    expect(olga.get_by_role("status")).to_contain_text("Recurring expense set up.")
    row = olga.get_by_role("row").filter(has_text="Harbour Lofts")
    expect(row).to_contain_text("Every month from")
    expect(row).to_contain_text(", 12 times")
    expect(row).to_contain_text("Next on")

    # Today's occurrence is an ordinary expense, naming its schedule.
    olga.goto(f"/orgs/{org}/expenses")
    olga.get_by_role("link", name="Harbour Lofts", exact=True).click()
    expect(olga.locator("dl.facts")).to_contain_text("950.00")
    olga.get_by_role("link", name="a recurring expense").click()
    expect(olga.get_by_role("heading", name="Harbour Lofts")).to_be_visible()
    expect(olga.get_by_text("1 expense logged so far")).to_be_visible()

    olga.get_by_role("button", name="Pause").click()
    expect(olga.get_by_role("status")).to_have_text("Paused: nothing is logged until you resume it.")
    expect(olga.locator("dl.facts")).to_contain_text("Paused")
    olga.get_by_role("button", name="Resume").click()
    expect(olga.locator("dl.facts")).to_contain_text("Next on")
    olga.get_by_role("button", name="Delete recurring expense").click()
    expect(olga.get_by_role("status")).to_have_text("Recurring expense deleted. The expenses it logged stay.")

    olga.goto(f"/orgs/{org}/expenses")
    olga.get_by_role("link", name="Harbour Lofts", exact=True).click()
    expect(olga.get_by_text("Logged by a recurring expense since deleted.")).to_be_visible()
