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


def add_expense(page, amount, category, merchant, tags="", receipt=None):
    """`receipt`: a file to attach in the form's Receipt field (a path, or Playwright's
    {name, mimeType, buffer})."""
    page.get_by_role("link", name="Add expense").first.click()
    page.get_by_label("Amount").fill(amount)
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Merchant").fill(merchant)
    page.get_by_label("Tags").fill(tags)
    if receipt is not None:
        page.get_by_label("Receipt").set_input_files(receipt)
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


# Receipt files, made here so that no binary sits in the repository.

def _segment(marker, payload):
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def receipt_jpeg(comment=b""):
    """A 1x1 grey baseline JPEG that browsers decode (159 bytes): a quantization table of ones,
    DC and AC Huffman tables of one 1-bit code each (difference 0, end of block) and a scan of
    those two bits. A `comment` (a COM segment) makes another file of the same picture."""
    return (b"\xff\xd8" + _segment(0xE0, b"JFIF\0\1\1\0\0\1\0\1\0\0")
            + (_segment(0xFE, comment) if comment else b"") + _segment(0xDB, b"\0" + b"\1" * 64)
            + _segment(0xC0, b"\x08\0\1\0\1\1\1\x11\0") + _segment(0xC4, b"\x00\1" + b"\0" * 16)
            + _segment(0xC4, b"\x10\1" + b"\0" * 16) + _segment(0xDA, b"\1\1\0\0\x3f\0") + b"\x3f\xff\xd9")


def receipt_pdf(text="Receipt"):
    """A one-page PDF showing `text`, with a cross-reference table of the right offsets."""
    content = f"BT /F1 18 Tf 20 40 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return pdf + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


# Not receipts, whatever they are named: the server must read the bytes, not the name.
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n"
SVG_IMAGE = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>\n'
