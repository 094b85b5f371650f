# title: Library
# icon: :material/menu_book:
# order: 20
# url_path: library
"""Library: browse and search the guidance; read an article with its sources."""

from __future__ import annotations

import streamlit as st
from common import ASK_PAGE, PENDING_QUESTION, library_links, runtime, safe_markdown

from assistant.knowledge import INDUSTRIES, STAGE_LABELS, Article, load_articles

rt = runtime()


@st.cache_data(show_spinner=False)
def articles(knowledge_dir: str) -> dict[str, Article]:
    from pathlib import Path

    return {a.id: a for a in load_articles(Path(knowledge_dir))}


by_id = articles(str(rt.settings.knowledge_dir))
doc = st.query_params.get("doc")

if doc and doc in by_id:
    a = by_id[doc]
    if st.button("← All articles", key="back"):
        st.query_params.pop("doc", None)
        st.rerun()
    st.caption(STAGE_LABELS.get(a.meta.stage, a.meta.stage))
    st.info(a.meta.summary, icon=":material/lightbulb:")
    body = a.body
    # Links between articles (../stage/id.md) survive sanitising; point them here after it.
    st.markdown(library_links(safe_markdown(body, rt)))
    if a.meta.questions:
        with st.expander("Questions this article answers"):
            # Streamlit centres a button's label; long questions read better left-aligned.
            st.html(
                "<style>[class*='st-key-askq_'] button {justify-content: flex-start;"
                " text-align: left}</style>"
            )
            for i, q in enumerate(a.meta.questions):
                if st.button(q, key=f"askq_{i}", icon=":material/forum:", type="tertiary"):
                    # Ask opens a new conversation with this question
                    st.session_state[PENDING_QUESTION] = q
                    st.switch_page(ASK_PAGE)
    st.divider()
    st.markdown("**Sources and frameworks**")
    for s in a.meta.sources:
        st.markdown(f"- {safe_markdown(s, rt)}")
    st.caption(f"Last reviewed {a.meta.reviewed:%d %B %Y} · knowledge/{a.path.as_posix()}")
    related = [by_id[r] for r in a.meta.related if r in by_id]
    if related:
        st.markdown("**Related articles**")
        for r in related:
            if st.button(r.title, key=f"rel_{r.id}"):
                st.query_params["doc"] = r.id
                st.rerun()
    st.stop()

if doc:
    st.warning("That article is not in the library.")

st.title("Library")
st.caption(f"{len(by_id)} articles written for mentees, in our own words.")
c1, c2, c3 = st.columns([2, 1, 1])
query = c1.text_input("Search", placeholder="e.g. following up after no reply", key="lib_q")
stage = c2.selectbox(
    "Stage",
    ["All", *STAGE_LABELS],
    format_func=lambda s: "All stages" if s == "All" else STAGE_LABELS[s],
    key="lib_stage",
)
industry = c3.selectbox(
    "Industry",
    ["All", *INDUSTRIES],
    format_func=lambda s: "All industries" if s == "All" else s.replace("-", " ").title(),
    key="lib_industry",
)
stage_f = None if stage == "All" else stage
industry_f = None if industry == "All" else industry

if query.strip():
    found = rt.retriever().retrieve(query, k=10, stage=stage_f, industry=industry_f)
    shown = [by_id[r.doc_id] for r in found.results if r.doc_id in by_id]
    if found.rejected:
        st.info("No guidance found for that search. Try other words, or browse below.")
        shown = []
else:
    shown = [
        a
        for a in by_id.values()
        if (stage_f is None or a.meta.stage == stage_f)
        and a.applies_to(industry_f)
    ]
    shown.sort(key=lambda a: (list(STAGE_LABELS).index(a.meta.stage), a.title))

for a in shown:
    with st.container(border=True):
        st.markdown(f"**{a.title}**  \n:gray[{STAGE_LABELS[a.meta.stage]}]")
        st.caption(a.meta.summary)
        if st.button("Read", key=f"read_{a.id}"):
            st.query_params["doc"] = a.id
            st.rerun()
