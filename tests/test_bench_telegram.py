"""The end-to-end benchmark measures what it says: its "idle" phase must not be a flood."""

from __future__ import annotations

from benchmarks.telegram import idle_asker
from bot.channels.telegram.fairness import Throttle, Verdict


def test_the_idle_phase_stays_inside_the_fair_use_limit_at_machine_speed() -> None:
    # The phase asks one question, waits for the reply, asks the next: at machine speed, hundreds a
    # second. From a single chat that is a flood, and the bot's throttle answers the eleventh with
    # "más despacio" and drops the rest, so "idle p99" measured the 10 s timeout. Every question of
    # the phase, all at one instant, must be admitted.
    throttle = Throttle(clock=lambda: 0.0)
    verdicts = [throttle.admit(idle_asker(index)) for index in range(200)]
    assert verdicts == [Verdict.ADMIT] * 200
