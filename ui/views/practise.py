# title: Practise
# icon: :material/record_voice_over:
# order: 30
# url_path: practise
"""Practise: answer a scenario's feedback in your own words; a coach scores each reply on
six dimensions, quotes your words, suggests one change each and shows a stronger example.

The scenario and the attempt live in the URL (?s=<scenario>&a=<attempt>), so a reload
reopens them; everything else is read back from the store."""

from __future__ import annotations

import random

import altair as alt
import pandas as pd
import streamlit as st
from common import LIBRARY_PAGE, runtime, safe_markdown, show_error

from assistant.errors import MentorError
from assistant.generation import Done, Status
from assistant.knowledge import Scenario
from assistant.practice import LABELS, MAX_EXCHANGES, MAX_REPLY_CHARS, Scorecard
from assistant.practice_turn import Exchange

ALL = "All"
rt = runtime()
scenarios = rt.scenarios


def choose(scenario_id: str | None, attempt_id: str | None = None) -> None:
    st.query_params.clear()
    if scenario_id:
        st.query_params["s"] = scenario_id
    if attempt_id:
        st.query_params["a"] = attempt_id


def chooser() -> Scenario | None:
    """Filters, the scenario picker and "surprise me"; returns the scenario shown."""
    current = scenarios.get(st.query_params.get("s", ""))
    cats = sorted({s.category for s in scenarios.values()})
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    category = c1.selectbox("Category", [ALL, *cats], key="pr_category")
    difficulty = c2.selectbox("Difficulty", [ALL, "easy", "medium", "hard"], key="pr_difficulty")
    pool = [
        s
        for s in scenarios.values()
        if category in (ALL, s.category) and difficulty in (ALL, s.difficulty)
    ]
    if c3.button("Surprise me", icon=":material/casino:", key="pr_surprise", disabled=not pool):
        choose(random.choice(pool).id)
        st.rerun()
    ids = [s.id for s in pool]
    if not ids:
        st.info("No scenario matches those filters.", icon=":material/filter_alt_off:")
        return None
    index = ids.index(current.id) if current and current.id in ids else None
    picked = st.selectbox(
        "Scenario",
        ids,
        index=index,
        format_func=lambda i: f"{scenarios[i].title} · {scenarios[i].difficulty}",
        placeholder="Choose a scenario…",
        key=f"pr_pick_{category}_{difficulty}_{current.id if current else ''}",
    )
    if picked and (current is None or picked != current.id):
        choose(picked)
        st.rerun()
    return current


def giver_says(scenario: Scenario, text: str) -> None:
    with st.chat_message("giver", avatar=":material/person:"):
        st.caption(f"**{scenario.giver.name}** · {scenario.giver.role}")
        st.markdown(safe_markdown(text, rt))


def scorecard(card: Scorecard, key: str) -> None:
    with st.container(border=True, key=f"card_{key}"):
        st.markdown(f"#### Score {card.total}/12")
        for p in card.points:
            colour = {0: "red", 1: "orange", 2: "green"}[p.score]
            st.markdown(f":{colour}-badge[{LABELS[p.dimension]} {p.score}/2] {p.reason}")
            if p.evidence:
                st.markdown(f"> {safe_markdown(p.evidence, rt)}")
            if p.score < 2:
                st.markdown(f"**Try:** {p.suggestion}")
                st.page_link(
                    LIBRARY_PAGE,
                    label=f"Read: {p.source_title}",
                    icon=":material/menu_book:",
                    query_params={"doc": p.source},
                )
        for note in card.notes:
            st.info(note, icon=":material/info:")


def exchange(scenario: Scenario, n: int, ex: Exchange) -> None:
    with st.chat_message("user"):
        st.markdown(safe_markdown(ex.reply, rt))
    if ex.crisis:
        st.warning("We stopped the practice to check in with you — see the support below.")
    if ex.error:
        st.caption(f":material/warning: {ex.error}")
    if ex.card is not None:
        scorecard(ex.card, str(n))
    if ex.giver_line:
        giver_says(scenario, ex.giver_line)


