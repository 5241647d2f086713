"""Helpers for the browser tests: signing in, reading and moving about a page, axe-core
checks with readable failures, viewport sizes, screenshots of failures."""

import re

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from tests.conftest import PASSWORD
from tests.coresponder.factories import ensure_directory

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SIGN_IN = "/account/login/"
LANDING = "/staff/"
SCREENSHOT_DIR = "test-results/e2e"  # under the rootdir


def migrated_rows_restore() -> None:
    """Make again what the data migrations made: the co-responder directory and the role
    groups. The flush after each browser test empties every table."""
    ensure_directory()
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def screenshot_if_failed(request, page, *, suffix: str = "", viewport: dict | None = None) -> None:
    """A full-page screenshot in test-results/e2e/ if the test failed (at `viewport`, if
    given). Never raises: a screenshot must never hide the real failure."""
    report = getattr(request.node, "rep_call", None)
    if report is None or not report.failed:
        return
    directory = request.config.rootpath / SCREENSHOT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-") + suffix
    try:
        if viewport is not None:
            page.set_viewport_size(viewport)
        page.screenshot(path=str(directory / f"{name}.png"), full_page=True)
    except Exception as exc:
        print(f"Could not save a screenshot of {request.node.nodeid}{suffix}: {exc}")


# --- Signing in ----------------------------------------------------------------------------


def totp_code(device: TOTPDevice) -> str:
    """The code the two-factor device shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_step(page, username: str, password: str = PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    submit(page, "Sign in")


def code_step(page, code: str) -> None:
    page.get_by_label("Token").fill(code)
    submit(page, "Verify")


def sign_in(page, site: str, user) -> None:
    """Password, then the current code of the user's device, on the portal's sign-in page;
    the browser lands on the staff pages."""
    page.goto(site + SIGN_IN)
    password_step(page, user.username)
    assert page.get_by_label("Token").is_visible(), "the code step did not follow the password"
    code_step(page, totp_code(TOTPDevice.objects.get(user=user)))
    assert page.url.removeprefix(site) == LANDING, f"sign-in ended on {page.url}"


# --- Reading and moving about a page -------------------------------------------------------


def h1_text(page) -> str:
    return " ".join(page.get_by_role("heading", level=1).inner_text().split())


def main_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def submit(page, button_name: str, *, within=None):
    """Click the button (in `within`, or anywhere on the page) and wait for the page it
    leads to; its response."""
    scope = within if within is not None else page
    with page.expect_navigation() as navigation:
        scope.get_by_role("button", name=button_name, exact=True).click()
    return navigation.value


def focused(page) -> str:
    """The id of the element with the focus, or its tag name if it has none."""
    return page.evaluate(
        "document.activeElement ? (document.activeElement.id || document.activeElement.tagName)"
        " : ''"
    )


def tab(page, expected: str) -> None:
    """Press Tab once: the focus must move to #expected."""
    page.keyboard.press("Tab")
    assert focused(page) == expected, f"Tab went to {focused(page)!r}, not #{expected}"


def tab_to(page, element_id: str, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until #element_id has the focus, at most `limit` times."""
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page) == element_id:
            return
    pytest.fail(f"{key} never reached #{element_id} on {page.url} (at {focused(page)!r})")


