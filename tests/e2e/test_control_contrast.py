"""Form controls that people can see (issue 14; WCAG 2.1 1.4.11 and 1.4.3).

On the peer support request form, the training registration form and the sign-in page at
1280 px, in light and in dark mode (prefers-color-scheme), every input, select, textarea,
radio button, checkbox and button has an edge at least 3:1 against the colour behind it
(Bootstrap's #dee2e6 is 1.3:1), a keyboard focus ring at least 3:1 against that colour,
and text at least 4.5:1 against its own fill. The colours are the browser's computed
styles, not the stylesheet's words.
"""

from tests.e2e.helpers import contrast_ratio, over, rgb
from tests.training.factories import EventFactory

CONTROLS = "input:not([type=hidden]), select, textarea, button"

# For each control shown and enabled: its colours, and the opaque colour behind it (the
# first ancestor with a background; the page is white).
COLOURS_JS = """(selector) => {
  const behind = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (!/rgba\\(.*,\\s*0\\)$/.test(colour) && colour !== 'transparent') return colour;
    }
    return 'rgb(255, 255, 255)';
  };
  return Array.from(document.querySelectorAll(selector))
    .filter(el => el.getClientRects().length && !el.disabled &&
                  el.getBoundingClientRect().width > 1)
    .map((el, index) => {
      if (!el.dataset.contrastKey) el.dataset.contrastKey = String(index);
      const style = getComputedStyle(el);
      return {
        key: el.dataset.contrastKey,
        name: el.tagName.toLowerCase() + (el.type ? `[${el.type}]` : '') +
              (el.id ? '#' + el.id : '') +
              ` "${(el.tagName === 'BUTTON' ? el.textContent : el.name).trim().slice(0, 30)}"`,
        kind: el.tagName === 'BUTTON' || ['submit', 'button'].includes(el.type) ? 'button'
              : ['radio', 'checkbox'].includes(el.type) ? 'check' : 'field',
        behind: behind(el),
        background: style.backgroundColor,
        border: style.borderTopStyle === 'none' || parseFloat(style.borderTopWidth) === 0
                ? 'rgba(0, 0, 0, 0)' : style.borderTopColor,
        text: style.color,
        hasText: (el.value || el.textContent || '').trim() !== '' || el.tagName !== 'BUTTON',
      };
    });
}"""

FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || !el.dataset.contrastKey) return null;
  const style = getComputedStyle(el);
  return {key: el.dataset.contrastKey, style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), colour: style.outlineColor};
}"""


def _opaque(colour: str) -> bool:
    return rgb(colour)[1] > 0


def _control_problems(control: dict) -> list[str]:
    """The edge and the text of one control, against the colours around them."""
    behind = over(control["behind"], (255, 255, 255))
    fill = over(control["background"], behind) if _opaque(control["background"]) else behind
    name, problems = control["name"], []
    edges = [over(control["border"], fill)] if _opaque(control["border"]) else []
    if _opaque(control["background"]):
        edges.append(fill)  # a white field on the navy header is seen by its fill
    if control["kind"] != "button" or edges:  # a button drawn as a link has no edge to see
        best = max((contrast_ratio(edge, behind) for edge in edges), default=1.0)
        if best < 3:
            problems.append(f"{name}: its edge is {best:.2f}:1 against {control['behind']}")
    if control["kind"] != "check" and control["hasText"]:
        ratio = contrast_ratio(over(control["text"], fill), fill)
        if ratio < 4.5:
            problems.append(f"{name}: its text is {ratio:.2f}:1")
    return problems


def _page_problems(page, url: str, where: str) -> list[str]:
    response = page.goto(url)
    assert response.ok, f"{where}: {response.status}"
    controls = {control["key"]: control for control in page.evaluate(COLOURS_JS, CONTROLS)}
    assert controls, f"{where} shows no form controls"
    problems = [
        f"{where}: {problem}"
        for control in controls.values()
        for problem in _control_problems(control)
    ]

    # The keyboard's focus, control by control: Tab from the top of the page to its end.
    focused: set[str] = set()
    for _ in range(len(controls) + 60):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUSED_JS)
        if ring is None or ring["key"] in focused:
            continue
        focused.add(ring["key"])
        control = controls[ring["key"]]
        behind = over(control["behind"], (255, 255, 255))
        ratio = contrast_ratio(over(ring["colour"], behind), behind)
        if ring["style"] == "none" or ring["width"] < 2 or ratio < 3:
            problems.append(
                f"{where}: {control['name']} has focus ring {ring['style']} "
                f"{ring['width']}px at {ratio:.2f}:1"
            )
    radios = {c["key"] for c in controls.values() if "[radio]" in c["name"]}
    unreached = [c["name"] for k, c in controls.items() if k not in focused and k not in radios]
    assert not unreached, f"{where}: the keyboard never reached {unreached}"
    return problems


def test_every_control_and_its_focus_ring_stand_out(site, page):
    event = EventFactory(title="Radio procedures for new call-takers")

    problems = []
    for scheme in ("light", "dark"):
        # Reduced motion turns Bootstrap's colour transitions off: a colour is read as it
        # ends, never halfway through a fade.
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        problems += _page_problems(
            page, site + "/peer-support/request/", f"peer support request ({scheme})"
        )
        problems += _page_problems(
            page,
            site + f"/calendar/events/{event.pk}/register/",
            f"training registration ({scheme})",
        )
        problems += _page_problems(page, site + "/account/login/", f"sign-in page ({scheme})")
    assert not problems, "\n".join(problems)
