"""Every main page at desktop and phone width: screenshots as artifacts, no sideways scrolling at
360 px, every control labelled, headings in order, and no console errors (the fixture)."""
import re

import pytest
from playwright.sync_api import expect

from conftest import screenshot
from journeys import add_expense, organization_id, register

WIDTHS = {"desktop": (1280, 900), "phone": (360, 780)}

# Checked in the page: controls without a name, and headings that skip a level.
AUDIT = """() => {
  const unlabelled = [...document.querySelectorAll('input, select, textarea')]
    .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
    .map(e => e.outerHTML.slice(0, 80));
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]);
  const skips = levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1);
  return {unlabelled, levels, skips, h1: levels.filter(l => l === 1).length,
          overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""


# Layout measured in the page: chart text sizes, header and tab heights, table cells shown as
# cards without a label, dates broken over two lines, and the main column's width.
LAYOUT = """() => {
  const px = e => parseFloat(getComputedStyle(e).fontSize);
  const visible = e => e.getClientRects().length > 0;
  const chartText = [...document.querySelectorAll('.chart .bar-label, .chart .bar-value')].map(px);
  const cards = getComputedStyle(document.querySelector('tbody tr') || document.body).display === 'block';
  const unlabelled = cards ? [...document.querySelectorAll('tbody td')]
    .filter(td => visible(td) && !td.dataset.label && !td.classList.contains('actions') && td.textContent.trim())
    .map(td => td.outerHTML.slice(0, 80)) : [];
  const wrappedDates = [...document.querySelectorAll('td.date time')].filter(t => t.getClientRects().length > 1)
    .map(t => t.textContent);
  const height = selector => { const e = document.querySelector(selector); return e ? e.offsetHeight : 0; };
  return {chartText, unlabelled, wrappedDates, header: height('header.site'), tabs: height('nav.tabs'),
          main: document.querySelector('main').clientWidth};
}"""


def check_layout(page, name, width_name):
    layout = page.evaluate(LAYOUT)
    assert all(size >= 12 for size in layout["chartText"]), f"{name}: chart text {layout['chartText']} px"
    assert layout["wrappedDates"] == [], f"{name}: dates over two lines: {layout['wrappedDates']}"
    if width_name == "phone":
        assert layout["unlabelled"] == [], f"{name}: cards with an unlabelled cell: {layout['unlabelled']}"
        # The header is one line and the tabs at most two: the page's own content starts early.
        assert layout["header"] <= 64 and layout["tabs"] <= 64, f"{name}: header and tabs {layout}"
    elif name in ("expenses", "reports", "dashboard"):
        assert layout["main"] >= 1100, f"{name}: a list {layout['main']} px wide at 1280"


def audit(page, name):
    result = page.evaluate(AUDIT)
    assert result["unlabelled"] == [], f"{name}: controls without a label: {result['unlabelled']}"
    assert result["skips"] == [] and result["h1"] == 1, f"{name}: headings {result['levels']}"
    assert result["overflow"] <= 0, f"{name}: {result['overflow']} px wider than the window"


def test_main_pages_at_desktop_and_phone_width(server, new_page):
    owner = new_page()
    register(owner, "Rita Rivera", "rita@example.org")
    org = organization_id(owner)
    add_expense(owner, "12.50", "Meals", "Café Central", "lunch")
    add_expense(owner, "1249.99", "Travel", "Northern Rail & Sleeper Co", "trip, client-x")
    add_expense(owner, "42", "Entertainment", "Cinema City")
    owner.context.close()

    pages = {
        "dashboard": f"/orgs/{org}/dashboard",
        "expenses": f"/orgs/{org}/expenses",
        "expense-form": f"/orgs/{org}/expenses/new",
        "reports": f"/orgs/{org}/reports",
        "categories": f"/orgs/{org}/categories",
        "members": f"/orgs/{org}/members",
        "settings": f"/orgs/{org}/settings",
        "webhooks": f"/orgs/{org}/webhooks",
        "security": "/settings/security",
        "organizations": "/orgs",
        "account": "/dashboard",
        "api-docs": "/api/docs",
    }
    for width_name, (width, height) in WIDTHS.items():
        page = new_page(width=width, height=height)
        page.goto("/login")
        audit(page, "login")
        screenshot(page, f"login-{width_name}")
        page.get_by_label("Email").fill("rita@example.org")
        page.get_by_label("Password").fill("correct horse battery staple")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/dashboard$"))
        for name, path in pages.items():
            page.goto(path)
            audit(page, f"{name} at {width_name}")
            check_layout(page, name, width_name)
            screenshot(page, f"{name}-{width_name}")
        page.goto("/no/such/page")
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        audit(page, "not found")
        screenshot(page, f"not-found-{width_name}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_colour_schemes_meet_wcag_aa_contrast(server, new_page, scheme):
    """Text against its background in the rendered page, in both schemes: 4.5:1 at least."""
    page = new_page()
    page.emulate_media(color_scheme=scheme)
    register(page, "Rita Rivera", "rita@example.org")
    add_expense(page, "12.50", "Meals", "Café Central")
    contrast = page.evaluate("""() => {
      const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const background = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
        if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
      const worst = [];
      for (const e of document.querySelectorAll('body *')) {
        if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        const style = getComputedStyle(e);
        if (style.visibility === 'hidden' || e.getClientRects().length === 0) continue;
        const [a, b] = [lum(style.color), lum(background(e))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) worst.push(`${e.tagName}.${e.className}: ${ratio.toFixed(2)} "${e.textContent.trim().slice(0, 30)}"`);
      }
      return worst;
    }""")
    assert contrast == [], f"{scheme}: text below 4.5:1: {contrast}"
    screenshot(page, f"expenses-{scheme}")
