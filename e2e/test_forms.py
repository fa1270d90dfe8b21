"""Every form on every page, submitted in a real browser with valid values: each must be taken
(no 5xx, never the cross-site refusal) and say it worked. The forms are read from each page as it
is rendered, so a form added later is submitted too, or fails the test until it has a recipe in
forms.py. Destructive forms act on records made for them, after the rest of their page."""
import re
from urllib.parse import urlparse

from playwright.sync_api import expect

from forms import Person, Tour
from journeys import add_expense, create_organization, invite, join_from_invitation, register


def test_every_form_on_every_page_works(server, smtp, new_page):
    tour = Tour(server, smtp, new_page)
    rafa = Person("Rafa Newcomer", "rafa@example.org")
    olga = Person("Olga Owner", "olga@example.org", page=new_page())
    mika = Person("Mika Member", "mika@example.org", page=new_page())
    try:
        signed_out(tour, rafa)
        harbour = account_pages(tour, olga)
        accepting_an_invitation(tour, olga, mika, harbour)
        organization_pages(tour, olga, mika, harbour)
    except Exception:
        # A form that did not work often makes a later step fail: say which, first.
        assert not tour.problems, "forms that did not work (the tour stopped after):\n" + "\n".join(tour.problems)
        raise
    tour.finish()


def signed_out(tour, rafa):
    """The pages before signing in, and those an emailed link opens without a session."""
    tour.visit("/register", rafa, signed_in=False)
    tour.visit(tour.live_confirmation_link(rafa.email), rafa, signed_in=False)
    tour.visit("/login", rafa, signed_in=False)
    tour.visit("/password/forgot", rafa, signed_in=False)
    tour.visit(tour.mail_link(rafa.email, "Reset your"), rafa, signed_in=False)
    tour.visit("/api/docs", rafa, signed_in=False)


def account_pages(tour, olga):
    """Olga's account before and after confirming her address; returns the organization she makes."""
    register(olga.page, olga.name, olga.email, olga.password)
    # Unconfirmed, every page carries "Send the link again"; the confirmation page sends no
    # referrer, so its forms arrive with Origin: null and must still be taken.
    tour.visit("/dashboard", olga)
    tour.visit(lambda: tour.live_confirmation_link(olga.email), olga)
    tour.visit("/settings/password", olga)
    tour.visit("/settings/security", olga)
    tour.visit("/orgs", olga)
    assert tour.orgs, "creating an organization did not work"
    return tour.orgs[0]


def accepting_an_invitation(tour, olga, mika, harbour):
    """Mika creates an account from an invitation and accepts it on the page its link opens."""
    olga.page.goto(f"/orgs/{harbour}/members")
    invite(olga.page, mika.email, "member")
    link = tour.mail_link(mika.email, "invited you to Harbour Cooperative")
    mika.page.goto(link)
    mika.page.get_by_role("link", name="create an account").click()
    mika.page.get_by_label("Your name").fill(mika.name)
    mika.page.get_by_label("Password").fill(mika.password)
    mika.page.get_by_role("button", name="Create account").click()
    expect(mika.page.get_by_role("button", name="Accept and join Harbour Cooperative")).to_be_visible()
    tour.visit(link, mika)


def mika_submits(tour, mika, harbour, merchant):
    """Mika pays for something himself and claims it; returns the claim's page."""
    mika.page.goto(f"/orgs/{harbour}/dashboard")
    add_expense(mika.page, "21.00", "Meals", merchant)
    mika.page.goto(f"/orgs/{harbour}/claims")
    mika.page.get_by_label("Title").fill(f"{merchant} ticket")
    mika.page.locator("label", has_text=merchant).click()
    mika.page.get_by_role("button", name="Start claim").click()
    path = urlparse(mika.page.url).path
    mika.page.get_by_role("button", name="Submit for approval").click()
    expect(mika.page.get_by_role("status")).to_contain_text("Claim submitted")
    return path


def claim_pages(tour, olga, mika, harbour):
    """The queue decides two of Mika's claims (one approved and paid, one rejected); Olga's own
    claim is saved, submitted, approved by her as the only approver, and paid; a claim is
    rejected on its own page, and a draft made for it is deleted."""
    org = f"/orgs/{harbour}"
    for merchant in ("Ferry", "Train"):
        mika_submits(tour, mika, harbour, merchant)
    tour.visit(org + "/claims", olga)

    def empty_draft(tour, person):
        olga.page.goto(org + "/claims")
        olga.page.get_by_label("Title").fill("Spare draft")
        olga.page.get_by_role("button", name="Start claim").click()
        return urlparse(olga.page.url).path

    tour.visit(tour.claims[-1], olga)
    # Olga's claim, paid, offers neither: a claim of Mika's to reject, a draft to delete.
    tour.visit(mika_submits(tour, mika, harbour, "Bus"), olga)
    tour.visit(empty_draft(tour, olga), olga)


