"""Validation problems, reported as `path:line: message` so staff can jump straight to the fault.

Messages are written for the content team, in Spanish; each also carries its English text, shown
with `validate --lang en` (and to anyone who reads the logs in English).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str  # Spanish: what staff read by default
    severity: str = "error"  # "error" blocks loading; "warning" is only reported
    english: str = field(default="", compare=False)  # the same message in English ("" = only Spanish)

    def __str__(self) -> str:
        return self.render("es")

    def render(self, lang: str = "es") -> str:
        """`path:line: message` in Spanish, or in English when asked and available."""
        english = lang == "en" and bool(self.english)
        message = self.english if english else self.message
        prefix = ("warning: " if english else "aviso: ") if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class KnowledgeBaseError(Exception):
    """The knowledge base failed validation; it must not be loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        super().__init__("\n".join(str(p) for p in errors) or "invalid knowledge base")
