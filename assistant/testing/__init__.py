"""Test support shipped with the package, so tests, evals, benchmarks and an installed
wheel can all start it: a scripted, fault-injecting OpenAI-compatible HTTP server
(``assistant.testing.fake_openai``)."""