def progress_chart(scenario: Scenario) -> None:
    only_this = st.toggle("This scenario only", value=False, key="pr_only")
    rows = rt.practice_progress(scenario.id if only_this else None)
    if not rows:
        st.caption("Your scores will appear here after your first reply.")
        return
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("attempt:O", title="Attempt"),
            y=alt.Y(
                "score:Q",
                title="Score",
                scale=alt.Scale(domain=[0, 2]),
                axis=alt.Axis(values=[0, 1, 2]),
            ),
            color=alt.Color("dimension:N", title="Dimension", sort=list(LABELS.values())),
            tooltip=["attempt:O", "dimension:N", "score:Q", "scenario:N", "when:N"],
        )
        .properties(height=260)
    )
    st.altair_chart(chart, use_container_width=True)


def attempt_tools(attempt_id: str) -> None:
    with st.sidebar.expander("This attempt"):
        st.download_button(
            "Export as Markdown",
            data=rt.export_practice(attempt_id),
            file_name=f"mentor-practice-{attempt_id[:8]}.md",
            mime="text/markdown",
            icon=":material/download:",
        )
        sure = st.checkbox("I want to delete it", key=f"pr_confirm_{attempt_id}")
        if sure and st.button("Delete attempt", type="primary", key="pr_delete"):
            rt.delete_practice(attempt_id)
            choose(st.query_params.get("s"))
            st.rerun()


def send(scenario: Scenario, reply: str, attempt_id: str | None) -> None:
    try:
        with st.spinner("Scoring your reply…"):
            result = None
            for event in rt.practise(scenario.id, reply, attempt_id):
                if isinstance(event, Status):
                    st.caption(event.text)
                elif isinstance(event, Done):
                    result = event.result
    except MentorError as exc:
        show_error(exc)
        return
    if result is not None and result.kind == "crisis":
        st.session_state["pr_crisis"] = result.answer
    if result is not None and result.conversation_id:
        choose(scenario.id, result.conversation_id)
    st.rerun()


st.title("Practise")
st.caption(
    "Answer feedback in your own words. A coach scores each reply on six habits, "
    "quotes what you said, and shows a stronger example."
)
scenario = chooser()
if scenario is None:
    st.stop()

attempt_id = st.query_params.get("a")
conv = rt.store.get_conversation(attempt_id) if attempt_id else None
if conv is None or conv.subject != scenario.id:
    attempt_id = None
items = rt.practice_exchanges(attempt_id) if attempt_id else []

st.subheader(scenario.title)
st.markdown(f"_{scenario.setting.strip()}_")
giver_says(scenario, scenario.opening.strip())
for n, ex in enumerate(items, 1):
    exchange(scenario, n, ex)
if crisis := st.session_state.pop("pr_crisis", None):
    st.warning(crisis, icon=":material/favorite:")

finished = bool(items) and (len(items) >= MAX_EXCHANGES or items[-1].giver_line is None)
last_card = next((ex.card for ex in reversed(items) if ex.card is not None), None)
if last_card is not None:
    with st.expander("A stronger example", icon=":material/auto_awesome:"):
        st.markdown(safe_markdown(last_card.example, rt))
if items:
    if st.button("Try again", icon=":material/replay:", key="pr_again"):
        choose(scenario.id)
        st.rerun()
    assert attempt_id is not None
    attempt_tools(attempt_id)

if finished:
    st.success("That's the end of this attempt. Try again to practise it once more.")
else:
    first = scenario.giver.name.split()[0]
    typed = st.chat_input(f"Your reply to {first}…", max_chars=MAX_REPLY_CHARS, key="pr_reply")
    if typed:
        send(scenario, typed, attempt_id)

st.divider()
st.markdown("#### Your progress")
progress_chart(scenario)
