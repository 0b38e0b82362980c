"""The /estadisticas chart: what is asked each day, how much is answered, what is still missing.

Beside the daily bars: the most asked questions nobody answered yet (what the content team should
write next) and the entries that answered most, by their titles as citizens see them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, TYPE_CHECKING

from .stats import Stats

if TYPE_CHECKING:
    from pathlib import Path

ANSWERED = "#2e7d32"
NOT_ANSWERED = "#c62828"
SHARE = "#1565c0"


def unanswered_rows(stats: Stats) -> list[tuple[str, int]]:
    """The pending groups as the chart labels them: "#id text" and how often they were asked."""
    return [(_short(f"#{group_id} {text}", 45), count) for group_id, text, count in stats.top_unanswered]


def entry_rows(stats: Stats, titles: Mapping[str, str] | None = None) -> list[tuple[str, int]]:
    """The top entries by title (the id only when the title is unknown), most answered first."""
    titles = titles or {}
    return [(_short(titles.get(entry_id) or entry_id), count) for entry_id, count in stats.top_entries]


def render_stats_png(
    stats: Stats, path_or_buffer: Path | str | IO[bytes], titles: Mapping[str, str] | None = None
) -> None:
    """Draw questions per day (answered vs not, with the answered share) beside the most asked
    unanswered questions and the top entries (`titles`: entry id -> title).

    matplotlib is imported here, with the Agg backend, so the bot starts fast and needs no display.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    days = [d["day"] for d in stats.per_day]
    asked = [int(d["questions"]) for d in stats.per_day]
    answered = [int(d["answered"]) for d in stats.per_day]
    other = [q - a for q, a in zip(asked, answered, strict=True)]
    labels = [day[8:10] + "/" + day[5:7] for day in days]  # dd/mm

    top = list(reversed(entry_rows(stats, titles)))
    missing = list(reversed(unanswered_rows(stats)))
    fig = plt.figure(figsize=(15, 8), constrained_layout=True)
    grid = fig.add_gridspec(2, 2, width_ratios=[3, 2])
    ax_days = fig.add_subplot(grid[:, 0])
    ax_missing = fig.add_subplot(grid[0, 1])
    ax_top = fig.add_subplot(grid[1, 1])
    try:
        fig.suptitle(
            f"Últimos {stats.days} días: {stats.questions} preguntas, "
            f"{stats.answered_share:.0%} respondidas directamente",
            fontsize=14,
        )
        x = list(range(len(days)))
        ax_days.bar(x, answered, color=ANSWERED, label="Respondidas")
        ax_days.bar(x, other, bottom=answered, color=NOT_ANSWERED, alpha=0.75, label="Sugeridas o sin respuesta")
        ax_days.set_ylabel("Preguntas por día")
        ax_days.set_ylim(0, max([*asked, 1]) * 1.1)
        ax_days.yaxis.set_major_locator(MaxNLocator(integer=True))
        step = max(1, len(x) // 15)
        ax_days.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
        ax_days.set_xlim(-0.6, max(len(x) - 0.4, 0.6))
        ax_days.grid(axis="y", alpha=0.3)

        share_ax = ax_days.twinx()
        share = [a / q if q else None for q, a in zip(asked, answered, strict=True)]
        points = [(i, s) for i, s in enumerate(share) if s is not None]
        if points:
            share_ax.plot([p[0] for p in points], [p[1] for p in points], "o-", color=SHARE, label="% respondidas")
        share_ax.set_ylim(0, 1.05)
        share_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        share_ax.set_ylabel("% respondidas", color=SHARE)
        handles = ax_days.get_legend_handles_labels()
        extra = share_ax.get_legend_handles_labels()
        ax_days.legend(
            handles[0] + extra[0],
            handles[1] + extra[1],
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncols=3,
            frameon=False,
            fontsize=9,
        )

        panels = (
            (ax_missing, missing, NOT_ANSWERED, "Nada pendiente", "Preguntas sin respuesta más repetidas"),
            (ax_top, top, ANSWERED, "Aún no hay respuestas en este periodo", "Servicios más consultados"),
        )
        for ax, rows, color, empty, title in panels:
            if rows:
                counts = [count for _, count in rows]
                bars = ax.barh([label for label, _ in rows], counts, color=color)
                ax.bar_label(bars, padding=3)
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.set_xlim(0, max(counts) * 1.2)
                ax.tick_params(axis="y", labelsize=9)
            else:
                ax.text(0.5, 0.5, empty, ha="center", va="center")
                ax.set_xticks([])
                ax.set_yticks([])
            ax.set_title(title, fontsize=11)
        feedback = stats.feedback_helpful + stats.feedback_not_helpful
        if feedback:
            ax_top.set_xlabel(f"Valoraciones: {stats.feedback_share:.0%} útiles ({feedback} en total)")
        fig.savefig(path_or_buffer, format="png", dpi=100)
    finally:
        plt.close(fig)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
