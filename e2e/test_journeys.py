"""The journeys of the people who use the product, in a real browser, by labels and names."""
import re

from playwright.sync_api import expect

from journeys import (
    add_expense, confirm_email, create_organization, invite, join_from_invitation, log_out, register,
)


def test_register_log_an_expense_see_it_report_export_and_log_out(server, new_page):
    # With JavaScript off: the pages need none.
    page = new_page(accept_downloads=True, javascript=False)
    register(page, "Rita Rivera", "rita@example.org")
    # Lands on the dashboard of her personal organization.
    expect(page).to_have_url(re.compile(r"/orgs/[0-9a-f-]{36}/dashboard$"))
    expect(page.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No expenses yet.")).to_be_visible()

    add_expense(page, "12.5", "Meals", "Café Central", "lunch, team")
    row = page.get_by_role("row").filter(has_text="Café Central")
    expect(row).to_contain_text("$12.50")  # the currency's sign and its own two decimals
    expect(row).to_contain_text("Meals")

    page.get_by_role("link", name="Dashboard").click()
    month = page.get_by_role("region", name=re.compile(r"\w+ \d{4}"))
    expect(month).to_contain_text("$12.50")
    expect(page.get_by_role("region", name="Latest expenses")).to_contain_text("Café Central")

    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Totals")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of the expenses").click()
    csv = open(download.value.path(), encoding="utf-8-sig").read()
    assert csv.splitlines()[0].startswith("date,amount,currency,category,merchant")
    assert "12.50,USD,Meals,Café Central" in csv

    log_out(page)
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_an_invited_member_logs_an_expense_and_the_owner_sees_it(server, smtp, new_page):
    owner = new_page()
    register(owner, "Olga Owner", "olga@example.org")
    confirm_email(owner, smtp, server.base_url, "olga@example.org")
    org = create_organization(owner, "Harbour Cooperative")
    invite(owner, "mika@example.org", "member")

    member = new_page()
    link = smtp.wait_for("mika@example.org", "invited you").link(server.base_url)
    join_from_invitation(member, link, "Harbour Cooperative", "Mika Member")
    add_expense(member, "40", "Office supplies", "Paper & Ink Ltd")

    owner.goto(f"/orgs/{org}/expenses")
    row = owner.get_by_role("row").filter(has_text="Paper & Ink Ltd")
    expect(row).to_contain_text("Mika Member")
    expect(row).to_contain_text("40.00")
    # The member may change their own expense, not the owner's view of others' rights.
    expect(row.get_by_role("link", name=re.compile("^Edit"))).to_be_visible()


def test_a_viewer_sees_no_edit_controls_and_a_forged_post_is_refused(server, smtp, new_page):
    owner = new_page()
    register(owner, "Olga Owner", "olga@example.org")
    confirm_email(owner, smtp, server.base_url, "olga@example.org")
    org = create_organization(owner, "City School", kind="School")
    owner.get_by_role("link", name="Dashboard").click()
    add_expense(owner, "99.90", "Books", "Maps Inc")
    invite(owner, "vera@example.org", "viewer")

    viewer = new_page()
    link = smtp.wait_for("vera@example.org", "invited you").link(server.base_url)
    join_from_invitation(viewer, link, "City School", "Vera Viewer")

    viewer.goto(f"/orgs/{org}/dashboard")
    expect(viewer.get_by_role("region", name="Latest expenses")).to_contain_text("Maps Inc")
    expect(viewer.get_by_role("link", name="Add expense")).to_have_count(0)
    viewer.get_by_role("link", name="Expenses", exact=True).click()
    expect(viewer.get_by_role("row").filter(has_text="Maps Inc")).to_be_visible()
    expect(viewer.get_by_role("link", name=re.compile("^(Edit|Delete)"))).to_have_count(0)
    expect(viewer.get_by_role("link", name="Add expense")).to_have_count(0)

    # A forged form post from the viewer's own signed-in browser, with its valid CSRF token.
    token = viewer.locator("input[name=_csrf]").first.get_attribute("value")
    forged = viewer.request.post(
        f"/orgs/{org}/expenses",
        form={"_csrf": token, "amount": "5.00", "currency": "EUR", "date": "2026-11-01", "merchant": "Forged"},
        headers={"Origin": server.base_url}, max_redirects=0)
    assert forged.status == 403, forged.status
    viewer.goto(f"/orgs/{org}/expenses/new")
    expect(viewer.get_by_role("heading", level=1)).to_have_text("Not allowed")

    owner.goto(f"/orgs/{org}/expenses")
    expect(owner.get_by_role("row").filter(has_text="Forged")).to_have_count(0)
