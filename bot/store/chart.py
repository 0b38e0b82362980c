"""The /estadisticas chart: what is asked each day, how much is answered, which entries help most."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from .stats import Stats

if TYPE_CHECKING:
    from pathlib import Path

ANSWERED = "#2e7d32"
NOT_ANSWERED = "#c62828"
SHARE = "#1565c0"


def render_stats_png(stats: Stats, path_or_buffer: Path | str | IO[bytes]) -> None:
    """Draw questions per day (answered vs not, with the answered share) and the top entries.

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

    top = list(reversed(stats.top_entries))
    fig, (ax_days, ax_top) = plt.subplots(
        2, 1, figsize=(10, 8), gridspec_kw={"height_ratios": [3, 2]}, constrained_layout=True
    )
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

        if top:
            names = [_short(entry_id) for entry_id, _ in top]
            counts = [count for _, count in top]
            bars = ax_top.barh(names, counts, color=ANSWERED)
            ax_top.bar_label(bars, padding=3)
            ax_top.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax_top.set_xlim(0, max(counts) * 1.15)
        else:
            ax_top.text(0.5, 0.5, "Aún no hay respuestas en este periodo", ha="center", va="center")
            ax_top.set_xticks([])
            ax_top.set_yticks([])
        ax_top.set_title("Servicios más consultados (respuestas directas)", fontsize=11)
        feedback = stats.feedback_helpful + stats.feedback_not_helpful
        if feedback:
            ax_top.set_xlabel(f"Valoraciones: {stats.feedback_share:.0%} útiles ({feedback} en total)")
        fig.savefig(path_or_buffer, format="png", dpi=100)
    finally:
        plt.close(fig)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
