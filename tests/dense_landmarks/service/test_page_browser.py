"""The try-on page in headless Chromium (Debian's ``chromium`` driven by playwright).

Loads the page from the live server, uploads the bundled photo, waits for the result and checks
it on the canvas: the make-up result differs from the input on the lips once make-up rendering
is installed; until then, the dense contour overlay is drawn on the lips. Every request the page
makes must go to the server's own origin. Screenshot: ``out/service/page.png`` (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the 'serve' extra is not installed")

from dense_landmarks.service.routes import feature_available
from tests.dense_landmarks.service.corpus import EXAMPLE

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SHOT = Path(__file__).resolve().parents[3] / "out" / "service" / "page.png"

# mean absolute RGB difference between the shown image and the input, inside the lips' box
LIPS_DIFF_JS = """() => {
  const face = window.tryon.faces[0];
  const lips = face.contours.outer_lips;
  const xs = lips.map(p => p[0]), ys = lips.map(p => p[1]);
  const x0 = Math.floor(Math.min(...xs)), y0 = Math.floor(Math.min(...ys));
  const w = Math.ceil(Math.max(...xs)) - x0 + 1, h = Math.ceil(Math.max(...ys)) - y0 + 1;
  const before = document.getElementById('before').getContext('2d').getImageData(x0, y0, w, h).data;
  const img = document.getElementById('after');
  const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
  const after = ctx.getImageData(x0, y0, w, h).data;
  let s = 0; for (let i = 0; i < before.length; i += 4)
    s += Math.abs(before[i] - after[i]) + Math.abs(before[i+1] - after[i+1]) + Math.abs(before[i+2] - after[i+2]);
  return s / (3 * w * h);
}"""

# fraction of overlay pixels drawn (alpha > 0) on the lips' contour points
OVERLAY_ON_LIPS_JS = """() => {
  const lips = window.tryon.faces[0].contours.outer_lips;
  const ctx = document.getElementById('overlay').getContext('2d');
  let hit = 0;
  for (const [x, y] of lips) if (ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data[3] > 0) hit++;
  return hit / lips.length;
}"""


# Chromium's own test camera (a moving pattern, no face) and no permission prompt
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM), args=FLAGS + FAKE_CAMERA, headless=True
        )
        yield b
        b.close()


def test_page_finds_the_face_and_shows_the_result(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    page.wait_for_function("() => window.tryon && window.tryon.ready")
    page.set_input_files("#file", str(EXAMPLE))
    page.wait_for_function("() => window.tryon.faces.length > 0", timeout=30_000)
    if feature_available("makeup"):
        page.wait_for_function("() => window.tryon.makeupDone > 0", timeout=30_000)
        page.fill("#split", "30")
        page.dispatch_event("#split", "input")
        assert page.evaluate(LIPS_DIFF_JS) > 5
    else:
        assert "not installed" in page.inner_text("#makeup-note")
        assert page.evaluate(OVERLAY_ON_LIPS_JS) > 0.9
    page.wait_for_function("() => window.tryon.busy === 0", timeout=30_000)
    assert "1 face" in page.inner_text("#status") or "applied" in page.inner_text("#status")
    # the contour toggle clears and redraws the overlay
    page.uncheck("#show-contours")
    assert page.evaluate(OVERLAY_ON_LIPS_JS) == 0
    page.check("#show-contours")
    # keyboard: the controls are real, focusable form elements in order
    page.focus("#file")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "camera-start"
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT), full_page=True)
    assert not errors, errors
    own = (server.url + "/", f"blob:{server.url}/")  # the result image is a blob of a reply
    assert requests and all(u.startswith(own) for u in requests), requests
    page.close()


def test_docs_page_renders_the_openapi_offline(server, browser):
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + "/docs")
    page.wait_for_selector("text=POST /v1/landmarks")
    assert page.locator("h2").count() >= 6
    assert all(u.startswith(server.url + "/") for u in requests), requests
    page.close()


def test_webcam_shot_goes_through_the_same_analysis(server, browser):
    context = browser.new_context(permissions=["camera"])
    page = context.new_page()
    page.goto(server.url + "/")
    page.wait_for_function("() => window.tryon && window.tryon.ready")
    page.click("#camera-start")
    page.wait_for_function("() => document.getElementById('video').videoWidth > 0")
    assert page.evaluate("document.activeElement.id") == "capture"
    page.keyboard.press("Enter")  # "Take photo" from the keyboard
    page.wait_for_function(
        "() => window.tryon.analysed > 0 && window.tryon.busy === 0", timeout=30_000
    )
    status = page.inner_text("#status")
    assert "found" in status or "applied" in status, status  # Chromium's test pattern: no face
    assert page.is_hidden("#camera")
    assert page.evaluate("document.getElementById('before').width") > 0
    context.close()
