# title: Ask
# icon: :material/forum:
# order: 10
# url_path: ask
"""Ask: a grounded conversation with numbered, openable sources."""

from __future__ import annotations

import streamlit as st
from common import (
    LIBRARY_PAGE,
    PENDING_QUESTION,
    library_links,
    runtime,
    safe_markdown,
    show_error,
)

from assistant.errors import InputError, MentorError
from assistant.generation import Done, Status, Token, excerpt
from assistant.store import Message, export_markdown

RETRY = "retry_conversation"  # session key: retry this conversation's failed answer
STARTERS = [
    "How do I ask someone to be my mentor?",
    "My manager said I need to be 'more strategic'. What does that mean?",
    "How do I set career goals when I'm changing careers?",
    "I feel like a fraud at my new job. What can I do?",
]

rt = runtime()
store = rt.store

# --- which conversation (kept in the URL, so a reload reopens it) -------------------
conv_id = st.query_params.get("c")
conversation = store.get_conversation(conv_id) if conv_id else None
if conv_id and conversation is None:
    st.query_params.pop("c", None)


def open_conversation(cid: str | None) -> None:
    if cid:
        st.query_params["c"] = cid
    else:
        st.query_params.pop("c", None)


# A question sent from another page (the Library's "Questions this article answers")
# starts a new conversation.
pending: str | None = st.session_state.pop(PENDING_QUESTION, None)
if pending:
    conversation = None
    open_conversation(None)


with st.sidebar:
    st.markdown("#### Conversations")
    if st.button("New conversation", icon=":material/add:", use_container_width=True):
        open_conversation(None)
        st.rerun()
    find = st.text_input(
        "Search conversations",
        key="conv_search",
        placeholder="Search…",
        label_visibility="collapsed",
    )
    found = store.list_conversations(50, feature="ask", search=find or None)
    if find and not found:
        st.caption("No conversation matches.")
    for c in found:
        label = ("▸ " if conversation and c.id == conversation.id else "") + c.title
        if st.button(label, key=f"conv_{c.id}", use_container_width=True):
            open_conversation(c.id)
            st.rerun()
    if conversation is not None:
        st.divider()
        with st.expander("This conversation"):
            # Keys carry the conversation id: a widget keeps its state across reruns, so a
            # shared key would show (and save) the title of the conversation opened before.
            title = st.text_input(
                "Title",
                value=conversation.title,
                key=f"rename_title_{conversation.id}",
                max_chars=200,
            )
            if st.button("Rename", key="rename"):
                store.rename_conversation(conversation.id, title)
                st.rerun()
            st.download_button(
                "Export as Markdown",
                data=export_markdown(conversation, store.messages(conversation.id)),
                file_name=f"mentor-conversation-{conversation.id[:8]}.md",
                mime="text/markdown",
                icon=":material/download:",
            )
            sure = st.checkbox("I want to delete it", key=f"confirm_delete_{conversation.id}")
            if sure and st.button("Delete conversation", type="primary", key="delete"):
                store.delete_conversation(conversation.id)
                open_conversation(None)
                st.rerun()

st.title("Ask")
st.caption("Career and mentoring guidance, grounded in our library — every answer cites it.")


def render_sources(message: Message) -> None:
    for c in message.citations:
        head = f" — {c['heading']}" if c.get("heading") else ""
        with st.expander(f"[{c['n']}] {c['title']}{head}"):
            text = c.get("text", "")
            st.markdown(library_links(safe_markdown(excerpt(text) or text, rt)))
            if c["doc_id"].startswith("scenario:"):  # a practice scenario, not in the Library
                st.caption("A practice scenario from our feedback role-plays.")
                continue
            st.page_link(
                LIBRARY_PAGE,
                label=f"Read “{c['title']}” in the Library",
                icon=":material/menu_book:",
                query_params={"doc": c["doc_id"]},
            )


