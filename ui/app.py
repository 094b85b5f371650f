"""Mentor Assistant — the Streamlit app. Run: `mentor app` (or `streamlit run ui/app.py`).

Pages are discovered from ui/views/*.py (not ui/pages/: see common.PAGES_DIR): adding a
page is adding one file with a `# title:`, `# icon:` and `# order:` header.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PAGES_DIR, ensure_index, mode_badge, page_meta, runtime

st.set_page_config(page_title="Mentor Assistant", page_icon="🧭", layout="wide")

pages = []
for path in sorted(PAGES_DIR.glob("*.py"), key=lambda p: (page_meta(p)["order"], p.name)):
    meta = page_meta(path)
    pages.append(
        st.Page(
            str(path.relative_to(PAGES_DIR.parent)),
            title=meta["title"],
            icon=meta["icon"],
            url_path=meta["url_path"],
            default=not pages,
        )
    )
nav = st.navigation(pages)
rt = runtime()
st.sidebar.markdown("### :material/explore: Mentor Assistant")
mode_badge(rt)
if ensure_index(rt):
    nav.run()
