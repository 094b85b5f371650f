"""Indexing benchmark on the real knowledge base: how close a full index is to the cost of
embedding alone, and how cheap a re-index is when nothing (or one article) changed.

Everything runs offline in temporary directories; the repository's knowledge/ folder is
copied, never written. Figures are printed, never asserted.

    .venv/bin/python benchmarks/index_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from assistant.chunking import Chunk, chunk_article
from assistant.config import REPO_ROOT, Settings
from assistant.embeddings import LocalOnnxEmbedder
from assistant.index import IndexReport, build_index
from assistant.knowledge import article_paths, load_articles
from assistant.vectorstore import HNSW, open_chroma

KNOWLEDGE = REPO_ROOT / "knowledge"
FULL_GOAL = 1.25  # full index ≤ 1.25 × embed-only
NOOP_GOAL = 0.02  # no-change re-index ≤ 2 % of the full index
T = TypeVar("T")
ADD_STEP = 64  # build_index embeds and adds 64 chunks at a time
EDIT_LINE = "\nA line appended by benchmarks/index_bench.py to change this article.\n"


@dataclass
class CliRun:
    wall: float  # seconds, interpreter start to exit
    cpu: float  # CPU seconds of the child process
    report: dict[str, object]  # `mentor index --json`


@dataclass
class Sample:
    """One repetition's figures (seconds unless named otherwise)."""

    values: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def make_settings(data_dir: Path, knowledge_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        knowledge_dir=knowledge_dir,
        embedding_backend="local",
        chroma_host=None,
        _env_file=None,  # type: ignore[call-arg]
    )


