"""Steps a person takes, by visible labels and button names, shared by the journeys."""
import re

from playwright.sync_api import expect

PASSWORD = "correct horse battery staple"


def register(page, name, email, password=PASSWORD):
    page.goto("/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()


def log_in(page, email, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page):
    # "Log out" sits in the menu under the person's name in the header.
    page.locator("details.account-menu > summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def organization_id(page):
    match = re.search(r"/orgs/([0-9a-f-]{36})", page.url)
    assert match, f"not on an organization page: {page.url}"
    return match.group(1)


def confirm_email(page, smtp, base_url, address):
    """Opens the emailed confirmation link and confirms (inviting others needs it)."""
    page.goto(smtp.wait_for(address, "Confirm your email").link(base_url))
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("status")).to_have_text("Thank you: your email address is confirmed.")


def add_expense(page, amount, category, merchant, tags=""):
    page.get_by_role("link", name="Add expense").first.click()
    page.get_by_label("Amount").fill(amount)
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Merchant").fill(merchant)
    page.get_by_label("Tags").fill(tags)
    page.get_by_role("button", name="Add expense").click()
    expect(page.get_by_role("status")).to_have_text("Expense added.")


def create_organization(page, name, kind=None):
    """Creates an organization from the organizations page; returns its id."""
    page.goto("/orgs")
    page.get_by_label("Name").fill(name)
    if kind:
        page.get_by_label("Kind").select_option(label=kind)
    page.get_by_role("button", name="Create organization").click()
    return organization_id(page)


def invite(page, email, role):
    """Sends an invitation from the organization's Members tab."""
    page.get_by_role("link", name="Members").click()
    form = page.get_by_role("region", name="Invite someone")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Role").select_option(role)
    form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_have_text("The invitation is on its way.")


def join_from_invitation(page, link, organization, name, password=PASSWORD):
    """Opens an emailed invitation, creates an account from it, and accepts."""
    page.goto(link)
    expect(page.get_by_role("heading", name=f"Join {organization}")).to_be_visible()
    page.get_by_role("link", name="create an account").click()
    # The token waits in a cookie: the register page's address (and so any Referer) lacks it.
    assert "token" not in page.url, page.url
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("button", name=f"Accept and join {organization}").click()
    expect(page.get_by_role("heading", name=organization, level=1)).to_be_visible()
    # Registering from the invitation proved the address: nothing asks to confirm it.
    expect(page.get_by_text("Confirm your email address")).to_have_count(0)
