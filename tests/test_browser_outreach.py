"""Reach out end to end in headless Chromium: `streamlit run ui/app.py` in a subprocess,
driven by Playwright — fill the form, get drafts, edit one (its rubric re-checks), save it
to the contacts, mark it as sent and see the suggested follow-up date. The app writes to
its own SQLite file, read back through the store. A screenshot goes to
``$MENTOR_ARTIFACTS/screenshots/reach-out.png``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.contacts import add_business_days, history, list_contacts
from assistant.store import Store
from tests.support import (
    TIMEOUT_MS,
    app_env,
    free_port,
    screenshots_dir,
    start_streamlit,
    stop,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FORM = {
    "Your name": "Zoë Ó Súilleabháin",
    "Who you are now": "final-year nursing student",
    "What you hope to get from reaching out": "start my career in neonatal intensive care",
    "Their name, spelt exactly as they write it": "Adaeze Okonkwo-Hale",
    "Their role": "Clinical Nurse Manager",
    "Their organisation": "Harbourline Children's Hospital",
    "How you found them": "She gave the closing talk at the student nurses' conference",
    "One piece of their work you valued, and why": "Her talk on family-integrated care — it "
    "changed how I talk to parents on my placement",
}


@pytest.fixture(scope="module")
def app(full_runtime: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("browser-outreach")
    db_url = f"sqlite:///{tmp / 'mentor.db'}"
    port = free_port()
    proc = start_streamlit(
        port, app_env(full_runtime.settings.data_dir, db_url), tmp, tmp / "streamlit.log"
    )
    try:
        yield f"http://127.0.0.1:{port}", db_url
    finally:
        stop(proc)


def test_draft_edit_save_and_track(browser: Any, app: tuple[str, str]) -> None:
    url, db_url = app
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(url + "/reach-out")
        page.get_by_role("heading", name="Reach out").wait_for()
        for label, value in FORM.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name="Write drafts").click()
        page.get_by_text("Draft 1 · Lead with their work").wait_for()
        bodies = page.get_by_label("Message", exact=True)
        wait_until(lambda: bodies.count() >= 2, what="two or three drafts")
        first = bodies.first.input_value()
        assert first.startswith("Hi Adaeze,") and "family-integrated care" in first
        assert page.get_by_text(re.compile("no placeholder")).count() >= 2  # each draft's ticks

        # edit: a placeholder fails the re-check; the count follows the text
        bodies.first.fill(first.replace("Hi Adaeze,", "Hi [Name],"))
        bodies.first.press("Tab")
        page.get_by_text(re.compile(r"Replace the placeholder '\[Name\]'")).wait_for()
        fixed = first + "\n\nP.S. Thank you for the talk."
        bodies.first.fill(fixed)
        bodies.first.press("Tab")
        count = f"{len(fixed.strip())} characters · {len(fixed.split())} words"
        page.get_by_text(count).first.wait_for()
        wait_until(
            lambda: page.get_by_text("Replace the placeholder").count() == 0,
            what="the re-check to pass",
        )

        # save, then mark as sent: the suggested follow-up date appears
        page.get_by_role("button", name="Save to contacts").first.click()
        store = Store.open(db_url)
        wait_until(lambda: list_contacts(store), what="a saved contact")
        [contact] = list_contacts(store)
        assert contact.name == "Adaeze Okonkwo-Hale"
        assert history(store, contact.id)[0]["body"] == fixed.strip()
        page.get_by_role("combobox", name="Status").click()
        page.get_by_role("option", name="sent", exact=True).click()
        due = add_business_days(dt.datetime.now(dt.UTC).date(), 7).isoformat()
        page.get_by_text(f"Follow up by {due}").wait_for()
        today = dt.datetime.now(dt.UTC).date()

        def shown(part: str) -> str | None:
            spin = page.get_by_role("spinbutton", name=f"{part}, Date sent")
            return str(spin.get_attribute("aria-valuenow")) if spin.count() else None

        wait_until(
            lambda: (
                [shown("year"), shown("month"), shown("day")]
                == [str(today.year), str(today.month), str(today.day)]
            ),
            what="date sent",
        )
        assert list_contacts(store)[0].status == "sent"
        page.get_by_text(f"Follow up by {due}").scroll_into_view_if_needed()
        path = screenshots_dir() / "reach-out.png"
        page.screenshot(path=str(path), full_page=True)
        assert Path(path).stat().st_size > 10_000
    finally:
        context.close()
