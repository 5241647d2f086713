"""Screenshots of the public site, so the next person can see it: `make screenshots`.

Loads the demo content into the development database (as `make run` does: migrate and the
four demo commands, which change nothing when run again), starts the portal in development
mode on a free port of 127.0.0.1, and saves full-page pictures of home, a program area, the
calendar, an event page, the peer-support request form and the co-responder figures, each
at 375 px (a phone) and 1280 px (a desktop), into docs/screenshots/ as <page>-<width>.png,
in 256 colours; one still above MAX_PNG_BYTES is saved as a JPEG, to keep the repository small.

The server runs without Redis (REDIS_URL is dropped): it caches pages in its own memory,
so no page rendered by older templates can be served from a shared cache. It is stopped in
all cases. Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and Playwright.

    .venv/bin/python bench/screenshots.py
"""

import http.client
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
HOST = "127.0.0.1"
WIDTHS = {"375": {"width": 375, "height": 812}, "1280": {"width": 1280, "height": 900}}
MAX_PNG_BYTES = 400_000
JPEG_QUALITY = 70
DEMO_COMMANDS = [
    ["migrate", "--noinput"],
    ["load_demo"],
    ["load_training_demo"],
    ["load_peersupport_demo"],
    ["load_coresponder_demo"],
]


class ScreenshotError(Exception):
    """A step failed; the message says which and why."""


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "REDIS_CACHE_URL"}}
    env["DJANGO_DEBUG"] = "1"  # development mode: the demo commands refuse production
    return env


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        raise ScreenshotError(f"manage.py {' '.join(args)} failed:\n{output[-3000:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_ready(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ScreenshotError(f"the server exited with {server.returncode}:\n{tail(log_path)}")
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            if status == 200:
                return
            last = f"HTTP {status}"
        except OSError as exc:
            last = str(exc)
        finally:
            conn.close()
        time.sleep(0.5)
    raise ScreenshotError(f"the server was not ready after 60s ({last}):\n{tail(log_path)}")


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def first_link(page, base: str, path: str, selector: str) -> str:
    """The address of the first link matching selector on the page at path."""
    page.goto(base + path)
    href = page.locator(selector).first.get_attribute("href")
    if not href:
        raise ScreenshotError(f"no link matching {selector} on {path}: is the demo loaded?")
    return href


def pages_to_take(page, base: str) -> dict[str, str]:
    """Each picture's name and path; the program area and event are the first ones listed."""
    return {
        "home": "/",
        "program-area": first_link(page, base, "/", "main a[href^='/programs/']"),
        "calendar": "/calendar/",
        "event": first_link(page, base, "/calendar/", "main a[href^='/calendar/events/']"),
        "peer-support-request": "/peer-support/request/",
        "co-responder": "/co-responder/",
    }


def small_png(picture: bytes) -> bytes:
    """The PNG in 256 colours: a page of flat colours and text looks the same, at a third."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.open(io.BytesIO(picture)).convert("RGB").quantize(256).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def save(page, name: str) -> Path:
    """A full-page picture: PNG, or JPEG when the PNG would weigh more than MAX_PNG_BYTES."""
    for old in OUT.glob(f"{name}.*"):
        old.unlink()
    picture = small_png(page.screenshot(full_page=True, animations="disabled"))
    path = OUT / f"{name}.png"
    if len(picture) > MAX_PNG_BYTES:
        picture = page.screenshot(
            full_page=True, animations="disabled", type="jpeg", quality=JPEG_QUALITY
        )
        path = OUT / f"{name}.jpg"
    path.write_bytes(picture)
    return path


def take(base: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(chromium):
        raise ScreenshotError(f"Chromium not found at {chromium} (set CHROMIUM_PATH)")
    OUT.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport=WIDTHS["1280"])
            targets = pages_to_take(page, base)
            for width, viewport in WIDTHS.items():
                page.set_viewport_size(viewport)
                for name, path in targets.items():
                    response = page.goto(base + path, wait_until="networkidle")
                    if response is None or response.status != 200:
                        status = response.status if response else "no answer"
                        raise ScreenshotError(f"{path} answered {status}, not 200")
                    saved.append(save(page, f"{name}-{width}"))
        finally:
            browser.close()
    return saved


def main() -> int:
    env = server_env()
    try:
        for command in DEMO_COMMANDS:
            manage(env, *command)
        port = free_port()
        log_path = Path(tempfile.gettempdir()) / f"marc-screenshots-{port}.log"
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"{HOST}:{port}", "--noreload"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_ready(server, port, log_path)
                saved = take(f"http://{HOST}:{port}")
            finally:
                server.terminate()
                server.wait(timeout=10)
    except ScreenshotError as exc:
        print(f"screenshots failed: {exc}", file=sys.stderr)
        return 1
    for path in saved:
        print(f"{path.relative_to(REPO)}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
