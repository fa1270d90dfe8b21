"""Two-factor sign-in and API tokens in a real browser against the built server: the enrolment
page's QR code read by zbar as a phone would, codes from an independent implementation (pyotp),
the second step of signing in with a code and with a recovery code, a replayed code refused,
and a personal access token made, held to its scope and revoked on the page."""
import re
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
from playwright.sync_api import expect

from harness import api_call as api
from journeys import PASSWORD, log_in, log_out, register


def next_code(totp, used):
    """The app's code once it is not one already used (codes change every 30 seconds)."""
    deadline = time.monotonic() + 35
    while totp.now() in used:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    return totp.now()


def enter_code(page, code):
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Verify").click()


def test_enrol_by_scanning_sign_in_with_codes_and_manage_tokens(server, new_page, tmp_path):
    page = new_page()
    register(page, "Tess Twofactor", "tess@example.org")
    page.goto("/settings/security")
    page.get_by_role("button", name="Set up two-factor sign-in").click()

    # The phone's view: zbar reads the QR code off the rendered page.
    image = tmp_path / "qr.png"
    page.locator("figure.qr svg").screenshot(path=str(image))
    uri = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True,
                         check=True).stdout.strip()
    totp = pyotp.parse_uri(uri)
    assert uri.startswith("otpauth://totp/") and totp.issuer == "ExpenseTracker"
    assert totp.secret == page.locator("#totp-secret").inner_text()

    page.get_by_label("Code from your app").fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("#confirm-error")).to_be_visible()
    used = {totp.now()}
    page.get_by_label("Code from your app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is on")
    recovery = page.locator("ol.recovery-codes li").all_inner_texts()
    assert len(recovery) == 10 and len(set(recovery)) == 10

    # Signing in now takes a second step: a recovery code works once.
    log_out(page)
    log_in(page, "tess@example.org")
    enter_code(page, recovery[0])
    expect(page.locator("details.account-menu")).to_be_visible()
    log_out(page)
    log_in(page, "tess@example.org")
    enter_code(page, recovery[0])
    expect(page.get_by_role("alert")).to_contain_text("not right, or was used already")

    # A fresh code from the app signs in; the same code again is refused (here through the API).
    code = next_code(totp, used)
    used.add(code)
    enter_code(page, code)
    expect(page.locator("details.account-menu")).to_be_visible()
    status, problem = api(server, "POST", "/api/v1/auth/login", body={"email": "tess@example.org", "password": PASSWORD})
    assert status == 401 and problem["type"] == "/problems/second-factor-required"
    status, problem = api(server, "POST", "/api/v1/auth/login/totp", body={"mfa_token": problem["mfa_token"], "code": code})
    assert status == 401 and problem["type"] == "/problems/invalid-second-factor"

    # A read-only personal access token: shown once, reads, writes nothing, revoked on the page.
    page.goto("/settings/security")
    page.get_by_label("Token name").fill("Spreadsheet sync")
    page.get_by_label("Access").select_option(label="Read only")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    status, orgs = api(server, "GET", "/api/v1/orgs", token)
    assert status == 200 and orgs["items"]
    org = orgs["items"][0]["id"]
    status, problem = api(server, "POST", f"/api/v1/orgs/{org}/expenses", token, {"amount": "3.00", "date": "2026-11-02"})
    assert status == 403 and problem["type"] == "/problems/insufficient-scope"
    page.goto("/settings/security")
    assert page.locator("#new-token").count() == 0
    row = page.get_by_role("row", name="Spreadsheet sync")
    expect(row).to_contain_text("Read only")
    row.get_by_role("button", name="Revoke Spreadsheet sync").click()
    expect(page.get_by_role("status")).to_contain_text("The token was revoked")
    assert api(server, "GET", "/api/v1/orgs", token)[0] == 401

    # Turning it off takes a code; then the password alone signs in again.
    page.get_by_label("Code from your app, or a recovery code").fill(recovery[1])
    page.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is off")
    log_out(page)
    log_in(page, "tess@example.org")
    expect(page.locator("details.account-menu")).to_be_visible()


def test_an_organization_that_requires_it_leads_members_to_enrol(server, smtp, new_page):
    member = new_page()
    register(member, "Mo Member", "mo@example.org")
    api(server, "POST", "/api/v1/auth/register", body={"email": "olu@example.org", "password": PASSWORD, "name": "Olu"})
    link = smtp.wait_for("olu@example.org", "Confirm your email").link(server.base_url)
    assert api(server, "POST", "/api/v1/auth/verify", body={"token": parse_qs(urlsplit(link).query)["token"][0]})[0] == 204
    _, login = api(server, "POST", "/api/v1/auth/login", body={"email": "olu@example.org", "password": PASSWORD})
    token = login["token"]
    _, begun = api(server, "POST", "/api/v1/me/totp", token)
    totp = pyotp.parse_uri(begun["otpauth_uri"])
    assert api(server, "POST", "/api/v1/me/totp/confirm", token, {"code": totp.now()})[0] == 200
    status, org = api(server, "POST", "/api/v1/orgs", token,
                      {"name": "Strict Co-op", "kind": "cooperative", "currency": "EUR", "timezone": "Europe/Lisbon",
                       "require_second_factor": True})
    assert status == 201 and org["require_second_factor"] is True
    assert api(server, "POST", f"/api/v1/orgs/{org['id']}/invitations", token,
               {"email": "mo@example.org", "role": "member"})[0] == 201
    member.goto(smtp.wait_for("mo@example.org", "invited you to Strict Co-op").link(server.base_url))
    member.get_by_role("button", name="Accept and join Strict Co-op").click()

    # Mo is a member, and the organization's pages send him to set up two-factor sign-in first.
    expect(member).to_have_url(re.compile(r"/settings/security\?required=1$"))
    expect(member.get_by_role("alert")).to_contain_text("requires two-factor sign-in")
    _, mo_login = api(server, "POST", "/api/v1/auth/login", body={"email": "mo@example.org", "password": PASSWORD})
    status, problem = api(server, "GET", f"/api/v1/orgs/{org['id']}/expenses", mo_login["token"])
    assert status == 403 and problem["type"] == "/problems/second-factor-enrolment-required"

    member.get_by_role("button", name="Set up two-factor sign-in").click()
    app = pyotp.TOTP(member.locator("#totp-secret").inner_text())
    member.get_by_label("Code from your app").fill(app.now())
    member.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(member.get_by_role("status")).to_contain_text("Two-factor sign-in is on")
    member.goto(f"/orgs/{org['id']}/expenses")
    expect(member).to_have_url(re.compile(r"/expenses$"))
    expect(member.get_by_role("heading", name="Strict Co-op", level=1)).to_be_visible()
