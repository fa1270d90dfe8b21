"""Budgets with real parts: in a real browser, a budget set up on its page shows its bar and
sends its alert through a real SMTP server; and on PostgreSQL, fifty expenses sent at once to two
servers of one database make exactly one alert per percent reached, counted at the SMTP server."""
import datetime
import time
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from harness import Server
from journeys import add_expense, confirm_email, create_organization, register
from loadrun import Stack
from test_receipts_api import Api, sign_up


def budget_mails(smtp, recipient):
    return sorted(str(m["Subject"]) for m in smtp.messages()
                  if recipient in m["To"] and str(m["Subject"]).startswith("Budget "))


def test_a_budget_set_up_on_its_page_shows_its_bar_and_alerts(server, smtp, new_page):
    olga = new_page()
    register(olga, "Olga Owner", "olga@example.org")
    confirm_email(olga, smtp, server.base_url, "olga@example.org")
    org = create_organization(olga, "Harbour Cooperative")
    olga.goto(f"/orgs/{org}/budgets")
    olga.get_by_label("Name").fill("Groceries")
    olga.get_by_label("Amount in").fill("100.00")
    olga.get_by_role("button", name="Set up budget").click()
    expect(olga.get_by_role("status")).to_contain_text("Budget set up.")

    olga.goto(f"/orgs/{org}/dashboard")
    add_expense(olga, "85.00", "Meals", "Market")
    olga.get_by_role("link", name="Budgets", exact=True).click()
    bar = olga.locator(".budgets li").filter(has_text="Groceries")
    expect(bar.locator("meter")).to_have_attribute("value", "85")
    expect(bar).to_contain_text("85%")
    expect(bar).to_contain_text("left")
    period = bar.locator("p.muted").inner_text().split(" · ")[1]
    mail = smtp.wait_for("olga@example.org", "Budget")
    assert mail.subject == f"Budget \u201cGroceries\u201d reached 80% for {period}", mail.subject
    olga.goto(mail.link(server.base_url))
    expect(olga.get_by_role("heading", name="Groceries")).to_be_visible()
    expect(olga.locator("table meter").first).to_have_attribute("value", "85")


def test_fifty_expenses_on_two_servers_alert_once_per_percent(pg_cluster, smtp):
    stack = Stack(cluster=pg_cluster, smtp=smtp)
    other = Server(smtp, stack.env)
    try:
        ports = [stack.server.port, other.port]
        owner = sign_up(ports[0], smtp, "olga@example.org", "Olga Owner")
        org = owner.org
        owner.ok("POST", f"/api/v1/orgs/{org}/budgets", {"name": "All", "amount": "80.00", "period": "month"}, 201)
        currency = owner.ok("GET", f"/api/v1/orgs/{org}")["currency"]
        # The personal organization keeps UTC: its today is UTC's. Spread over its categories, so
        # the expenses share no day-sum row (whose lock would queue them anyway) and only the
        # budget's lock stands between two servers' sums.
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        categories = [c["id"] for c in owner.ok("GET", f"/api/v1/orgs/{org}/categories")["items"]]

        def log(index):
            api = Api(ports[index % 2], owner.token)
            return api.call("POST", f"/api/v1/orgs/{org}/expenses",
                            {"amount": "2.00", "currency": currency, "date": today, "merchant": f"Shop {index}",
                             "category_id": categories[index % len(categories)]})

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = [answer.status for answer in pool.map(log, range(50))]
        assert statuses == [201] * 50, statuses
        # 50 × 2.00 = 100.00 of 80.00: the 80% and the 100% alert, each once, whichever
        # server's transaction reached it.
        deadline = time.monotonic() + 30
        while len(budget_mails(smtp, "olga@example.org")) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # anything sent twice would have arrived by now
        subjects = budget_mails(smtp, "olga@example.org")
        assert len(subjects) == 2, subjects
        assert [s.split(" reached ")[1].split("%")[0] for s in subjects] == ["100", "80"], subjects
        spent = owner.ok("GET", f"/api/v1/orgs/{org}/budgets")["items"][0]
        assert spent["spent"] == "100.00" and spent["percent"] == 125, spent
    finally:
        other.stop()
        stack.server.stop()
        stack.close()
