"""Who a distributor greets today, pure, with an injected ``today``: due repurchases first, then
birthdays, then customers not greeted for a while; never more than the list's size, never the
same customer twice, and the same facts give the same list."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from weishang.content import care_rules
from weishang.content.care_rules import BIRTHDAY, NO_CONTACT, REPURCHASE, Candidate, Due, Pick

TODAY = date(2026, 12, 2)
LONG_AGO = date(2025, 1, 1)


def choose(candidates, size=10, gap=30):
    return care_rules.choose(candidates, today=TODAY, size=size, gap_days=gap)


def days(n):
    return TODAY + timedelta(days=n)


def test_repurchase_then_birthday_then_no_contact():
    picks = choose(
        [
            Candidate(1, bound_since=LONG_AGO),
            Candidate(2, bound_since=LONG_AGO, birthday=date(1990, 12, 5)),
            Candidate(3, bound_since=LONG_AGO, dues=(Due(7, days(2)),)),
        ]
    )
    assert picks == [Pick(3, REPURCHASE, 7), Pick(2, BIRTHDAY), Pick(1, NO_CONTACT)]


def test_the_repurchase_window_runs_from_30_days_overdue_to_3_days_ahead():
    people = [
        Candidate(n, LONG_AGO, days(-40), dues=(Due(1, days(d)),))
        for n, d in ((1, -30), (2, 3), (3, -31), (4, 4))
    ]
    picks = choose(people)
    assert [pick.customer_id for pick in picks if pick.reason == REPURCHASE] == [1, 2]


def test_the_earliest_due_repurchase_comes_first_and_names_its_product():
    picks = choose(
        [
            Candidate(1, LONG_AGO, dues=(Due(5, days(1)), Due(6, days(-3)))),
            Candidate(2, LONG_AGO, dues=(Due(5, days(-10)),)),
        ]
    )
    assert picks == [Pick(2, REPURCHASE, 5), Pick(1, REPURCHASE, 6)]


def test_birthdays_within_seven_days_soonest_first():
    picks = choose(
        [
            Candidate(1, LONG_AGO, days(-10), birthday=date(1980, 12, 9)),
            Candidate(2, LONG_AGO, days(-10), birthday=date(1985, 12, 2)),
            Candidate(3, LONG_AGO, days(-10), birthday=date(1985, 12, 10)),
        ]
    )
    assert picks == [Pick(2, BIRTHDAY), Pick(1, BIRTHDAY)]


def test_a_29_february_birthday_is_kept_on_28_february_in_other_years():
    assert care_rules.next_birthday(date(2000, 2, 29), date(2027, 2, 21)) == date(2027, 2, 28)
    assert care_rules.next_birthday(date(2000, 2, 29), date(2028, 2, 21)) == date(2028, 2, 29)
    picks = care_rules.choose(
        [Candidate(1, LONG_AGO, date(2027, 2, 20), birthday=date(2000, 2, 29))],
        today=date(2027, 2, 21),
        size=10,
        gap_days=30,
    )
    assert picks == [Pick(1, BIRTHDAY)]


def test_a_birthday_next_year_counts_across_new_year():
    picks = care_rules.choose(
        [Candidate(1, LONG_AGO, date(2026, 12, 20), birthday=date(1990, 1, 2))],
        today=date(2026, 12, 29),
        size=10,
        gap_days=30,
    )
    assert picks == [Pick(1, BIRTHDAY)]


def test_no_contact_needs_the_gap_and_puts_the_longest_first():
    picks = choose(
        [
            Candidate(1, LONG_AGO, last_greeted=days(-29)),
            Candidate(2, LONG_AGO, last_greeted=days(-30)),
            Candidate(3, LONG_AGO, last_greeted=days(-200)),
            Candidate(4, bound_since=days(-100)),
        ]
    )
    assert picks == [Pick(3, NO_CONTACT), Pick(4, NO_CONTACT), Pick(2, NO_CONTACT)]


def test_an_occasion_overrides_the_gap_once():
    due = (Due(1, days(2)),)
    # Greeted a week ago: the due repurchase still brings him back.
    assert choose([Candidate(1, LONG_AGO, days(-7), dues=due)]) == [Pick(1, REPURCHASE, 1)]
    # Greeted since the repurchase window opened (due day minus 3): not again for it.
    assert choose([Candidate(1, LONG_AGO, days(-1), dues=due)]) == []
    birthday = date(1990, 12, 6)
    assert choose([Candidate(1, LONG_AGO, days(-4), birthday=birthday)]) == [Pick(1, BIRTHDAY)]
    assert choose([Candidate(1, LONG_AGO, days(-3), birthday=birthday)]) == []


def test_never_more_than_the_size():
    candidates = [Candidate(n, LONG_AGO) for n in range(1, 30)]
    assert [pick.customer_id for pick in choose(candidates, size=3)] == [1, 2, 3]


dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
candidates = st.lists(
    st.builds(
        Candidate,
        customer_id=st.integers(1, 40),
        bound_since=dates,
        last_greeted=st.none() | dates,
        birthday=st.none() | st.dates(min_value=date(1950, 1, 1), max_value=date(2010, 12, 31)),
        dues=st.lists(st.builds(Due, st.integers(1, 5), dates), max_size=3).map(tuple),
    ),
    max_size=40,
)


@given(candidates, dates, st.integers(0, 15), st.integers(1, 365))
def test_at_most_size_each_customer_once_and_deterministic(people, today, size, gap):
    picks = care_rules.choose(people, today=today, size=size, gap_days=gap)
    assert len(picks) <= size
    ids = [pick.customer_id for pick in picks]
    assert len(ids) == len(set(ids))
    assert picks == care_rules.choose(people, today=today, size=size, gap_days=gap)
    unique = list({person.customer_id: person for person in people}.values())
    assert picks == care_rules.choose(unique[::-1], today=today, size=size, gap_days=gap)
    known = {person.customer_id for person in people}
    assert set(ids) <= known
    for pick in picks:
        assert (pick.product_id is not None) == (pick.reason == REPURCHASE)


@given(candidates, dates, st.integers(1, 365))
def test_a_customer_greeted_within_the_gap_comes_back_only_for_an_occasion(people, today, gap):
    last = {person.customer_id: person for person in people}
    for pick in care_rules.choose(people, today=today, size=50, gap_days=gap):
        person = last[pick.customer_id]
        if person.last_greeted is not None and (today - person.last_greeted).days < gap:
            assert pick.reason in (REPURCHASE, BIRTHDAY)
