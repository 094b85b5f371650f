"""A new user's first run, recorded: a fresh clone, README's two commands, timings, and
screenshots of the first page, a first answer, the Library and Settings.

    .venv/bin/python benchmarks/first_run.py [--skip-tests] [--port 8501]

It clones this checkout into a temporary folder, runs README's first command there
(installing into a new virtual environment, then `mentor app`, which builds the index in
the terminal before serving), waits for the app, drives it in headless Chromium, stops it,
runs README's second command (the tests) unless told not to, and writes
evals/reports/first-run.md with the screenshots beside it. It prints figures; it asserts
nothing about time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

REPORT = ROOT / "evals" / "reports" / "first-run.md"
SHOTS = ROOT / "evals" / "reports" / "first-run"
QUESTION = "I keep emailing people for advice and nobody replies. What am I doing wrong?"


def readme_commands() -> tuple[str, str]:
    """The first two bash blocks of README's Quick start: set up and start, then test."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1]
    blocks = re.findall(r"```bash\n(.+?)\n```", quick, flags=re.S)
    return blocks[0].strip(), blocks[1].strip()


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return time.monotonic() - t0
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the app did not come up")


def screenshots(port: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        t0 = time.monotonic()
        page.goto(f"http://localhost:{port}/", wait_until="networkidle")
        page.get_by_text("Try one of these").wait_for(timeout=60_000)
        timings["first page (s)"] = time.monotonic() - t0
        page.screenshot(path=str(SHOTS / "1-first-page.png"))
        t0 = time.monotonic()
        box = page.get_by_placeholder("Ask about goals")
        box.fill(QUESTION)
        box.press("Enter")
        page.get_by_text("Sources").first.wait_for(timeout=60_000)
        timings["first answer (s)"] = time.monotonic() - t0
        page.screenshot(path=str(SHOTS / "2-first-answer.png"), full_page=True)
        page.goto(f"http://localhost:{port}/library", wait_until="networkidle")
        page.get_by_text("articles written for mentees").wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "3-library.png"))
        page.goto(f"http://localhost:{port}/settings", wait_until="networkidle")
        page.get_by_text("Where each setting comes from").wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "4-settings.png"))
        browser.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--port", type=int, default=8501)
    args = parser.parse_args()
    setup_cmd, test_cmd = readme_commands()
    work = Path(tempfile.mkdtemp(prefix="mentor-first-run-"))
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTOR_", "OPENAI_"))}
    env["MENTOR_DATA_DIR"] = str(work / "data")  # a new user's empty data folder
    env.pop("DISPLAY", None)
    log = work / "setup.log"
    figures: dict[str, float] = {}
    t0 = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "-c", setup_cmd],
            cwd=clone,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(args.port, proc, timeout=3600)
        figures["first command → app serving (s)"] = time.monotonic() - t0
        text = log.read_text(errors="replace")
        figures["index build reported (s)"] = float(
            re.search(r"Library ready: .*?; ([\d.]+)s", text).group(1)  # type: ignore[union-attr]
        )
        figures.update(screenshots(args.port))
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    if not args.skip_tests:
        t0 = time.monotonic()
        res = subprocess.run(
            ["bash", "-c", test_cmd],
            cwd=clone,
            env={**env, "MENTOR_ARTIFACTS": str(work / "a")},
            capture_output=True,
            text=True,
        )
        figures["second command: tests (s)"] = time.monotonic() - t0
        summary = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else "(no output)"
    else:
        summary = "not run (--skip-tests)"
    lines = [
        "# First run, as a new user",
        "",
        f"`benchmarks/first_run.py` on {os.cpu_count()} cores: a fresh clone, README's two "
        "commands, then the app in headless Chromium.",
        "",
        f"1. `{setup_cmd}`",
        f"2. `{test_cmd}` → {summary}",
        "",
        "| step | seconds |",
        "|---|---|",
        *[f"| {k.removesuffix(' (s)')} | {v:.1f} |" for k, v in figures.items()],
        "",
        "![first page](first-run/1-first-page.png)",
        "![first answer](first-run/2-first-answer.png)",
        "![library](first-run/3-library.png)",
        "![settings](first-run/4-settings.png)",
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
