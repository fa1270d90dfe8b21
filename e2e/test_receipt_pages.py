"""Receipts on the pages, in a real browser: attached from the add form, previewed and added on
the expense's own page, a page disguised as a photo refused beside the field, removed,
downloaded byte for byte, the list's "Missing receipt" filter, the storage line on settings,
the reports page's ZIP; and a viewer who sees receipts but no way to change them."""
import csv
import io
import re
import zipfile

from playwright.sync_api import expect

from conftest import screenshot
from journeys import (
    HTML_PAGE, add_expense, confirm_email, create_organization, invite, join_from_invitation, receipt_jpeg,
    receipt_pdf, register,
)

JPEG = receipt_jpeg()
PDF = receipt_pdf("Café Central, 12.50")
PREVIEW = "img[alt='Receipt till.jpg']"


def add_receipt_field(page):
    """The file field of the "Add receipt" form."""
    return page.locator("form[action$='/receipts']").get_by_label("Add receipt")


def file(name, mime, data):
    return {"name": name, "mimeType": mime, "buffer": data}


def expect_preview_decoded(page):
    """The preview image is loaded and decoded: a real picture, not a broken-image icon."""
    expect(page.locator(PREVIEW)).to_be_visible()
    page.wait_for_function("s => { const i = document.querySelector(s); return i.complete && i.naturalWidth > 0; }",
                           arg=PREVIEW)


