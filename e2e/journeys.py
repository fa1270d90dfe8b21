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
