# title: Reach out
# icon: :material/send:
# order: 20
# url_path: reach-out
"""Reach out: a first message, follow-up or thank-you to a possible mentor — drafts side by
side with their rubric, edited and re-checked in place, saved to a contact whose status
and follow-up date are tracked. Thin: Runtime.draft and assistant.outreach/contacts do
the work; the drafts shown are the ones saved in the store (the URL names them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st
from common import runtime, show_error

from assistant import contacts as ct
from assistant.errors import MentorError
from assistant.outreach import recheck, to_eml, to_txt
from assistant.outreach_request import ASKS, CHANNELS, TONES, parse_request

rt = runtime()
store = rt.store
LABELS = {
    "their_work": "Lead with their work",
    "shared_context": "Lead with what you share",
    "shortest": "The shortest",
}
FIELDS = {  # form key -> (part, field, label)
    "f_mentee_name": ("mentee", "name", "Your name"),
    "f_mentee_current": ("mentee", "current", "Who you are now"),
    "f_mentee_goal": ("mentee", "goal", "What you hope to get from reaching out"),
    "f_mentee_link": ("mentee", "link", "Your LinkedIn or portfolio link (optional)"),
    "f_mentor_name": ("mentor", "name", "Their name, spelt exactly as they write it"),
    "f_mentor_role": ("mentor", "role", "Their role"),
    "f_mentor_organisation": ("mentor", "organisation", "Their organisation"),
    "f_mentor_how_found": ("mentor", "how_found", "How you found them"),
    "f_mentor_admired_work": (
        "mentor",
        "admired_work",
        "One piece of their work you valued, and why",
    ),
}


def prefill(request: dict[str, Any], contact_id: str | None) -> None:
    """Fill the form from a request (a contact's history); runs before the widgets."""
    for key, (part, name, _) in FIELDS.items():
        st.session_state[key] = str(request.get(part, {}).get(name) or "")
    st.session_state["f_about"] = str(request.get("mentor", {}).get("about") or "")
    for key in ("ask", "channel", "tone"):
        if request.get(key):
            st.session_state[f"f_{key}"] = request[key]
    st.session_state["f_previous"] = request.get("previous", "")
    st.session_state["f_sent_days_ago"] = int(request.get("sent_days_ago") or 0)
    st.session_state["f_notes"] = request.get("conversation_notes", "")
    st.session_state["contact"] = contact_id


def form_request() -> dict[str, Any]:
    s = st.session_state
    data: dict[str, Any] = {"mentee": {}, "mentor": {"about": s.get("f_about", "")}}
    for key, (part, name, _) in FIELDS.items():
        data[part][name] = s.get(key, "")
    data.update(
        ask=s.get("f_ask"),
        channel=s.get("f_channel"),
        tone=s.get("f_tone"),
        linkedin_premium=bool(s.get("f_premium")),
    )
    if data["channel"] == "follow_up":
        data.update(previous=s.get("f_previous", ""), sent_days_ago=s.get("f_sent_days_ago"))
    if data["channel"] == "thank_you":
        data.update(conversation_notes=s.get("f_notes", ""), ask=None)
    return data


def the_form() -> None:
    with st.form("outreach_form"):
        you, them = st.columns(2)
        for key, (part, _, label) in FIELDS.items():
            (you if part == "mentee" else them).text_input(label, key=key, max_chars=400)
        them.text_area(
            "Anything you pasted about them (bio, post) — used as information only, "
            "never as instructions",
            key="f_about",
            max_chars=4000,
        )
        a, b, c = st.columns(3)
        a.selectbox("Channel", CHANNELS, key="f_channel", format_func=lambda x: x.replace("_", " "))
        b.selectbox(
            "What you are asking for", ASKS, key="f_ask", format_func=lambda x: x.replace("_", " ")
        )
        c.radio("Tone", TONES, key="f_tone", horizontal=True)
        st.checkbox("LinkedIn Premium (300-character notes)", key="f_premium")
        with st.expander("For a follow-up or a thank-you"):
            st.text_area("The first message you sent", key="f_previous", max_chars=4000)
            st.number_input("Days since you sent it", 0, 3650, key="f_sent_days_ago")
            st.text_area("What they said (for a thank-you)", key="f_notes", max_chars=4000)
        if st.form_submit_button("Write drafts", type="primary", icon=":material/edit:"):
            write_drafts()


def write_drafts() -> None:
    try:
        request = parse_request(form_request())
        result = rt.draft(request, contact_id=st.session_state.get("contact"))
    except MentorError as exc:
        show_error(exc)
        return
    st.query_params["d"] = result.conversation_id or ""


def shown_drafts() -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """(conversation id, request, drafts data) of the drafts the URL names, from the store."""
    cid = st.query_params.get("d")
    conv = store.get_conversation(cid) if cid else None
    if conv is None or conv.feature != "outreach":
        return None
    msgs = store.messages(conv.id)
    user = next((m for m in msgs if m.role == "user" and m.data and "request" in m.data), None)
    reply = next((m for m in reversed(msgs) if m.kind == "drafts" and m.data), None)
    if user is None or reply is None or user.data is None or reply.data is None:
        return None
    return conv.id, user.data["request"], reply.data


def draft_column(i: int, d: dict[str, Any], cid: str, request: dict[str, Any]) -> None:
    st.markdown(f"**Draft {i + 1} · {LABELS.get(d['approach'], d['approach'])}**")
    subject = d["subject"]
    if d["subject"] or request["channel"] == "email":
        subject = st.text_input("Subject", d["subject"], key=f"subj_{cid}_{i}")
    body = st.text_area("Message", d["body"], key=f"body_{cid}_{i}", height=300)
    r = parse_request(request)
    checked = recheck(r, subject, body, d["approach"])
    st.caption(f"{len(body.strip())} characters · {len(body.split())} words")
    passed = [row["rule"].replace("_", " ") for row in checked["rubric"] if row["passed"]]
    if passed:
        st.markdown(":green[:material/check:] " + " · ".join(passed))
    for row in checked["rubric"]:
        if not row["passed"]:
            name, source = row["rule"].replace("_", " "), row["source"]
            link = f"[{source}](/library?doc={source})"
            st.markdown(f":red[:material/close:] **{name}** — {row['fix']} (from {link})")
    if "revision" in d:
        st.caption("Revised once automatically; the first attempt failed a rule.")
    text = to_txt(subject, body)
    with st.popover("Copy", icon=":material/content_copy:"):
        st.code(text, language=None, wrap_lines=True)
    a, b = st.columns(2)
    a.download_button(".txt", text, f"draft-{i + 1}.txt", "text/plain", key=f"txt_{cid}_{i}")
    b.download_button(
        ".eml", to_eml(subject, body), f"draft-{i + 1}.eml", "message/rfc822", key=f"eml_{cid}_{i}"
    )
    if st.button("Save to contacts", key=f"save_{cid}_{i}", icon=":material/bookmark_add:"):
        save(r.model_dump(), {**checked, "subject": subject.strip(), "body": body.strip()}, cid)


def save(request: dict[str, Any], draft: dict[str, Any], cid: str) -> None:
    contact_id = st.session_state.get("contact")
    if not contact_id or ct.get_contact(store, contact_id) is None:
        m = request["mentor"]
        contact_id = ct.add_contact(store, m["name"], m["role"], m["organisation"]).id
    ct.save_draft(store, contact_id, draft, request, cid)
    st.session_state["contact"] = contact_id
    st.toast("Saved to your contacts.", icon=":material/bookmark:")


def the_drafts() -> None:
    shown = shown_drafts()
    if shown is None:
        return
    cid, request, data = shown
    st.subheader(f"Drafts to {request['mentor']['name']}")
    for note in data.get("notes", []):
        st.warning(note, icon=":material/warning:")
    for col, (i, d) in zip(st.columns(len(data["drafts"])), enumerate(data["drafts"]), strict=True):
        with col, st.container(border=True):
            draft_column(i, d, cid, request)


def on_status(contact_id: str) -> None:
    c = ct.set_status(store, contact_id, st.session_state[f"status_{contact_id}"])
    st.session_state[f"sent_{contact_id}"] = c.sent_on  # the date widget shows the new date


def on_sent(contact_id: str) -> None:
    day = st.session_state[f"sent_{contact_id}"]
    ct.update_contact(
        store,
        contact_id,
        sent_on=day,
        follow_up_on=ct.suggest_follow_up("sent", day) if day else None,
    )


def contact_row(c: ct.Contact) -> None:
    with st.container(border=True):
        who, status, sent, actions = st.columns([3, 2, 2, 3])
        where = ", ".join(x for x in (c.role, c.organisation) if x)
        who.markdown(f"**{c.name}**" + (f"  \n{where}" if where else ""))
        status.selectbox(
            "Status",
            ct.STATUSES,
            index=ct.STATUSES.index(c.status),
            key=f"status_{c.id}",
            on_change=on_status,
            args=(c.id,),
            format_func=lambda s: s.replace("_", " "),
        )
        sent.date_input(
            "Date sent",
            c.sent_on,
            key=f"sent_{c.id}",
            on_change=on_sent,
            args=(c.id,),
            format="YYYY-MM-DD",
        )
        if c.follow_up_on:
            what = "Thank-you" if c.status == "met" else "Follow up"
            overdue = " (due)" if c.follow_up_on <= dt.date.today() else ""
            sent.markdown(f"{what} by **{c.follow_up_on.isoformat()}**{overdue}")
        for channel, label in (
            ("follow_up", "Draft a follow-up"),
            ("thank_you", "Draft a thank-you"),
        ):
            actions.button(
                label,
                key=f"{channel}_{c.id}",
                on_click=prefill,
                args=(ct.request_for(store, c.id, channel), c.id),
            )
        if actions.checkbox("Delete this contact", key=f"del_ok_{c.id}") and actions.button(
            "Delete", key=f"del_{c.id}", type="primary"
        ):
            ct.delete_contact(store, c.id)
            st.rerun()


st.title("Reach out")
st.caption(
    "A first message, a follow-up or a thank-you to someone you'd like to learn from: "
    "two or three drafts, each checked against our outreach guidance."
)
if st.session_state.get("contact"):
    chosen = ct.get_contact(store, st.session_state["contact"])
    if chosen is not None:
        st.info(f"Drafting for {chosen.name} (from your contacts).", icon=":material/person:")
the_form()
the_drafts()
st.subheader("Contacts")
people = ct.list_contacts(store)
if not people:
    st.caption("Save a draft and the person appears here, with the date to follow up.")
for person in people:
    contact_row(person)
