"""Shared pieces for the pages: the runtime, the mode badge, safe rendering.

Pages stay thin: they call into ``assistant`` and render. ``st.session_state`` holds only
UI state; anything worth keeping goes through the store at once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import streamlit as st

from assistant.config import load_settings
from assistant.errors import MentorError
from assistant.runtime import Runtime

UI_DIR = Path(__file__).resolve().parent
# Not "pages": Streamlit treats a pages/ folder next to the entrypoint as an old-style
# multipage app and, on a direct URL such as /library, runs that file alone, skipping
# app.py (no navigation, mode badge, page config or first-run indexing).
PAGES_DIR = UI_DIR / "views"
LIBRARY_PAGE = "views/library.py"
ASK_PAGE = "views/ask.py"
PENDING_QUESTION = "pending_question"  # session key: a question another page asks on Ask


@st.cache_resource(show_spinner=False)
def _runtime(_key: str) -> Runtime:
    return Runtime(load_settings())


def runtime() -> Runtime:
    """One Runtime per process (models and indexes are heavy); reset after settings change."""
    return _runtime(st.session_state.get("_settings_generation", "0"))


def reset_runtime() -> None:
    _runtime.clear()
    st.session_state["_settings_generation"] = str(
        int(st.session_state.get("_settings_generation", "0")) + 1
    )


def safe_markdown(text: str, rt: Runtime) -> str:
    """Text from a model, a document or a user, made safe to render as Markdown.

    Idempotent: stored model answers were already sanitised (HTML escaped) by the chat
    turn, so entities are decoded first and escaped exactly once — otherwise "&lt;" and
    "Q&amp;A" would show up literally on screen.
    """
    import html

    from assistant.safety import sanitise_output

    shown, _ = sanitise_output(html.unescape(text), rt.allowed_urls)
    return shown


def mode_badge(rt: Runtime) -> None:
    s = rt.settings
    for note in rt.notices():
        st.sidebar.warning(note, icon=":material/warning:")
    if s.model_mode == "library":
        st.sidebar.markdown(":blue-badge[:material/menu_book: Library mode]")
        st.sidebar.caption("Answers are composed from our guidance. Add a model in Settings.")
    else:
        st.sidebar.markdown(f":green-badge[:material/smart_toy: {s.model_name}]")
        st.sidebar.caption(s.mode_label())


def show_error(exc: MentorError) -> None:
    st.error(f"{exc.message} {exc.hint}".strip(), icon=":material/error:")


def ensure_index(rt: Runtime) -> bool:
    """Build the index on first run, with progress, instead of failing."""
    from assistant.index import build_progress

    try:
        running = build_progress(rt.settings)
        if running is None and not rt.index_needed():
            return True
    except MentorError as exc:
        show_error(exc)
        return False
    if running is not None:
        # Another process (`mentor index`, or `mentor app` starting) is building: show its
        # progress rather than starting a second build.
        import time

        done, total = int(running.get("done", 0)), int(running.get("total", 0))
        st.info(
            "The guidance library is being prepared in another window…",
            icon=":material/hourglass_top:",
        )
        st.progress(done / total if total else 0.0, text=f"Embedding passages: {done}/{total}")
        time.sleep(1.0)
        st.rerun()
    with st.status("Preparing the guidance library (first run)…", expanded=True) as status:
        bar = st.progress(0.0, text="Reading articles…")

        def progress(phase: str, done: int, total: int) -> None:
            bar.progress(done / max(total, 1), text=f"Embedding passages: {done}/{total}")

        try:
            report = rt.index(progress)
        except MentorError as exc:
            status.update(label="Could not build the library", state="error")
            show_error(exc)
            return False
        status.update(
            label=f"Library ready: {report.chunks_total} passages", state="complete", expanded=False
        )
    return True


LINK_RE = re.compile(r"\]\((?:\.\./)?(?:[a-z-]+/)?([a-z0-9-]+)\.md(?:#[^)]*)?\)")


def library_links(markdown: str) -> str:
    """Turn links between articles (../stage/id.md) into links to the Library page."""
    return LINK_RE.sub(lambda m: f"](/library?doc={m.group(1)})", markdown)


def page_meta(path: Path) -> dict[str, Any]:
    """Read a page's `# title:`, `# icon:` and `# order:` header lines."""
    meta: dict[str, Any] = {
        "title": path.stem.replace("_", " ").title(),
        "icon": None,
        "order": 100,
        "url_path": path.stem,
    }
    for line in path.read_text(encoding="utf-8").splitlines()[:8]:
        m = re.match(r"#\s*(title|icon|order|url_path):\s*(.+)", line)
        if m:
            meta[m.group(1)] = int(m.group(2)) if m.group(1) == "order" else m.group(2).strip()
    return meta