def timed(fn: Callable[[], T]) -> tuple[T, float, float]:
    """(result, wall seconds, CPU seconds of this process, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_env(data_dir: Path, knowledge_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env.update(
        MENTOR_DATA_DIR=str(data_dir),
        MENTOR_KNOWLEDGE_DIR=str(knowledge_dir),
        MENTOR_EMBEDDING_BACKEND="local",
    )
    return env


def run_cli(args: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[str, float, float]:
    """Run `python -m assistant.cli ARGS` in cwd (no .env there); (stdout, wall s, CPU s)."""
    cmd = [sys.executable, "-m", "assistant.cli", *args]
    wall, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - wall, children_cpu() - cpu
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}")
    return proc.stdout, wall, cpu


def cli_index(data_dir: Path, knowledge_dir: Path, cwd: Path) -> CliRun:
    stdout, wall, cpu = run_cli(["index", "--json"], cli_env(data_dir, knowledge_dir), cwd)
    report: dict[str, object] = json.loads(stdout.strip().splitlines()[-1])
    return CliRun(wall, cpu, report)


def edit_one_article(knowledge_dir: Path) -> Path:
    """Append a line to the first article (sorted by path); returns the edited file."""
    target = article_paths(knowledge_dir)[0]
    with target.open("a", encoding="utf-8") as fh:
        fh.write(EDIT_LINE)
    return target


def one_repetition(work: Path) -> Sample:
    sample = Sample()
    v = sample.values
    knowledge = work / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    inproc_dir, cli_dir = work / "data-inprocess", work / "data-cli"

    settings = make_settings(inproc_dir, knowledge)

    def chunk_all() -> list[Chunk]:
        articles = load_articles(knowledge, settings.max_document_bytes)
        return [
            c
            for a in articles
            for c in chunk_article(a, settings.chunk_tokens, settings.chunk_overlap_tokens)
        ]

    chunks, v["chunking"], v["chunking_cpu"] = timed(chunk_all)
    v["chunks"] = len(chunks)
    texts = [c.embed_text for c in chunks]

    embedder = LocalOnnxEmbedder()
    _, v["model_load"], v["model_load_cpu"] = timed(lambda: embedder.embed_documents(["x"]))
    vectors, v["embed_only"], v["embed_only_cpu"] = timed(lambda: embedder.embed_documents(texts))

    env = cli_env(cli_dir, knowledge)
    _, v["cli_startup"], v["cli_startup_cpu"] = run_cli(["--help"], env, work)

    client = open_chroma(settings)

    def add_only() -> None:
        """The Chroma side of a full index alone: the same adds, vectors already computed."""
        col = client.create_collection(
            "bench-add-only", embedding_function=None, configuration={"hnsw": HNSW}
        )
        for start in range(0, len(chunks), ADD_STEP):
            batch = chunks[start : start + ADD_STEP]
            col.add(
                ids=[c.chunk_id for c in batch],
                embeddings=vectors[start : start + ADD_STEP],
                documents=[c.text for c in batch],
                metadatas=[dict(c.metadata) for c in batch],
            )

    _, v["add_only"], v["add_only_cpu"] = timed(add_only)
    client.delete_collection("bench-add-only")

    def in_process(key: str) -> IndexReport:
        report, v[key], v[key + "_cpu"] = timed(lambda: build_index(settings, client, embedder))
        return report

    def subprocess_(key: str) -> CliRun:
        run = cli_index(cli_dir, knowledge, work)
        v[key], v[key + "_cpu"] = run.wall, run.cpu
        v[key + "_internal"] = float(str(run.report["seconds"]))
        return run

    full = in_process("full_inproc")
    v["full_inproc_embed_loop"] = full.embed_seconds
    subprocess_("full_cli")

    noop = in_process("noop_inproc")
    cli_noop = subprocess_("noop_cli")
    if noop.rebuilt or noop.chunks_embedded or cli_noop.report["chunks_embedded"]:
        sample.notes["noop"] = "WARNING: the no-change re-index embedded chunks"

    edited = edit_one_article(knowledge)
    sample.notes["edited"] = edited.relative_to(knowledge).as_posix()
    edit = in_process("edit_inproc")
    v["edit_chunks"] = edit.chunks_embedded
    subprocess_("edit_cli")
    return sample


def spread(values: Sequence[float]) -> str:
    return f"{min(values):.3f}–{max(values):.3f}" if len(values) > 1 else ""


def verdict(ratio: float, goal: float) -> str:
    return "PASS" if ratio <= goal else "FAIL"


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> None:
    """Columns whose index is in `right` are right-aligned, the others left-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(fmt(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(fmt(row))


def report(samples: list[Sample]) -> None:
    def col(key: str) -> list[float]:
        return [s.values[key] for s in samples]

    def med(key: str) -> float:
        return statistics.median(col(key))

    def ratio(key: str, base: str) -> float:
        """Median over repetitions of key ÷ base, each within one repetition (load drifts)."""
        return statistics.median(s.values[key] / s.values[base] for s in samples)

    first = samples[0]
    n = len(samples)
    load = os.getloadavg()[0]
    python = sys.version.split()[0]
    print(f"Index benchmark: knowledge base {KNOWLEDGE} ({int(med('chunks'))} chunks)")
    print(f"python {python}, {os.cpu_count()} CPUs, load average {load:.2f} at the end")
    print(
        f"repetitions: {n}; seconds and ratios are medians"
        + (" (ratios taken within each repetition)" if n > 1 else "")
    )
    print()

    full_goal = f"≤ {FULL_GOAL:.2f}× embed-only"
    noop_goal = f"≤ {NOOP_GOAL:.0%} of full index"
    specs: list[tuple[str, str, str | None, str, float | None]] = [
        # (label, key, ratio base, goal text, goal value)
        ("chunking (load + split all articles)", "chunking", None, "", None),
        ("model load (first embed call)", "model_load", None, "", None),
        ("embed-only, all chunks (one call)", "embed_only", "embed_only", "", None),
        ("Chroma add alone (same batches of 64)", "add_only", "embed_only", "", None),
        ("full index, in-process build_index", "full_inproc", "embed_only", full_goal, FULL_GOAL),
        ("full index, subprocess `mentor index`", "full_cli", "embed_only", full_goal, FULL_GOAL),
        ("no-change re-index, in-process", "noop_inproc", "full_inproc", noop_goal, NOOP_GOAL),
        ("no-change re-index, subprocess", "noop_cli", "full_cli", noop_goal, NOOP_GOAL),
        ("one article edited, in-process", "edit_inproc", "full_inproc", "", None),
        ("one article edited, subprocess", "edit_cli", "full_cli", "", None),
        ("CLI start-up alone (`mentor --help`)", "cli_startup", None, "", None),
    ]

    def show(r: float | None, base: str | None) -> str:
        if r is None:
            return ""
        return f"{r:.2f}×" if base == "embed_only" else f"{r:.2%}"

    rows = []
    for label, key, base, goal_text, goal in specs:
        r = ratio(key, base) if base else None
        r_cpu = ratio(key + "_cpu", base + "_cpu") if base else None
        result = verdict(r, goal) if r is not None and goal is not None else ""
        rows.append(
            [
                label,
                f"{med(key):.3f}",
                spread(col(key)),
                show(r, base),
                f"{med(key + '_cpu'):.3f}",
                show(r_cpu, base),
                goal_text,
                result,
            ]
        )
    header = ["step", "seconds", "min–max", "ratio", "CPU s", "CPU ratio", "goal", "result"]
    if n == 1:  # no spread to show
        header.pop(2)
        rows = [[*r[:2], *r[3:]] for r in rows]
    print_table(header, rows, right={1, 2, 3, 4, 5} if n > 1 else {1, 2, 3, 4})
    print()
    print("Notes:")
    print(
        "  ratio: full index ÷ embed-only; re-index ÷ the full index of the same kind "
        "(in-process or subprocess). Goals are judged on wall seconds; the CPU columns "
        "(this process's threads, or the child's) are steadier when the machine is busy."
    )
    loop = med("full_inproc_embed_loop")
    print(
        f"  in-process full index: embed-and-add loop {loop:.3f} s (IndexReport.embed_seconds, "
        f"which includes the Chroma adds), everything else {med('full_inproc') - loop:.3f} s."
    )
    print(
        "  subprocess rows are wall time: interpreter start, imports, model load and opening "
        "Chroma included. Time reported inside the CLI (IndexReport.seconds): "
        f"full {med('full_cli_internal'):.3f} s, no-change {med('noop_cli_internal'):.3f} s, "
        f"edited {med('edit_cli_internal'):.3f} s."
    )
    print(
        f"  edited article: {first.notes['edited']} (one line appended); "
        f"{int(med('edit_chunks'))} chunks re-embedded, the rest copied from the old collection."
    )
    if "noop" in first.notes:
        print(f"  {first.notes['noop']}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=1, help="repetitions (default 1)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    samples = []
    for i in range(args.repeat):
        print(f"repetition {i + 1}/{args.repeat}…", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="mentor-index-bench-") as tmp:
            samples.append(one_repetition(Path(tmp)))
    report(samples)


if __name__ == "__main__":
    main()