# --- Accessibility and small screens -------------------------------------------------------


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def format_violations(violations: list[dict], where: str = "") -> str:
    lines = [f"{len(violations)} axe violation(s){' on ' + where if where else ''}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" [{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}")
            lines.append(f"       {node.get('html', '').strip()[:200]}")
    return "\n".join(lines)


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations, page.url)


def axe(page, where: str) -> list[str]:
    """axe's violations (WCAG 2.1 A/AA) on the page, as one readable message, or none."""
    violations = axe_violations(page)
    return [format_violations(violations, where)] if violations else []


PHONE_OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  return Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
         (el.className && typeof el.className === 'string'
            ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
}"""


def phone_overflow(page, where: str = "") -> str | None:
    """At 320px wide, a sentence naming what scrolls sideways, or None; the viewport is restored."""
    previous = page.viewport_size or DESKTOP
    page.set_viewport_size(PHONE)
    try:
        if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            return None
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(PHONE_OVERFLOW_JS)
        return (
            f"{where or page.url} scrolls sideways at 320px (content {width}px wide); "
            f"overflowing: {', '.join(wide)}"
        )
    finally:
        page.set_viewport_size(previous)


NEXT_FRAME_JS = (
    "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
)


def dark_axe_violations(page) -> list[dict]:
    """axe's violations with the visitor's system set to dark mode (prefers-color-scheme);
    the page is back in light mode afterwards. Reduced motion turns Bootstrap's colour
    transitions off, so no colour is measured halfway through the switch: neither by axe
    now, nor by the next check after the switch back (motion returns once it is done)."""
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
    try:
        return axe_violations(page)
    finally:
        page.emulate_media(color_scheme="light")
        page.evaluate(NEXT_FRAME_JS)  # the light colours are drawn, without a transition
        page.emulate_media(reduced_motion="no-preference")


def page_problems(page, where: str = "") -> list[str]:
    """axe violations (WCAG 2.1 A/AA) in light and in dark mode, and sideways scrolling at
    320px, as readable messages."""
    where = where or page.url
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(format_violations(violations, where))
    violations = dark_axe_violations(page)
    if violations:
        problems.append(format_violations(violations, f"{where}, dark"))
    overflow = phone_overflow(page, where)
    if overflow:
        problems.append(overflow)
    return problems


BROKEN_WORDS_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('button, a.btn, .nav-link')) {
    if (!el.getClientRects().length) continue;
    const text = el.textContent.trim().replace(/\\s+/g, ' ');
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.getBoundingClientRect().width <= 1) continue;  // visually-hidden
      for (const match of node.data.matchAll(/[^\\s\\-\u2010]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
        if (tops.size > 1) found.push(`${el.tagName.toLowerCase()} "${text}" splits "${match[0]}"`);
      }
    }
  }
  return [...new Set(found)];
}"""


def broken_words(page, where: str = "", viewport: dict | None = None) -> str | None:
    """A sentence naming buttons and nav links whose text splits a word across two lines
    (a "Find" button showing "Fin" over "d") at `viewport` (default PHONE), or None.
    Wrapping between words or at a hyphen is fine. The viewport is restored."""
    previous = page.viewport_size or DESKTOP
    viewport = viewport or PHONE
    page.set_viewport_size(viewport)
    try:
        broken = page.evaluate(BROKEN_WORDS_JS)
    finally:
        page.set_viewport_size(previous)
    if not broken:
        return None
    return f"{where or page.url} at {viewport['width']}px: a word split over two lines: " + (
        "; ".join(broken)
    )


# --- Tables and colour contrast -------------------------------------------------------------

CELL_BROKEN_WORDS_JS = """() => {
  const found = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    if (!cell.getClientRects().length) continue;  // not shown at this width
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.getBoundingClientRect().width <= 1) continue;  // visually-hidden
      for (const match of node.data.matchAll(/[^\\s\\-\u2010]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
        if (tops.size > 1) found.push(`"${match[0]}" in "${cell.textContent.trim().slice(0, 60)}"`);
      }
    }
  }
  return [...new Set(found)];
}"""


def broken_cell_words(page, where: str = "") -> str | None:
    """A sentence naming the words and numbers that a table cell splits over two lines at
    the current width ("1,3" over "38"), or None. Wrapping between words is fine."""
    broken = page.evaluate(CELL_BROKEN_WORDS_JS)
    if not broken:
        return None
    width = (page.viewport_size or DESKTOP)["width"]
    return f"{where or page.url} at {width}px: a table cell splits " + "; ".join(broken)


def _channel(value: int) -> float:
    """One sRGB channel (0-255) as linear light, as WCAG 2.1 defines it."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    red, green, blue = (_channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two opaque colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rgb(css_colour: str) -> tuple[tuple[int, int, int], float]:
    """An "rgb(...)" or "rgba(...)" computed colour as ((red, green, blue), alpha)."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css_colour)]
    alpha = numbers[3] if len(numbers) > 3 else 1.0
    return (round(numbers[0]), round(numbers[1]), round(numbers[2])), alpha


def over(colour: str, background: tuple[int, int, int]) -> tuple[int, int, int]:
    """A computed colour, perhaps translucent, as seen over an opaque background."""
    (red, green, blue), alpha = rgb(colour)
    return tuple(
        round(alpha * c + (1 - alpha) * b)
        for c, b in zip((red, green, blue), background, strict=True)
    )