def organization_pages(tour, olga, mika, harbour):
    org = f"/orgs/{harbour}"
    for path in ("/", org, org + "/dashboard", org + "/expenses/new", org + "/expenses"):
        tour.visit(path, olga)

    olga.page.goto(org + "/expenses")
    tour.visit(olga.page.get_by_role("link", name=re.compile("^Edit")).first.get_attribute("href"), olga)
    # An expense's own page: a receipt attached, then (its form appearing) removed.
    olga.page.goto(org + "/expenses")
    tour.visit(olga.page.locator("td[data-label=Merchant] a").first.get_attribute("href"), olga)
    # An expense made to be deleted.
    olga.page.goto(org + "/expenses")
    add_expense(olga.page, "3.20", "Meals", "Corner Kiosk")
    row = olga.page.get_by_role("row").filter(has_text="Corner Kiosk")
    tour.visit(row.get_by_role("link", name=re.compile("^Delete")).get_attribute("href"), olga)
    tour.visit(org + "/reports", olga)
    tour.visit(org + "/books", olga)
    tour.visit(org + "/imports", olga)
    olga.page.goto(org + "/imports")
    tour.visit(olga.page.locator("td[data-label=File] a").first.get_attribute("href"), olga)
    tour.visit(org + "/rates", olga)
    tour.visit(org + "/webhooks", olga)
    olga.page.goto(org + "/webhooks")
    tour.visit(olga.page.get_by_role("link", name="http://127.0.0.1:9/hooks").get_attribute("href"), olga)
    tour.visit(org + "/budgets", olga)
    olga.page.goto(org + "/budgets")
    tour.visit(olga.page.get_by_role("link", name="Team lunches").get_attribute("href"), olga)
    tour.visit(org + "/recurring", olga)
    olga.page.goto(org + "/recurring")
    tour.visit(olga.page.get_by_role("link", name="Cloud storage").get_attribute("href"), olga)
    # A paused one, for its Resume.
    olga.page.goto(org + "/recurring")
    olga.page.get_by_label("Amount", exact=True).fill("12.00")
    olga.page.get_by_label("Merchant", exact=True).fill("Newspaper")
    olga.page.get_by_role("button", name="Set up recurring expense").click()
    olga.page.get_by_role("link", name="Newspaper").click()
    olga.page.get_by_role("button", name="Pause").click()
    expect(olga.page.get_by_role("button", name="Resume")).to_be_visible()
    tour.visit(urlparse(olga.page.url).path, olga)

    # An archived category to restore; the tour adds "Postage", then archives and deletes it.
    olga.page.goto(org + "/categories")
    olga.page.get_by_label("Name", exact=True).fill("Old stationery")
    olga.page.get_by_role("button", name="Add category").click()
    olga.page.get_by_role("button", name="Archive Old stationery").click()
    expect(olga.page.get_by_role("button", name="Restore Old stationery")).to_be_visible()
    tour.picks.update({"archive category": "Postage", "delete category": "Postage",
                       "restore category": "Old stationery"})
    tour.visit(org + "/categories", olga)
    claim_pages(tour, olga, mika, harbour)

    # Vi joins to be removed; the tour invites a guest, resends and revokes that invitation.
    invite(olga.page, "vi@example.org", "viewer")
    join_from_invitation(tour.new_page(), tour.mail_link("vi@example.org", "invited you"),
                         "Harbour Cooperative", "Vi Viewer")
    tour.picks["remove member"] = "Vi Viewer"
    tour.visit(org + "/members", olga)

    # Handing over and deleting happen in organizations made for them; Harbour keeps its owner.
    def spare_with_mika(tour, person):
        spare = create_organization(olga.page, "Spare Co")
        invite(olga.page, mika.email, "member")
        mika.page.goto(tour.mail_link(mika.email, "invited you to Spare Co"))
        mika.page.get_by_role("button", name="Accept and join Spare Co").click()
        expect(mika.page.get_by_role("status")).to_have_text("Welcome: you joined the organization.")
        tour.orgs.append(spare)
        return f"/orgs/{spare}/settings"

    tour.where["transfer ownership"] = spare_with_mika
    tour.where["delete organization"] = lambda tour, person: (
        f"/orgs/{create_organization(olga.page, 'Throwaway Ltd')}/settings")
    tour.visit(org + "/settings", olga)
    # Now an admin of Spare Co, Olga is offered to leave it.
    tour.visit(f"/orgs/{tour.orgs[-1]}/members", olga)
    tour.visit(org + "/audit", olga)
