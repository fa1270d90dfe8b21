"""Claims on the pages, in a real browser and with mail through a real SMTP server: a member
builds a claim from their unclaimed expenses and submits it, finance rejects it with a reason,
the member attaches the missing receipt and submits again, the owner approves from the queue,
finance pays it back from "To reimburse"; each step's mail arrives with a link to the claim.
The journey runs on the embedded SQLite store and on PostgreSQL."""
import pytest
from playwright.sync_api import expect

from conftest import screenshot
from harness import Server
from loadrun import Stack
from journeys import add_expense, confirm_email, create_organization, invite, join_from_invitation, receipt_jpeg, register


@pytest.fixture(params=["sqlite", "postgres"])
def server(request, smtp):
    """This module's server: the built binary on each database in turn (the pages read it)."""
    if request.param == "sqlite":
        app = Server(smtp)
        yield app
        app.stop()
        return
    stack = Stack(cluster=request.getfixturevalue("pg_cluster"), smtp=smtp)
    yield stack.server
    stack.server.stop()
    stack.close()


def start_claim(page, org, title):
    """Starts a claim on the claims page with every unclaimed expense ticked; lands on it."""
    page.goto(f"/orgs/{org}/claims")
    page.get_by_label("Title").fill(title)
    for box in page.locator("input[name='expense_ids[]']").all():
        box.check()
    page.get_by_role("button", name="Start claim").click()
    expect(page.get_by_role("status")).to_contain_text("Claim started.")


def test_member_approver_and_finance_move_a_claim(server, smtp, new_page):
    olga, fin, mia = new_page(), new_page(), new_page()
    register(olga, "Olga Owner", "olga@example.org")
    confirm_email(olga, smtp, server.base_url, "olga@example.org")
    org = create_organization(olga, "Harbour Cooperative")
    olga.goto(f"/orgs/{org}/settings")
    olga.get_by_label("Receipt required above").fill("50.00")
    olga.get_by_role("button", name="Save settings").click()
    expect(olga.get_by_role("status")).to_have_text("Settings saved.")
    invite(olga, "fin@example.org", "finance")
    join_from_invitation(fin, smtp.wait_for("fin@example.org", "invited you").link(server.base_url),
                         "Harbour Cooperative", "Fin Finance")
    invite(olga, "mia@example.org", "member")
    join_from_invitation(mia, smtp.wait_for("mia@example.org", "invited you").link(server.base_url),
                         "Harbour Cooperative", "Mia Member")

    # Mia's expenses: a dinner, a hotel over the receipt threshold, fuel on the company card.
    add_expense(mia, "32.00", "Meals", "Tasca do Zé")
    add_expense(mia, "180.00", "Travel", "Hotel Lisboa")
    mia.get_by_role("link", name="Add expense").first.click()
    mia.get_by_label("Amount").fill("60.00")
    mia.get_by_label("Merchant").fill("Fuel Station")
    mia.get_by_label("Paid by the company (a company card)").check()
    mia.get_by_role("button", name="Add expense").click()
    expect(mia.get_by_role("status")).to_have_text("Expense added.")

    mia.get_by_role("link", name="Claims").click()
    expect(mia.get_by_text("Hotel Lisboa")).to_be_visible()
    expect(mia.get_by_text("Fuel Station")).to_have_count(0)  # the company paid: never claimed
    start_claim(mia, org, "Lisbon trip")
    claim_url = mia.url.split("?")[0]
    mia.get_by_role("button", name="Submit for approval").click()
    # The hotel needs its receipt first: said on the page, and the claim stays a draft.
    expect(mia.get_by_role("alert")).to_contain_text("Hotel Lisboa")
    expect(mia.get_by_text("Receipt required")).to_be_visible()
    mia.goto(claim_url)
    mia.get_by_role("link", name="Hotel Lisboa").click()
    mia.get_by_label("Add receipt").set_input_files(
        files=[{"name": "hotel.jpg", "mimeType": "image/jpeg", "buffer": receipt_jpeg()}])
    mia.get_by_role("button", name="Upload receipt").click()
    expect(mia.get_by_role("status")).to_have_text("Receipt attached.")
    mia.goto(claim_url)
    mia.get_by_role("button", name="Submit for approval").click()
    expect(mia.get_by_role("status")).to_contain_text("Claim submitted")

    # Both approvers are told; finance rejects from the claim's own page, with the reason.
    submitted = smtp.wait_for("fin@example.org", "Mia Member submitted a claim")
    smtp.wait_for("olga@example.org", "Mia Member submitted a claim")
    assert submitted.link(server.base_url) == claim_url
    fin.goto(submitted.link(server.base_url))
    expect(fin.locator("ul.receipts img")).to_have_count(1)
    fin.get_by_role("button", name="Reject").click()  # no reason: the browser asks for one
    expect(fin.get_by_label("Why reject")).to_have_js_property("validity.valueMissing", True)
    fin.get_by_label("Why reject").fill("Split the dinner from the trip, please.")
    fin.get_by_role("button", name="Reject").click()
    expect(fin.get_by_role("status")).to_contain_text("Claim rejected")
    rejected = smtp.wait_for("mia@example.org", "was rejected")
    assert "Split the dinner from the trip, please." in rejected.text

    # Mia takes the dinner out and submits again; the owner approves from the queue.
    mia.goto(rejected.link(server.base_url))
    expect(mia.locator("dl.facts")).to_contain_text("Split the dinner from the trip, please.")
    mia.locator("label", has_text="Tasca do Zé").click()
    mia.get_by_role("button", name="Save claim").click()
    expect(mia.get_by_role("status")).to_have_text("Claim saved.")
    mia.get_by_role("button", name="Submit for approval").click()
    olga.goto(f"/orgs/{org}/dashboard")
    olga.get_by_role("link", name="1 claim awaiting your approval").click()
    card = olga.locator("article.claim-card").filter(has_text="Lisbon trip")
    expect(card).to_contain_text("$180.00")
    expect(card.locator("img")).to_have_count(1)
    screenshot(olga, "claims-queue")
    card.get_by_role("button", name="Approve Lisbon trip of Mia Member").click()
    expect(olga.get_by_role("status")).to_contain_text("Claim approved")
    smtp.wait_for("mia@example.org", "was approved")
    mia.goto(f"/orgs/{org}/dashboard")
    expect(mia.get_by_role("link", name="Owed to you: $180.00")).to_be_visible()

    # Finance pays it back from "To reimburse", with the bank's reference.
    fin.goto(f"/orgs/{org}/claims")
    fin.get_by_label("Paid: Lisbon trip of Mia Member").check()
    fin.get_by_label("Reference").fill("SEPA 2026-11-30")
    fin.get_by_role("button", name="Record reimbursement of the ticked claims").click()
    expect(fin.get_by_role("status")).to_contain_text("Reimbursements recorded")
    paid = smtp.wait_for("mia@example.org", "was paid back")
    assert "SEPA 2026-11-30" in paid.text
    mia.goto(claim_url)
    expect(mia.locator("dl.facts")).to_contain_text("Reimbursed")
    history = mia.locator("ol.history")
    for line in ("Mia Member submitted", "Fin Finance rejected", "Olga Owner approved", "Fin Finance recorded"):
        expect(history).to_contain_text(line)
    screenshot(mia, "claim")
