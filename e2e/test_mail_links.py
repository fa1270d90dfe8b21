"""Every kind of mail goes out over real SMTP, and its link works end to end in a browser."""
from playwright.sync_api import expect

from journeys import (
    PASSWORD, confirm_email, create_organization, invite, join_from_invitation, log_in, log_out, register,
)


def test_welcome_and_verification_links(server, smtp, new_page):
    page = new_page()
    register(page, "Zoë Ødegård", "zoe@example.org")
    welcome = smtp.wait_for("zoe@example.org", "Welcome")
    assert "Hello Zoë Ødegård," in welcome.text
    verification = smtp.wait_for("zoe@example.org", "Confirm your email")
    # The welcome link opens the signed-in dashboard.
    page.goto(welcome.link(server.base_url))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("details.account-menu")).to_be_visible()  # signed in
    # The verification link shows a button; pressing it confirms the address.
    page.goto(verification.link(server.base_url))
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("status")).to_have_text("Thank you: your email address is confirmed.")
    # Used once: the same link says so on opening and offers nothing to press.
    page.goto(verification.link(server.base_url))
    expect(page.get_by_role("heading", name="Link invalid or expired")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm my email address")).to_have_count(0)


def test_forgotten_password_reset_from_the_emailed_link(server, smtp, new_page):
    page = new_page()
    register(page, "Ana", "ana@example.org")
    log_out(page)
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_role("button", name="Send reset link").click()
    reset = smtp.wait_for("ana@example.org", "Reset your ExpenseTracker password")
    page.goto(reset.link(server.base_url))
    page.get_by_label("New password").fill("a brand new passphrase 42")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("status")).to_have_text("Your password was changed. Log in with the new one.")
    changed = smtp.wait_for("ana@example.org", "password was changed")
    assert changed.link(server.base_url).endswith("/password/forgot")
    # The old password is refused, the new one works.
    log_in(page, "ana@example.org", PASSWORD)
    expect(page.get_by_role("alert")).to_be_visible()
    log_in(page, "ana@example.org", "a brand new passphrase 42")
    expect(page.locator("details.account-menu")).to_be_visible()  # signed in


def test_invitation_link_brings_a_new_person_in(server, smtp, new_page):
    owner = new_page()
    register(owner, "Olga Owner", "olga@example.org")
    confirm_email(owner, smtp, server.base_url, "olga@example.org")
    create_organization(owner, "Harbour Cooperative")
    invite(owner, "mika@example.org", "member")
    invitation = smtp.wait_for("mika@example.org", "invited you to Harbour Cooperative")
    assert "Olga Owner invited you to join Harbour Cooperative on ExpenseTracker as member." in invitation.text
    join_from_invitation(new_page(), invitation.link(server.base_url), "Harbour Cooperative", "Mika Member")
