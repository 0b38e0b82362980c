"""Property tests: whatever citizens type and whatever staff save, nothing raises, stalls or leaks.

Example counts are kept small (`settings`) so `make test` stays quick; each property still sees a
few dozen fresh inputs per run, and hypothesis remembers failures between runs.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.knowledge import load_knowledge
from bot.core.pipeline import Pipeline
from bot.core.privacy import mask_personal_data
from bot.settings import Settings

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
SHIPPED_FILES = sorted(p.relative_to(KNOWLEDGE) for p in KNOWLEDGE.rglob("*.yaml") if "eval" not in p.parts)
TODAY = date(2026, 11, 27)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any Unicode, lone surrogates included (what a broken client can send).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(Settings())


@FAST
@given(ANY_TEXT)
def test_any_text_through_the_pipeline_never_raises(pipeline: Pipeline, text: str) -> None:
    reply = pipeline.ask(text)
    assert reply.outcome is not None
    mask_personal_data(reply.question).encode("utf-8")  # storable


@FAST
@given(ANY_TEXT.filter(bool))
def test_masking_stays_linear_on_any_text_repeated_to_20000_characters(text: str) -> None:
    long = (text * (20_000 // len(text) + 1))[:20_000]
    started = time.perf_counter()
    mask_personal_data(long)
    assert time.perf_counter() - started < 1.0  # milliseconds when linear; seconds when not


# -- generated personal values never survive masking -----------------------------------------------

WORDS = st.lists(st.sampled_from(["hola", "mi", "es", "por favor", "gracias", "ayuda", "el", "de"]), max_size=4)


@st.composite
def dni(draw: st.DrawFn) -> str:
    digits = draw(st.text("0123456789", min_size=8, max_size=8))
    form = draw(st.sampled_from(["plain", "dots", "spaces", "dashes", "single", "check"]))
    if form == "dots":
        return f"{digits[:2]}.{digits[2:5]}.{digits[5:]}"
    if form == "spaces":
        return f"{digits[:2]} {digits[2:5]} {digits[5:]}"
    if form == "dashes":
        return f"{digits[:2]}-{digits[2:5]}-{digits[5:]}"
    if form == "single":
        return " ".join(digits)
    if form == "check":
        return f"{digits}-{draw(st.integers(0, 9))}"
    return digits


@st.composite
def phone(draw: st.DrawFn) -> str:
    digits = "9" + draw(st.text("0123456789", min_size=8, max_size=8))
    sep = draw(st.sampled_from(["", " ", "-", ".", "/"]))
    grouped = f"{digits[:3]}{sep}{digits[3:6]}{sep}{digits[6:]}"
    return draw(st.sampled_from([grouped, f"+51 {grouped}", f"+51{digits}"]))


@st.composite
def email(draw: st.DrawFn) -> str:
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{1,12}[a-z0-9]", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z][a-z0-9]{1,10}", fullmatch=True))
    tld = draw(st.sampled_from(["com", "pe", "com.pe", "org", "net"]))
    form = draw(st.sampled_from(["plain", "spaced", "words"]))
    if form == "spaced":
        return f"{local} @ {domain}.{tld}"
    if form == "words":
        return f"{local} arroba {domain} punto {tld.replace('.', ' punto ')}"
    return f"{local}@{domain}.{tld}"


@st.composite
def card(draw: st.DrawFn) -> str:
    digits = draw(st.text("0123456789", min_size=16, max_size=16))
    sep = draw(st.sampled_from(["", " ", "-", "."]))
    return sep.join(digits[i : i + 4] for i in range(0, 16, 4))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@FAST
@given(WORDS, st.one_of(dni(), phone(), email(), card()), WORDS)
def test_masked_text_never_contains_a_generated_dni_phone_email_or_card(
    before: list[str], value: str, after: list[str]
) -> None:
    text = " ".join([*before, value, *after])
    masked = mask_personal_data(text)
    assert value not in masked
    if "@" in value or "arroba" in value:
        local = re.split(r"\s?@|\s+arroba", value)[0]
        assert local not in masked
    else:
        assert _digits(value)[-8:] not in _digits(masked)


# -- any YAML never crashes the loader ---------------------------------------------------------------


@pytest.fixture(scope="module")
def kb_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(KNOWLEDGE, target, ignore=shutil.ignore_patterns("eval"))
    yield target


def _load_with(kb_copy: Path, relative: Path, text: str) -> None:
    path = kb_copy / relative
    original = path.read_bytes()
    try:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        kb, problems = load_knowledge(kb_copy, today=TODAY)
        assert kb is not None or any(p.is_error for p in problems)
    finally:
        path.write_bytes(original)


YAML_PIECES = st.sampled_from(
    ["!!int x", "!!float abc", "!!python/object:os.system", "&a", "*a", "!!binary zz", "!!set", "!!omap",
     "[", "]", "{", "}", ":", "- ", "? ", "|", ">", "'", '"', "#", "\t", "\n", "  ", "null", "2026-13-45",
     "~", "1e999", "0x1F", ".nan", "yes", "[*a, *a]", "<<: *a", "%YAML 1.1", "---", "..."]
)


@FAST
@given(st.sampled_from(SHIPPED_FILES), st.text(max_size=400))
def test_any_text_as_a_knowledge_file_gives_a_base_or_problems(kb_copy: Path, relative: Path, text: str) -> None:
    _load_with(kb_copy, relative, text)


@FAST
@given(
    st.sampled_from(SHIPPED_FILES),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(["insert", "delete", "replace"]), YAML_PIECES), max_size=6
    ),
)
def test_any_mutation_of_a_shipped_file_gives_a_base_or_problems(
    kb_copy: Path, relative: Path, edits: list[tuple[int, str, str]]
) -> None:
    lines = (kb_copy / relative).read_text(encoding="utf-8").splitlines()
    for position, action, piece in edits:
        where = position % (len(lines) + 1)
        if action == "insert":
            lines.insert(where, piece)
        elif lines and where < len(lines):
            if action == "delete":
                del lines[where]
            else:
                column = position % (len(lines[where]) + 1)
                lines[where] = lines[where][:column] + piece + lines[where][column:]
    _load_with(kb_copy, relative, "\n".join(lines) + "\n")
