"""The Practise page end to end in headless Chromium (library mode): pick a scenario in
the picker, reply twice, see each scorecard and the progress chart; the attempt is read
back from the app's own SQLite file. Screenshot: $MENTOR_ARTIFACTS/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.knowledge import load_scenarios
from assistant.store import Store
from tests.support import (
    KNOWLEDGE,
    TIMEOUT_MS,
    app_env,
    free_port,
    screenshots_dir,
    start_streamlit,
    stop,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCENARIO = {s.id: s for s in load_scenarios(KNOWLEDGE)}["vague-be-more-strategic"]
FIRST = "Okay, thanks. What do you mean?"


@pytest.fixture(scope="module")
def practice_app(
    full_runtime: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("browser-practice")
    db_url = f"sqlite:///{tmp / 'mentor.db'}"
    port = free_port()
    proc = start_streamlit(
        port, app_env(full_runtime.settings.data_dir, db_url), tmp, tmp / "streamlit.log"
    )
    try:
        yield f"http://127.0.0.1:{port}", db_url
    finally:
        stop(proc)


def send(pg: Any, text: str, cards: int) -> None:
    box = pg.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")
    pg.get_by_text(re.compile(r"^Score \d+/12$")).nth(cards - 1).wait_for()


def test_pick_a_scenario_reply_twice_see_scorecards_and_chart(
    browser: Any, practice_app: tuple[str, str], tmp_path: Path
) -> None:
    url, db_url = practice_app
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        pg.goto(url + "/practise")
        picker = pg.get_by_test_id("stSelectbox").filter(has_text="Scenario")
        picker.click()
        pg.keyboard.type("more strategic")  # the list is long and virtualised: filter it
        pg.get_by_role("option", name=re.compile(re.escape(SCENARIO.title))).click()
        pg.get_by_text(SCENARIO.giver.role).first.wait_for()
        assert "s=vague-be-more-strategic" in pg.url

        send(pg, FIRST, 1)
        vague = next(f.line for f in SCENARIO.follow_ups if f.when == "vague")
        pg.get_by_text(vague).wait_for()  # the giver reacts to a vague reply
        send(pg, SCENARIO.sample_reply, 2)
        body = pg.locator("body").inner_text()
        assert "Acknowledge 1/2" in body and "Clarify 2/2" in body
        assert "Okay, thanks." in body  # quoted evidence
        chart = pg.get_by_test_id("stVegaLiteChart").first
        chart.scroll_into_view_if_needed()
        chart.wait_for()
        drawn = chart.locator("canvas, svg").first
        drawn.wait_for(state="attached")
        box = drawn.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, box
        pg.get_by_text("A stronger example").first.wait_for()
        pg.screenshot(path=str(screenshots_dir() / "practise-library.png"), full_page=True)

        attempt = re.search(r"[?&]a=([0-9a-f-]+)", pg.url)
        assert attempt, pg.url
        msgs = Store.open(db_url).messages(attempt.group(1))
        assert [m.role for m in msgs] == ["user", "assistant", "user", "assistant"]
        assert msgs[0].content == FIRST and msgs[2].content == SCENARIO.sample_reply
    except Exception:
        pg.screenshot(path=str(screenshots_dir() / "practise-library-failed.png"), full_page=True)
        raise
    finally:
        context.close()
