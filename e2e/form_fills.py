"""How the forms tour fills each kind of form: the `fill` and `after` steps its recipes name
(forms.py lists the recipes and runs the tour)."""
import datetime
import re

import pyotp

from playwright.sync_api import expect

from journeys import log_in


def _relogin(tour, person, page):
    # One log-in per page toured signed in: well below the 30 per address in ten minutes.
    log_in(page, person.email, person.password)
    expect(page.locator("details.account-menu")).to_be_visible()


def _fields(**values):
    """Fills labelled fields; a list value picks a select option by its label."""
    def fill(tour, person, form, button):
        for label, value in values.items():
            field = form.get_by_label(label.replace("_", " "), exact=True)
            field.select_option(label=value[0]) if isinstance(value, list) else field.fill(value)
    return fill


def _account(tour, person, form, button):
    """Name (registering), email and password of the person."""
    for label, value in (("Your name", person.name), ("Email", person.email), ("Password", person.password)):
        if form.get_by_label(label, exact=True).count():
            form.get_by_label(label, exact=True).fill(value)


def _change_password(tour, person, form, button):
    form.get_by_label("Current password").fill(person.password)
    person.password = f"a brand new passphrase {len(tour.submitted)}"
    form.get_by_label("New password").fill(person.password)


def _totp_code(tour, person, form, button):
    """The code an authenticator app shows for the key the page offers to type."""
    form.get_by_label("Code from your app").fill(pyotp.TOTP(form.page.locator("#totp-secret").inner_text()).now())


def _keep_recovery_codes(tour, person, page):
    person.recovery = page.locator("ol.recovery-codes li").all_inner_texts()


def _recovery_code(tour, person, form, button):
    form.get_by_label("Code from your app, or a recovery code").fill(person.recovery.pop())


def _endpoint(tour, person, form, button):
    form.get_by_label("Endpoint URL").fill("http://127.0.0.1:9/hooks")
    form.get_by_label("expense.created").check()


def _reset_password(tour, person, form, button):
    person.password = f"a brand new passphrase {len(tour.submitted)}"
    form.get_by_label("New password").fill(person.password)


def _expense(tour, person, form, button):
    tour.expenses += 1
    form.get_by_label("Amount").fill(f"{tour.expenses * 7}.25")
    form.get_by_label("Category").select_option(label="Meals")
    form.get_by_label("Merchant").fill(f"Café number {tour.expenses}")
    form.get_by_label("Note").fill("Lunch with the team")
    form.get_by_label("Tags").fill("team, lunch")


def _receipt(tour, person, form, button):
    """A small file with a JPEG's signature: the server decides the kind from those bytes."""
    form.get_by_label("Add receipt").set_input_files(
        files=[{"name": "ticket.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0" + bytes(2000)}])


RATE_FILE = b"Date, USD, GBP, \n05 January 2024, 1.0921, 0.86145, \n"


def _rate_file(tour, person, form, button):
    """The ECB's daily CSV as it publishes it, cut to two currencies."""
    form.get_by_label("eurofxref file").set_input_files(
        files=[{"name": "eurofxref.csv", "mimeType": "text/csv", "buffer": RATE_FILE}])


BANK_FILE = b"Date,Amount,Payee\n2026-01-05,-4.20,Corner Bakery\n2026-01-06,250.00,Refund\n"


def _import_file(tour, person, form, button):
    """A bank's CSV of two rows (one money in), checked by a dry run as the form starts."""
    form.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "bank.csv", "mimeType": "text/csv", "buffer": BANK_FILE}])
    _fields(Date_column="Date", Merchant_column="Payee")(tour, person, form, button)
    form.get_by_label("Amount column (money out negative)").fill("Amount")


def _filter(tour, person, form, button):
    form.locator("xpath=ancestor::details/summary").click()
    _fields(From="2020-01-01", To=datetime.date.today().isoformat(), Minimum_amount="1")(tour, person, form, button)


def _report(tour, person, form, button):
    today = datetime.date.today()
    _fields(Period=["Month"], From=today.replace(month=1, day=1).isoformat(), To=today.isoformat(),
            Group_by=["Category"])(tour, person, form, button)


def _rename(tour, person, form, button):
    field = form.get_by_role("textbox")
    field.fill(field.input_value() + " and more")


def _role(tour, person, form, button):
    select = form.get_by_role("combobox")
    select.select_option("finance" if select.input_value() != "finance" else "member")


def _invite(tour, person, form, button):
    tour.recipient = f"guest{len(tour.submitted)}@example.org"
    form.get_by_label("Email").fill(tour.recipient)
    form.get_by_label("Role").select_option("member")


def _resend_invitation(tour, person, form, button):
    tour.recipient = button.removeprefix("Resend to ")


def _confirm_name(tour, person, form, button):
    form.get_by_label("Type the organization's name to confirm").fill(form.page.locator("h1").inner_text())


def _newest_verification(tour, person):
    return tour.live_confirmation_link(person.email)


def _remember_org(tour, person, page):
    tour.orgs.append(re.search(r"/orgs/([0-9a-f-]{36})", page.url).group(1))


def _start_claim(tour, person, form, button):
    """A title and the first unclaimed expense ticked."""
    form.get_by_label("Title").fill(f"Claim number {len(tour.submitted)}")
    boxes = form.locator("input[name='expense_ids[]']")
    if boxes.count():
        boxes.first.check()


def _remember_claim(tour, person, page):
    tour.claims.append(page.url.split("?")[0])


def _rename_claim(tour, person, form, button):
    field = form.get_by_label("Title")
    field.fill(field.input_value() + " (revised)")


def _reject_claim(tour, person, form, button):
    form.get_by_role("textbox").fill("Add the ticket, please.")


def _pay_claims(tour, person, form, button):
    form.locator("input[name='claim_ids[]']").first.check()
    form.get_by_label("Reference").fill("SEPA 42")
