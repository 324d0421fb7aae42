"""The leaders' arithmetic: sums, roll-up, coverage, ranking, what changed since a digest."""

from __future__ import annotations

from bot.domain.stats import (
    Figures,
    Headline,
    StateGroup,
    changes_since,
    percent,
    rank,
    ratio,
    roll_up,
    signed,
    total,
)


def test_figures_add_counts_maps_and_keep_the_longest_wait() -> None:
    a = Figures(powers=3, powers_by_category={"external/其他": 2}, pending_longest_days=4)
    b = Figures(powers=2, powers_by_category={"external/其他": 1, "internal/决策权": 1})
    b = Figures(**{**b.__dict__, "pending_longest_days": 9})
    both = a + b
    assert both.powers == 5
    assert both.powers_by_category == {"external/其他": 3, "internal/决策权": 1}
    assert both.pending_longest_days == 9
    assert total([]) == Figures()
    assert total([a, b]) == both


def test_shares_are_undefined_without_a_whole() -> None:
    assert ratio(1, 0) is None and percent(None) == "—"
    assert percent(ratio(2, 3)) == "67%" and percent(0.125) == "13%" and percent(1.0) == "100%"
    figures = Figures(posts=4, posts_with_risks=3, measures_done=8, measures_overdue=2)
    figures = Figures(**{**figures.__dict__, "measures_done_on_time": 6})
    assert figures.coverage == 0.75
    assert figures.on_time == 0.6
    assert Figures().satisfaction is None
    assert Figures(satisfaction_votes=2, satisfaction_sum=9).satisfaction == 4.5


def test_roll_up_adds_each_subtree_and_stops_at_the_scope() -> None:
    # 1 ─ 2 ─ 4, 1 ─ 3; unit 9's parent 8 is outside the scope: 9 is a root of its own.
    parents = {1: None, 2: 1, 3: 1, 4: 2, 9: 8}
    own = {u: Figures(risks=u) for u in parents}
    up = roll_up(own, parents)
    assert up[4].risks == 4 and up[2].risks == 6 and up[3].risks == 3
    assert up[1].risks == 1 + 2 + 3 + 4
    assert up[9].risks == 9


def test_ranking_by_coverage_then_on_time_with_shared_places() -> None:
    def unit(posts_with_risks: int, on_time: int) -> Figures:
        return Figures(
            posts=10,
            posts_with_risks=posts_with_risks,
            measures_done=10,
            measures_done_on_time=on_time,
        )

    ranked = rank({1: unit(5, 9), 2: unit(9, 1), 3: unit(9, 5), 4: unit(9, 5), 5: Figures()})
    assert [(r.unit_id, r.place) for r in ranked] == [(3, 1), (4, 1), (2, 3), (1, 4), (5, 5)]
    assert ranked[-1].coverage is None  # nothing to cover ranks last, shown as "—"


def test_changes_since_the_last_digest() -> None:
    before = Headline(risks=10, approved=4, measures_overdue=3, feedback_received=0)
    now = Headline.of(
        Figures(
            risks=12,
            risks_by_state={StateGroup.APPROVED.value: 2, StateGroup.PUBLICISED.value: 5},
            measures_overdue=1,
            feedback_received=2,
        )
    )
    assert now == Headline(risks=12, approved=7, measures_overdue=1, feedback_received=2)
    change = changes_since(before, now)
    assert change is not None
    assert (change.new_risks, change.approved, change.overdue, change.feedback) == (2, 3, -2, 2)
    assert changes_since(None, now) is None
    assert Headline.from_dict(now.as_dict()) == now
    assert Headline.from_dict(None) is None
    assert (signed(3), signed(-2), signed(0)) == ("+3", "−2", "±0")
