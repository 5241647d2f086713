"""Helpers for the browser tests: axe-core checks with readable failures, viewport sizes."""

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


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


def page_problems(page, where: str = "") -> list[str]:
    """axe violations (WCAG 2.1 A/AA) and sideways scrolling at 320px, as readable messages."""
    where = where or page.url
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(format_violations(violations, where))
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
