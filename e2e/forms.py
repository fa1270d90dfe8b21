"""Finds every form on a page and submits each kind of it with valid values, checking that the
server took it: no 5xx, no cross-site refusal, no error on the page it lands on, and the notice,
address or mail that says the change happened.

A kind of form is its page (the path with ids as `{id}`), whether the person is signed in, and
the recipe that knows how to fill it (method, action and button name). A form no recipe knows is
a failure, and so is a kind seen on a page but never submitted."""
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from form_fills import (
    _account, _change_password, _confirm_name, _endpoint, _expense, _fields, _filter, _import_file, _invite,
    _keep_recovery_codes, _newest_verification, _pay_claims, _rate_file, _receipt, _recovery_code, _reject_claim,
    _relogin, _remember_claim, _remember_org, _rename, _rename_claim, _report, _resend_invitation, _reset_password,
    _role, _start_claim, _totp_code)
from harness import Mail

ID = re.compile(r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=/|$)", re.I)

FORMS = """() => [...document.forms].map(form => ({
  method: (form.getAttribute('method') || 'get').toLowerCase(),
  action: new URL(form.getAttribute('action') || location.href, location.href).pathname,
  buttons: [...form.elements].filter(e => e.type === 'submit').map(e => (e.textContent || e.value).trim()),
}))"""
LINKS = "() => [...document.links].filter(a => a.origin === location.origin).map(a => a.href)"


def kind_of(url):
    """The page a URL opens, without query and with every id as `{id}`."""
    return ID.sub("/{id}", urlparse(url).path) or "/"


@dataclass
class Person:
    name: str
    email: str
    password: str = "correct horse battery staple"
    page: object = None
    recovery: list = None  # recovery codes, once two-factor sign-in is on


@dataclass
class Recipe:
    name: str
    method: str
    action: str          # the action's kind, e.g. /orgs/{id}/categories
    button: str          # a regular expression the whole button name matches
    fill: object = None  # fill(tour, person, form, button_name)
    notice: str = None   # the status line the landing page shows
    url: str = None      # a regular expression the landing address contains
    heading: str = None  # the landing page's h1
    mail: str = None     # words of the subject of a mail it sends
    after: object = None  # after(tour, person, page): put things back for the rest of the tour
    rank: int = 1        # lower first on a page; destructive ones last
    ends_page: bool = False  # the page's subject is gone afterwards (deleted, used, left)
    where: object = None  # where(tour, person): a page of this kind made just for this form


