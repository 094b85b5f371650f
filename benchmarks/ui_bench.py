"""UI benchmark: how long `streamlit run ui/app.py` takes to show its first page in
Chromium, and how long each page takes to rerun (AppTest, in-process).

Runs offline against a data directory that already has an index (built once in a temporary
directory unless --data-dir names one). Figures are printed, never asserted.

    .venv/bin/python benchmarks/ui_bench.py [--data-dir DIR] [--repeat 3] [--reruns 20]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.config import REPO_ROOT, Settings

# Chromium and the app server are started as in the browser tests (one harness for both).
sys.path.insert(0, str(REPO_ROOT))
from tests.support import (
    APP,
    CHROMIUM,
    CHROMIUM_ARGS,
    app_command,
    app_env,
    free_port,
    stop,
)

KNOWLEDGE = REPO_ROOT / "knowledge"
FIRST_PAGE_GOAL = 5.0  # seconds, `streamlit run` to a usable first page
RERUN_GOAL = 0.200  # seconds per rerun of a page (judged on the p95)
QUESTION = "How do I write a cold email to a possible mentor?"


def build_index(data_dir: Path) -> float:
    from assistant.runtime import Runtime

    settings = Settings(data_dir=data_dir, knowledge_dir=KNOWLEDGE, _env_file=None)  # type: ignore[call-arg]
    start = time.perf_counter()
    report = Runtime(settings).index()
    print(f"index built in {time.perf_counter() - start:.1f} s ({report.chunks_total} passages)")
    return time.perf_counter() - start


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --- first page in Chromium ---------------------------------------------------------


def first_page(browser: Any, data_dir: Path, work: Path) -> tuple[float, float]:
    """(seconds to /_stcore/health answering, seconds to the first usable page), both
    from the moment `streamlit run` is started."""
    import urllib.request

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    db_url = f"sqlite:///{work / f'bench-{port}.db'}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log = (work / f"streamlit-{port}.log").open("wb")
    start = time.perf_counter()
    proc = subprocess.Popen(
        app_command(port),
        env=app_env(data_dir, db_url),
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    healthy = 0.0
    try:
        deadline = start + 120
        while True:  # the server answers its health check
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=1):
                    healthy = time.perf_counter() - start
                    break
            except OSError:
                if time.perf_counter() > deadline:
                    raise RuntimeError("streamlit never answered") from None
                time.sleep(0.02)
        page.goto(url)
        page.get_by_test_id("stSidebarNav").get_by_text("Ask", exact=True).wait_for(
            state="visible", timeout=120_000
        )
        page.get_by_test_id("stChatInputTextArea").wait_for(state="visible", timeout=120_000)
        visible = time.perf_counter() - start
    finally:
        context.close()
        stop(proc)
        log.close()
    return healthy, visible


def bench_first_page(data_dir: Path, work: Path, repeat: int) -> list[tuple[float, float]]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}: first-page timing skipped")
        return []
    out = []
    with sync_playwright() as pw:
        start = time.perf_counter()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        launch = time.perf_counter() - start
        print(f"Chromium launched in {launch:.2f} s (already running before each timing)")
        try:
            for i in range(repeat):
                healthy, visible = first_page(browser, data_dir, work)
                print(f"  run {i + 1}: health {healthy:.2f} s, first page {visible:.2f} s")
                out.append((healthy, visible))
        finally:
            browser.close()
    return out


# --- reruns in AppTest --------------------------------------------------------------


def bench_reruns(data_dir: Path, work: Path, reruns: int) -> dict[str, list[float]]:
    env = app_env(data_dir, f"sqlite:///{work / 'apptest.db'}")
    os.environ.clear()
    os.environ.update(env)

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    # AppTest runs without a server; drop its "no runtime / no ScriptRunContext" warnings
    # (a filter, since AppTest resets logger levels from the config on every run).
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).addFilter(lambda r: r.levelno >= logging.ERROR)

    os.chdir(work)  # no .env of the caller
    st.cache_resource.clear()
    st.cache_data.clear()

    # A conversation with one cited answer, so the Ask page has something to draw.
    setup = AppTest.from_file(str(APP), default_timeout=120).run()
    setup.chat_input[0].set_value(QUESTION).run()
    if setup.exception:
        raise RuntimeError(f"asking failed: {setup.exception}")
    conversation = setup.query_params["c"]

    pages = {
        "Ask (one answered question open)": ("views/ask.py", {"c": conversation}),
        "Library (article list)": ("views/library.py", {}),
        "Settings": ("views/settings.py", {}),
    }
    times: dict[str, list[float]] = {}
    for name, (page, query) in pages.items():
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.query_params.update(query)
        at.run()
        at.switch_page(page).run()  # the first run of the page: excluded
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception}")
        samples = []
        for _ in range(reruns):
            start = time.perf_counter()
            at.run()
            samples.append(time.perf_counter() - start)
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception}")
        times[name] = samples
    return times


# --- report -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, help="a data directory with an index")
    parser.add_argument("--repeat", type=int, default=3, help="first-page runs (default 3)")
    parser.add_argument("--reruns", type=int, default=20, help="reruns per page (default 20)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mentor-ui-bench-") as tmp:
        work = Path(tmp)
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = work / "data"
            print("building an index in a temporary data directory (not timed below)…")
            build_index(data_dir)
        print(f"UI benchmark: {APP.relative_to(REPO_ROOT)}, data {data_dir}")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        print()

        print(f"First page: `streamlit run` → Ask page usable in Chromium (×{args.repeat})")
        firsts = bench_first_page(data_dir, work, args.repeat)
        print()
        print(f"Reruns (AppTest, in-process; first run excluded; {args.reruns} reruns each)")
        reruns = bench_reruns(data_dir, work, args.reruns)

    print()
    print("Results")
    print("-" * 92)
    row = "{:<44} {:>9} {:>9} {:>9}  {:<16} {}"
    print(row.format("measure", "median", "p95", "max", "goal", "result"))
    if firsts:
        visible = [v for _, v in firsts]
        healthy = [h for h, _ in firsts]
        print(
            row.format(
                "first page, seconds (each: " + ", ".join(f"{v:.2f}" for v in visible) + ")",
                f"{statistics.median(visible):.2f}",
                "",
                f"{max(visible):.2f}",
                f"≤ {FIRST_PAGE_GOAL:.0f} s (median)",
                verdict(statistics.median(visible) <= FIRST_PAGE_GOAL),
            )
        )
        print(
            row.format(
                "  of which: server health answering, s",
                f"{statistics.median(healthy):.2f}",
                "",
                f"{max(healthy):.2f}",
                "",
                "",
            )
        )
    for name, samples in reruns.items():
        ms = [s * 1000 for s in samples]
        p95 = percentile(ms, 0.95)
        print(
            row.format(
                f"rerun {name}, ms",
                f"{statistics.median(ms):.1f}",
                f"{p95:.1f}",
                f"{max(ms):.1f}",
                f"≤ {RERUN_GOAL * 1000:.0f} ms (p95)",
                verdict(p95 <= RERUN_GOAL * 1000),
            )
        )
    print()
    print("Notes:")
    print("  first page: wall time from starting `streamlit run` (a new process each time) to")
    print("  the sidebar navigation and the chat input being visible; Chromium was already")
    print("  running. Later runs profit from a warm OS file cache. The first page does not")
    print("  load the embedding model: the first question pays for that.")
    print("  reruns: AppTest.run() of a page already shown once in the same session, with the")
    print("  Runtime cached as in a live server; AppTest adds a little overhead of its own.")


if __name__ == "__main__":
    main()