def render_message(message: Message) -> None:
    if message.role == "user":
        with st.chat_message("user"):
            st.markdown(safe_markdown(message.content, rt))
        return
    avatar = ":material/favorite:" if message.kind == "crisis" else ":material/explore:"
    with st.chat_message("assistant", avatar=avatar):
        body = safe_markdown(message.content, rt)
        if message.kind == "crisis":
            st.warning(body, icon=":material/favorite:")
        elif message.kind in ("no_guidance", "out_of_scope"):
            st.info(body, icon=":material/travel_explore:")
        else:
            st.markdown(body)
        if message.status == "fallback":
            st.info(
                f"The model could not answer, so this is the library-mode answer. "
                f"{message.error or ''}",
                icon=":material/info:",
            )
        elif message.status != "complete" and message.error:
            st.error(message.error, icon=":material/error:")
        can_retry = message.status != "complete" and message.id == last_id
        if (
            can_retry
            and rt.settings.model_name
            and st.button("Retry with the model", icon=":material/refresh:", key="retry")
        ):
            st.session_state[RETRY] = message.conversation_id
        if message.citations:
            st.caption("Sources")
            render_sources(message)
        if message.kind in ("answer", "closest") and message.status == "complete":
            key = f"fb_{message.id}"
            if key not in st.session_state and message.rating is not None:
                st.session_state[key] = 1 if message.rating > 0 else 0
            choice = st.feedback("thumbs", key=key)
            rating = None if choice is None else (1 if choice == 1 else -1)
            if rating != message.rating:
                store.rate_message(message.id, rating)


messages = store.messages(conversation.id) if conversation else []
last_id = messages[-1].id if messages else None
for m in messages:
    render_message(m)
retrying = conversation is not None and st.session_state.pop(RETRY, None) == conversation.id

if not messages and not pending:
    st.markdown("**Try one of these:**")
    cols = st.columns(2)
    for i, q in enumerate(STARTERS):
        if cols[i % 2].button(q, key=f"starter_{i}", use_container_width=True):
            pending = q

# No max_chars on the box: Streamlit would silently drop a longer paste. A message over
# the limit is kept here, to trim and send again.
typed = st.chat_input("Ask about goals, mentors, outreach, feedback or growth…")
TOO_LONG = "too_long_question"
if typed and len(typed.strip()) > rt.settings.max_question_chars:
    st.session_state[TOO_LONG] = typed
    typed = None
if TOO_LONG in st.session_state:
    limit = rt.settings.max_question_chars
    kept = st.session_state[TOO_LONG]
    st.warning(
        f"That message is {len(kept):,} characters; the limit is {limit:,}. Trim about "
        f"{len(kept) - limit:,} characters — keep the situation in a few sentences and the "
        "question you most want answered. Your text is kept below.",
        icon=":material/content_cut:",
    )
    edited = st.text_area("Your message", value=kept, height=240, key="too_long_edit")
    st.caption(f"{len(edited):,} / {limit:,} characters")
    c1, c2 = st.columns(2)
    if c1.button("Ask this", type="primary", disabled=len(edited.strip()) > limit):
        st.session_state.pop(TOO_LONG, None)
        pending = edited
    if c2.button("Discard"):
        st.session_state.pop(TOO_LONG, None)
        st.rerun()
question = pending or typed
if question or retrying:
    try:
        events = rt.ask(
            question or "", conversation.id if conversation else None, retry=retrying
        )
    except MentorError as exc:
        show_error(exc)
        st.stop()
    if question:
        with st.chat_message("user"):
            st.markdown(safe_markdown(question, rt))
    with st.chat_message("assistant", avatar=":material/explore:"):
        status_line = st.empty()
        placeholder = st.empty()
        result = None
        try:
            for event in events:
                if isinstance(event, Status):
                    status_line.caption(event.text)
                elif isinstance(event, Token):
                    placeholder.markdown(event.shown + " ▌")
                elif isinstance(event, Done):
                    result = event.result
        except (InputError, MentorError) as exc:
            show_error(exc)
            st.stop()
    if result is not None and result.conversation_id:
        open_conversation(result.conversation_id)
    st.rerun()