ORG = "/orgs/{id}"
RECIPES = [
    Recipe("log out", "post", "/logout", "Log out", notice="You are logged out.", after=_relogin, rank=0),
    Recipe("send the link again", "post", "/verify/resend", "Send the link again",
           notice="We sent you a new confirmation link.", mail="Confirm your email", rank=0),
    Recipe("log in", "post", "/login", "Log in", _account, url=r"/orgs/[^/]+/dashboard$"),
    Recipe("register", "post", "/register", "Create account", _account, url=r"/dashboard$",
           mail="Confirm your email"),
    Recipe("forgot password", "post", "/password/forgot", "Send reset link", _account,
           heading="Check your email", mail="Reset your"),
    Recipe("reset password", "post", "/password/reset", "Set new password", _reset_password,
           notice="Your password was changed. Log in with the new one.", mail="password was changed",
           ends_page=True),
    Recipe("confirm email", "post", "/verify", "Confirm my email address",
           notice="Thank you: your email address is confirmed.", where=_newest_verification, rank=2,
           ends_page=True),
    Recipe("accept invitation", "post", "/invitations/accept", r"Accept and join .+",
           notice="Welcome: you joined the organization.", rank=2, ends_page=True),
    Recipe("change password", "post", "/settings/password", "Change password", _change_password,
           notice="Your password was changed. Your other sessions were signed out."),
    Recipe("set up two-factor sign-in", "post", "/settings/security/totp", "Set up two-factor sign-in",
           url=r"/settings/security$"),
    Recipe("turn on two-factor sign-in", "post", "/settings/security/totp/confirm", "Turn on two-factor sign-in",
           _totp_code, notice="Two-factor sign-in is on. Keep your recovery codes somewhere safe.",
           after=_keep_recovery_codes),
    Recipe("turn off two-factor sign-in", "post", "/settings/security/totp/disable", "Turn off two-factor sign-in",
           _recovery_code, notice="Two-factor sign-in is off: your password alone signs you in.", rank=2),
    Recipe("create token", "post", "/settings/security/tokens", "Create token", _fields(Token_name="Tour token"),
           notice="Token created. Copy it now: it is not shown again."),
    Recipe("revoke token", "post", "/settings/security/tokens/{id}/revoke", r"Revoke .+",
           notice="The token was revoked: it no longer works.", rank=2),
    Recipe("create organization", "post", "/orgs", "Create organization",
           _fields(Name="Harbour Cooperative", Kind=["Cooperative"], Currency="EUR", Time_zone="Europe/Lisbon"),
           notice="Organization created. Invite the people who will log expenses in it.", after=_remember_org),
    Recipe("filter expenses", "get", ORG + "/expenses", "Filter", _filter, url=r"min_amount=1"),
    Recipe("add expense", "post", ORG + "/expenses", "Add expense", _expense, notice="Expense added.",
           url=r"/expenses\?"),
    Recipe("save and add another", "post", ORG + "/expenses", "Save and add another", _expense,
           notice="Expense added.", url=r"/expenses/new\?"),
    Recipe("save expense", "post", ORG + "/expenses/{id}", "Save changes", _fields(Amount="14.00"),
           notice="Expense saved."),
    Recipe("delete expense", "post", ORG + "/expenses/{id}/delete", "Delete expense", notice="Expense deleted.",
           rank=2, ends_page=True),
    Recipe("upload receipt", "post", ORG + "/expenses/{id}/receipts", "Upload receipt", _receipt,
           notice="Receipt attached."),
    Recipe("remove receipt", "post", ORG + "/receipts/{id}/delete", r"Remove .+", notice="Receipt removed.", rank=2),
    Recipe("start claim", "post", ORG + "/claims", "Start claim", _start_claim,
           notice="Claim started. Submit it when its expenses and receipts are all there.", after=_remember_claim),
    Recipe("save claim", "post", ORG + "/claims/{id}", "Save claim", _rename_claim, notice="Claim saved."),
    Recipe("submit claim", "post", ORG + "/claims/{id}/submit", "Submit for approval",
           notice="Claim submitted: the approvers have been told. Its expenses are locked until they decide."),
    Recipe("approve claim", "post", ORG + "/claims/{id}/approve", r"Approve( .+)?",
           notice="Claim approved: its member has been told, and finance can pay it back."),
    Recipe("reject claim", "post", ORG + "/claims/{id}/reject", r"Reject( .+)?", _reject_claim,
           notice="Claim rejected: its member has been told why, and can change it and submit again.", rank=2),
    Recipe("reimburse claim", "post", ORG + "/claims/{id}/reimburse", "Record reimbursement",
           notice="Reimbursement recorded: its member has been told."),
    Recipe("reimburse claims", "post", ORG + "/claims/reimburse", "Record reimbursement of the ticked claims",
           _pay_claims, notice="Reimbursements recorded: their members have been told.", rank=2),
    Recipe("delete claim", "post", ORG + "/claims/{id}/delete", "Delete draft",
           notice="Draft deleted; its expenses can go in another claim.", rank=3, ends_page=True),
    Recipe("show report", "get", ORG + "/reports", "Show", _report, url=r"group_by=category"),
    Recipe("import expenses", "post", ORG + "/imports", "Import", _import_file, url=r"/imports/[0-9a-f-]{36}$"),
    Recipe("close books", "post", ORG + "/books/close", "Close the books", _fields(Through="2020-01-31"),
           notice="The books are closed."),
    Recipe("check audit log", "get", ORG + "/books", "Check the audit log", url=r"check=1"),
    Recipe("reopen books", "post", ORG + "/books/reopen", "Reopen the books",
           _fields(Why="A receipt was filed in the wrong month"), notice="The books are reopened.", rank=2),
    Recipe("set up budget", "post", ORG + "/budgets", "Set up budget", _fields(Name="Team lunches", Amount_in_EUR="500"),
           notice="Budget set up. Owners, admins and finance are told when it reaches an alert percent."),
    Recipe("save budget", "post", ORG + "/budgets/{id}", "Save budget", _fields(Amount_in_EUR="600"),
           notice="Budget saved."),
    Recipe("delete budget", "post", ORG + "/budgets/{id}/delete", "Delete budget", notice="Budget deleted.",
           rank=3, ends_page=True),
    Recipe("set up recurring expense", "post", ORG + "/recurring", "Set up recurring expense",
           _fields(Amount="30.00", Merchant="Cloud storage"),
           notice="Recurring expense set up. Each occurrence is logged as an expense when it falls due."),
    Recipe("save recurring expense", "post", ORG + "/recurring/{id}", "Save recurring expense", _fields(Amount="35.00"),
           notice="Recurring expense saved. Occurrences already logged keep what they had."),
    Recipe("pause recurring expense", "post", ORG + "/recurring/{id}/pause", "Pause",
           notice="Paused: nothing is logged until you resume it."),
    Recipe("resume recurring expense", "post", ORG + "/recurring/{id}/resume", "Resume",
           notice="Resumed from today; the days it was paused are not logged."),
    Recipe("delete recurring expense", "post", ORG + "/recurring/{id}/delete", "Delete recurring expense",
           notice="Recurring expense deleted. The expenses it logged stay.", rank=3, ends_page=True),
    Recipe("set rate", "post", ORG + "/rates", "Save rate", _fields(Currency="USD", EUR_per_1_unit="0.9215"),
           notice="Rate saved."),
    Recipe("import rates", "post", ORG + "/rates/import", "Import rates", _rate_file,
           notice="Imported 2 rates in 2 currencies for 5 Jan 2024 to 5 Jan 2024; 0 expenses converted."),
    Recipe("add category", "post", ORG + "/categories", "Add category", _fields(Name="Postage"),
           notice="Category added."),
    Recipe("rename category", "post", ORG + "/categories/{id}", "Rename", _rename, notice="Category saved."),
    Recipe("archive category", "post", ORG + "/categories/{id}/archive", r"Archive .+",
           notice="Category archived: old expenses keep it; new ones cannot use it.", rank=2),
    Recipe("restore category", "post", ORG + "/categories/{id}/restore", r"Restore .+",
           notice="Category restored.", rank=3),
    Recipe("delete category", "post", ORG + "/categories/{id}/delete", r"Delete .+", notice="Category deleted.",
           rank=3),
    Recipe("change role", "post", ORG + "/members/{id}/role", r"Change role of .+", _role,
           notice="The role was changed."),
    Recipe("change invitation role", "post", ORG + "/invitations/{id}/role", r"Change role offered to .+", _role,
           notice="The invitation now offers the new role; its link stays the same."),
    Recipe("send invitation", "post", ORG + "/invitations", "Send invitation", _invite,
           notice="The invitation is on its way.", mail="invited you"),
    Recipe("resend invitation", "post", ORG + "/invitations/{id}/resend", r"Resend to .+", _resend_invitation,
           notice="The invitation was sent again with a fresh link.", mail="invited you"),
    Recipe("revoke invitation", "post", ORG + "/invitations/{id}/revoke", r"Revoke invitation for .+",
           notice="The invitation was revoked.", rank=2),
    Recipe("remove member", "post", ORG + "/members/{id}/remove", r"Remove .+", notice="The member was removed.",
           rank=2),
    Recipe("leave organization", "post", ORG + "/members/{id}/remove", r"Leave .+",
           notice="You left the organization.", rank=3, ends_page=True),
    Recipe("save settings", "post", ORG + "/settings", "Save settings", _fields(Time_zone="America/New_York"),
           notice="Settings saved."),
    Recipe("save two-factor rule", "post", ORG + "/second-factor", "Save two-factor rule", notice="Settings saved."),
    Recipe("add webhook endpoint", "post", ORG + "/webhooks", "Add endpoint", _endpoint,
           notice="Endpoint added. Copy its signing secret now: it is not shown again."),
    Recipe("send test event", "post", ORG + "/webhooks/{id}/test", "Send a test event",
           notice="A test event is on its way. Its delivery appears below."),
    Recipe("turn off endpoint", "post", ORG + "/webhooks/{id}/disable", "Turn off",
           notice="The endpoint is off: events wait until it is turned on again."),
    Recipe("turn on endpoint", "post", ORG + "/webhooks/{id}/enable", "Turn on",
           notice="The endpoint is on: new events are sent to it, and those that waited go now.", rank=2),
    Recipe("remove endpoint", "post", ORG + "/webhooks/{id}/delete", "Remove endpoint",
           notice="The endpoint was removed, with its delivery log.", rank=3, ends_page=True),
    Recipe("transfer ownership", "post", ORG + "/transfer", "Transfer ownership",
           notice="Ownership was transferred. You are now an admin.", rank=2),
    Recipe("delete organization", "post", ORG + "/delete", "Delete organization", _confirm_name,
           notice="The organization was deleted.", rank=3),
]


