# title: Settings
# icon: :material/settings:
# order: 90
# url_path: settings
"""Settings: the model, where data lives, export and delete."""

from __future__ import annotations

import streamlit as st
from common import reset_runtime, runtime

from assistant.config import UI_FIELDS, save_ui_settings, settings_report
from assistant.llm import check_connection
from assistant.store import export_markdown

rt = runtime()
s = rt.settings
st.title("Settings")

st.subheader("Model")
st.caption(f"Now: **{s.mode_label()}**")
if any(s.source(f) == "environment" for f in UI_FIELDS):
    st.info(
        "The model is set by environment variables, which take precedence over what you "
        "save here (environment, then saved settings, then defaults).",
        icon=":material/info:",
    )
providers = ["Library mode (no model)", "OpenAI", "OpenAI-compatible server"]
current = {"library": 0, "openai": 1, "compatible": 2}[s.model_mode]
with st.form("model"):
    provider = st.radio("Provider", providers, index=current, key="provider")
    base_url = st.text_input(
        "Base URL (Ollama, vLLM, llama.cpp, LM Studio…)",
        value=s.llm_base_url or "",
        placeholder="http://localhost:11434/v1",
    )
    model = st.text_input("Model name", value=s.llm_model or "", placeholder="e.g. llama3.1")
    key = st.text_input(
        "API key (kept in your data folder, readable only by you)", type="password", value=""
    )
    saved = st.form_submit_button("Save")
if saved:
    values: dict[str, str | None] = {
        "llm_base_url": None,
        "llm_model": None,
        "llm_api_key": None,
        "openai_api_key": None,
    }
    if provider == providers[1]:
        values.update(
            llm_model=model or None,
            openai_api_key=key
            or (s.openai_api_key.get_secret_value() if s.openai_api_key else None),
        )
        if not values["openai_api_key"]:
            st.error("OpenAI needs an API key.")
            st.stop()
    elif provider == providers[2]:
        if not base_url.startswith(("http://", "https://")):
            st.error("The base URL must start with http:// or https://.")
            st.stop()
        values.update(llm_base_url=base_url, llm_model=model or None, llm_api_key=key or None)
    save_ui_settings(s, values)
    reset_runtime()
    st.session_state["settings_saved"] = True
    st.rerun()
if st.session_state.pop("settings_saved", False):
    st.success("Saved.", icon=":material/check:")

if st.button("Test connection", icon=":material/network_check:"):
    with st.spinner("Asking the model…"):
        ok, message = check_connection(s)
    (st.success if ok else st.error)(message)

with st.expander("Where each setting comes from"):
    st.caption("Environment variables win over saved settings, which win over defaults.")
    st.table(
        [{"setting": n, "value": v, "from": src} for n, v, src in settings_report(s)]
    )

st.subheader("Your data")
st.markdown(
    f"- Conversations: `{s.db_url if s.database_url else s.sqlite_path}`\n"
    f"- Index: `{s.chroma_host or s.chroma_path}`\n"
    f"- Knowledge: `{s.knowledge_dir}`"
)
convs = rt.store.list_conversations(10_000)
everything = "\n\n---\n\n".join(export_markdown(c, rt.store.messages(c.id)) for c in convs)
st.download_button(
    "Export all conversations (Markdown)",
    data=everything or "No conversations.\n",
    file_name="mentor-conversations.md",
    mime="text/markdown",
    icon=":material/download:",
)
with st.expander("Delete everything"):
    st.write(
        f"This deletes all {len(convs)} conversations and their feedback. It cannot be undone."
    )
    sure = st.checkbox("Yes, delete all my conversations", key="confirm_wipe")
    if st.button("Delete everything", type="primary", disabled=not sure, key="wipe"):
        rt.store.delete_everything()
        st.success("All conversations deleted.")
