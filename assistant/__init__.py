"""Mentor Assistant: grounded career and mentoring guidance for mentees.

Which file is which step (data flows one way: knowledge → chunks → index → retrieval →
feature → face → store):

ground
    ``config.py`` one Settings object · ``errors.py`` message + hint + exit code ·
    ``resources.py`` where the knowledge base, pages and eval data are installed
knowledge
    ``knowledge.py`` load and validate articles and scenarios, chunking ·
    ``vocabulary.py`` the words that name a stage or an industry · ``text.py`` one stemmer
infrastructure
    ``embeddings.py`` ONNX/OpenAI embedder · ``index.py`` crash-safe Chroma index ·
    ``store.py`` SQLAlchemy store (feature, subject, owner on every conversation) ·
    ``llm.py`` the chat-model factory
shared generation
    ``retrieval.py`` hybrid retrieval over ``ranking.py`` (pure fusion and scoring) ·
    ``prompts.py`` Ask's prompts, versioned · ``safety.py`` limits, crisis, fencing,
    output sanitising · ``generation.py`` turn events, the output guard, the checked
    model call, saving a turn
features
    ``chat.py`` Ask · ``compose.py`` Ask's library-mode answers · (Reach out and Practise
    sit beside them, one module each, over the same layers)
faces
    ``runtime.py`` one entry per feature · ``cli.py`` the ``mentor`` command ·
    ``ui/views/*.py`` the Streamlit pages
support
    ``evaluation.py`` eval runners · ``testing/`` the scripted OpenAI-compatible server
"""

__version__ = "0.1.0"