class Tour:
    """Visits pages as a person and submits every kind of form found on them, once each."""

    def __init__(self, server, smtp, new_page, recipes=RECIPES):
        self.server, self.smtp, self.new_page, self.recipes = server, smtp, new_page, recipes
        self.found = {}        # kind of form -> where it was first seen
        self.submitted = {}    # kind of form -> what happened
        self.problems = []
        self.linked = {}       # kind of page -> a page linking to it
        self.visited = set()
        self.exports = {}      # kind of download link (CSV, the OpenAPI file) -> content type
        self.picks = {}        # recipe name -> words the chosen button's name contains
        self.where = {}        # recipe name -> where(tour, person), overriding the recipe's
        self.orgs, self.expenses, self.recipient, self.claims = [], 0, None, []

    # Mail

    def mails(self, recipient, subject):
        return [m for m in self.smtp.messages() if recipient in m["To"] and subject.lower() in m["Subject"].lower()]

    def mail_link(self, recipient, subject):
        return self.smtp.wait_for(recipient, subject).link(self.server.base_url)

    def live_confirmation_link(self, recipient):
        """The confirmation link that still works. Each resend replaces the one before, and the
        mail worker may deliver two messages out of order, so the last to arrive is not always
        the newest: the live one is the link whose page opens (200) rather than saying it was
        replaced (400). The newest may still be on its way: wait for it."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            messages = self.mails(recipient, "Confirm your email")
            for link in reversed([Mail(message).link(self.server.base_url) for message in messages]):
                try:
                    with urllib.request.urlopen(link, timeout=10) as answer:
                        if answer.status == 200:
                            return link
                except urllib.error.HTTPError:
                    continue
            time.sleep(0.2)
        raise AssertionError(f"no confirmation link sent to {recipient} works")

    def _await_mail(self, recipient, subject, before):
        deadline = time.monotonic() + 15
        while len(self.mails(recipient, subject)) <= before:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    # Pages

    def _open(self, person, signed_in, path):
        page = person.page if signed_in else self.new_page()
        response = page.goto(path)
        for href in page.evaluate(LINKS):
            kind = kind_of(href)
            self.linked.setdefault(kind, kind_of(page.url))
            # Downloads, not pages: each must answer its own type.
            # (A receipt the tour attached is the JPEG its recipe sends.)
            expected = (
                "application/zip" if kind.endswith(".zip") else "text/csv" if "/exports/" in kind
                else "application/yaml" if kind.endswith(".yaml")
                else "image/jpeg" if kind.endswith("/receipts/{id}") else None)
            if expected and kind not in self.exports:
                answer = page.request.get(href)
                self.exports[kind] = answer.headers.get("content-type", "")
                if answer.status != 200 or not self.exports[kind].startswith(expected):
                    self.problems.append(f"{kind_of(page.url)}: link {kind} answered {answer.status} "
                                         f"{self.exports[kind]!r}, not {expected}")
        return page, response

    def _match(self, form, button):
        for recipe in self.recipes:
            if (recipe.method == form["method"] and recipe.action == kind_of(form["action"])
                    and re.fullmatch(recipe.button, button)):
                return recipe
        return None

    def _discover(self, page, signed_in):
        """{kind of form: recipe} for the page's forms; forms no recipe knows become problems."""
        kinds = {}
        for form in page.evaluate(FORMS):
            for button in form["buttons"] or ["(no submit button)"]:
                recipe = self._match(form, button)
                key = (kind_of(page.url), signed_in, recipe.name if recipe else f"unknown: {button}")
                if key not in self.found:
                    self.found[key] = page.url
                    if recipe is None:
                        self.problems.append(f"{kind_of(page.url)}: no recipe for the form "
                                             f"{form['method'].upper()} {form['action']} button {button!r}")
                if recipe:
                    kinds.setdefault(key, recipe)
        return kinds

    def visit(self, path, person, signed_in=True):
        """Opens the page and submits each kind of form on it not yet submitted anywhere, lowest
        rank first, opening the page afresh before each (a submission can add or remove forms).
        `path` may be a function, asked again at each opening (a confirmation link that a
        resend on its own page replaces)."""
        first = True
        while True:
            opened = path() if callable(path) else path
            page, response = self._open(person, signed_in, opened)
            self.visited.update({kind_of(opened), kind_of(page.url)})
            if first and (response is None or response.status >= 400):
                self.problems.append(f"{path}: the page answered {response and response.status}")
            first = False
            pending = [(recipe.rank, n, key, recipe) for n, (key, recipe) in
                       enumerate(self._discover(page, signed_in).items()) if key not in self.submitted]
            if not pending:
                return
            _, _, key, recipe = min(pending, key=lambda item: item[:2])
            where = self.where.get(recipe.name, recipe.where)
            if where:
                page, _ = self._open(person, signed_in, where(self, person))
            self.submitted[key] = self.submit(page, person, recipe)
            if recipe.ends_page:
                return

    def submit(self, page, person, recipe):
        """Fills and submits the recipe's form on the open page; records what went wrong."""
        place = kind_of(page.url)
        choices = [(index, button) for index, form in enumerate(page.evaluate(FORMS))
                   for button in form["buttons"] if self._match(form, button) is recipe
                   and self.picks.get(recipe.name, "") in button]
        if not choices:
            self.problems.append(f"{place}: no form for {recipe.name!r} to submit")
            return "not found"
        index, name = choices[0]
        form = page.locator("form").nth(index)
        self.recipient = person.email
        if recipe.fill:
            recipe.fill(self, person, form, name)
        # A form in a closed disclosure (the account menu) is opened as a person would.
        for summary in form.locator("xpath=ancestor::details[not(@open)]/summary").all():
            summary.click()
        mails_before = len(self.mails(self.recipient, recipe.mail)) if recipe.mail else 0
        with page.expect_navigation() as navigation:
            form.get_by_role("button", name=name, exact=True).click()
        statuses, request = [], navigation.value.request
        while request is not None:
            statuses.insert(0, request.response().status if request.response() else None)
            request = request.redirected_from
        heading = page.locator("h1").first.inner_text() if page.locator("h1").count() else ""
        wrong = self._judge(page, recipe, statuses, heading)
        if recipe.mail and not self._await_mail(self.recipient, recipe.mail, mails_before):
            wrong.append(f"no mail about {recipe.mail!r} reached {self.recipient}")
        landed = urlparse(page.url)
        outcome = f"{' → '.join(map(str, statuses))} {landed.path}{'?' if landed.query else ''}{landed.query}"
        if wrong:
            self.problems.append(f"{place} → {recipe.name} ({name!r}): {'; '.join(wrong)} "
                                 f"[answers {outcome}, heading {heading!r}]")
        elif recipe.after:
            recipe.after(self, person, page)
        return outcome

    @staticmethod
    def _judge(page, recipe, statuses, heading):
        wrong = []
        if heading == "Request refused":
            wrong.append("refused as not sent from this site")
        if any(status is None or status >= 500 for status in statuses):
            wrong.append("server error")
        elif statuses[0] >= 400:
            wrong.append(f"answered {statuses[0]}")
        problems = page.locator("[role=alert], .error").all_inner_texts()
        if problems:
            wrong.append(f"the page shows {problems}")
        if recipe.notice:
            notices = page.get_by_role("status").all_inner_texts()
            if recipe.notice not in notices:
                wrong.append(f"no notice {recipe.notice!r} (notices: {notices})")
        if recipe.url and not re.search(recipe.url, page.url):
            wrong.append(f"landed on {page.url}, expected {recipe.url}")
        if recipe.heading and heading != recipe.heading:
            wrong.append(f"heading {heading!r}, expected {recipe.heading!r}")
        return wrong

    def finish(self):
        """Every kind of form seen was submitted and worked, and every linked page was visited."""
        for key, url in self.found.items():
            if key not in self.submitted:
                self.problems.append(f"{key[0]} (signed in: {key[1]}): {key[2]!r} was found ({url}) "
                                     f"but never submitted")
        for kind, source in self.linked.items():
            if kind not in self.visited and kind not in self.exports:
                self.problems.append(f"{source} links to {kind}, which the tour never visited")
        print("Downloads:", ", ".join(f"{kind} ({kind_type})" for kind, kind_type in self.exports.items()))
        print(f"{len(self.submitted)} kinds of form submitted of {len(self.found)} found:")
        for page, signed_in, name in self.found:
            print(f"  {page}{'' if signed_in else ' (signed out)'} → {name}: "
                  f"{self.submitted.get((page, signed_in, name), 'not submitted')}")
        assert not self.problems, "forms that did not work:\n" + "\n".join(self.problems)
        assert len(self.submitted) >= len(self.found)