def test_receipts_from_the_add_form_to_the_accountants_zip(server, smtp, new_page):
    page = new_page(accept_downloads=True)
    register(page, "Rita Rivera", "rita@example.org")
    confirm_email(page, smtp, server.base_url, "rita@example.org")
    org = create_organization(page, "Harbour Cooperative")

    # A page named like a photo is refused on the add form, and nothing is saved.
    page.goto(f"/orgs/{org}/expenses/new")
    page.get_by_label("Amount").fill("66.00")
    page.get_by_label("Merchant").fill("Disguised Page")
    page.get_by_label("Receipt").set_input_files(file("receipt.png", "image/png", HTML_PAGE))
    page.get_by_role("button", name="Add expense").click()
    expect(page.locator("#file-error")).to_contain_text("not a receipt")
    expect(page.get_by_label("Receipt")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Merchant")).to_have_value("Disguised Page")  # the form keeps what was typed

    page.get_by_role("link", name="Dashboard").click()
    add_expense(page, "12.50", "Meals", "Café Central", receipt=file("till.jpg", "image/jpeg", JPEG))
    add_expense(page, "7.00", "Meals", "Corner Shop")
    expect(page.get_by_role("row").filter(has_text="Disguised Page")).to_have_count(0)
    cafe = page.get_by_role("row").filter(has_text="Café Central")
    expect(cafe.get_by_role("cell").nth(6)).to_have_text("1")  # the Receipts column
    expect(page.get_by_role("row").filter(has_text="Corner Shop")).to_contain_text("missing")

    # The expense's own page, from the merchant cell: the photo previewed.
    cafe.get_by_role("link", name="Café Central", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/orgs/{org}/expenses/[0-9a-f-]{{36}}$"))
    expense_url = page.url
    expect(page.get_by_role("heading", name="Café Central", level=2)).to_be_visible()
    expect_preview_decoded(page)

    # "Add receipt" takes a PDF, listed as a download link.
    add_receipt_field(page).set_input_files(file("invoice.pdf", "application/pdf", PDF))
    page.get_by_role("button", name="Upload receipt").click()
    expect(page.get_by_role("status")).to_have_text("Receipt attached.")
    pdf_link = page.get_by_role("link", name="invoice.pdf", exact=True)
    expect(pdf_link).to_have_attribute("download", "")
    with page.expect_download() as download:
        pdf_link.click()
    assert open(download.value.path(), "rb").read() == PDF

    # A page renamed .png is refused beside the field; nothing is attached.
    add_receipt_field(page).set_input_files(file("receipt.png", "image/png", HTML_PAGE))
    page.get_by_role("button", name="Upload receipt").click()
    expect(page.locator("#file-error")).to_have_text(
        "This file is not a receipt: send a JPEG, PNG, WebP or HEIC photo, or a PDF.")
    expect(page.get_by_role("alert")).to_have_text("The receipt was not attached.")
    expect(add_receipt_field(page)).to_have_attribute("aria-describedby", "file-hint file-error")
    expect(page.locator("ul.receipts > li")).to_have_count(2)
    screenshot(page, "receipt-refused")

    page.get_by_role("button", name="Remove invoice.pdf").click()
    expect(page.get_by_role("status")).to_have_text("Receipt removed.")
    expect(page.get_by_role("link", name="invoice.pdf", exact=True)).to_have_count(0)
    expect_preview_decoded(page)
    screenshot(page, "receipt-expense")

    # The preview links to the file itself: the same bytes, served inline as a JPEG.
    href = page.get_by_role("link", name="Receipt till.jpg").get_attribute("href")
    image = page.request.get(href)
    assert image.status == 200 and image.body() == JPEG
    assert image.headers["content-type"] == "image/jpeg"
    assert image.headers["content-disposition"].startswith("inline;")
    assert image.headers["x-content-type-options"] == "nosniff"

    page.get_by_role("link", name="Expenses", exact=True).click()
    page.locator("summary", has_text="Filter expenses").click()
    page.get_by_label("Receipt").select_option(label="Missing receipt")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"has_receipt=false"))
    expect(page.get_by_role("row").filter(has_text="Corner Shop")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Café Central")).to_have_count(0)
    page.get_by_label("Receipt").select_option(label="With a receipt")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").filter(has_text="Café Central")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Corner Shop")).to_have_count(0)

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_text(re.compile(r"^Receipts take"))).to_have_text(re.compile(
        rf"^Receipts take {len(JPEG)} bytes of the 1\.1 GB this organization may store \(less than 1%\)"))

    page.get_by_role("link", name="Reports").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download receipts (ZIP)").click()
    assert download.value.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(download.value.path())
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[0] == "expenses.csv" and len(names) == 2, names
    rows = {row["merchant"]: row["receipt_count"]
            for row in csv.DictReader(io.StringIO(archive.read("expenses.csv").decode("utf-8-sig")))}
    assert rows == {"Café Central": "1", "Corner Shop": "0"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_Café-Central_12\.50_[0-9a-f-]{36}\.jpg", names[1]), names
    assert archive.read(names[1]) == JPEG

    # A viewer sees the receipt and can open it, but has no form to add one or button to remove.
    invite(page, "vera@example.org", "viewer")
    viewer = new_page()
    link = smtp.wait_for("vera@example.org", "invited you").link(server.base_url)
    join_from_invitation(viewer, link, "Harbour Cooperative", "Vera Viewer")
    viewer.goto(expense_url)
    expect_preview_decoded(viewer)
    expect(viewer.locator("form[action$='/receipts']")).to_have_count(0)
    expect(viewer.get_by_role("button", name=re.compile("^(Upload receipt|Remove)"))).to_have_count(0)
    assert viewer.request.get(href).body() == JPEG
    # Posting the form anyway, with the viewer's own CSRF token, is refused and attaches nothing.
    token = viewer.locator("input[name=_csrf]").first.get_attribute("value")
    forged = viewer.request.post(
        expense_url + "/receipts", headers={"Origin": server.base_url}, max_redirects=0,
        multipart={"_csrf": token, "file": file("forged.jpg", "image/jpeg", receipt_jpeg(b"forged"))})
    assert forged.status == 403, forged.status
    viewer.reload()
    expect(viewer.locator("ul.receipts > li")).to_have_count(1)
    screenshot(viewer, "receipt-viewer")
