"""The placement solver: optimal against brute force on small random instances, what staff fix
(pins, exclusions, districts allowed), infeasibility named, ties broken the same way."""

import itertools
import random

import pytest

from evaluation.placement.solver import (
    District,
    Infeasible,
    Project,
    allowed,
    solve,
    total_satisfaction,
)


def brute_force(projects, districts):
    """The best (placed count, satisfaction) over every placement, or None if none is valid."""
    options = [[None, *[d.key for d in districts if allowed(p, d.key)]] for p in projects]
    best = None
    for choice in itertools.product(*options):
        placed = {p.key: c for p, c in zip(projects, choice, strict=True)}
        if any(p.pinned is not None and placed[p.key] is None for p in projects):
            continue
        counts = {d.key: d.already for d in districts}
        for c in choice:
            if c is not None:
                counts[c] += 1
        if any(not d.minimum <= counts[d.key] <= d.maximum for d in districts):
            continue
        value = (sum(c is not None for c in choice), total_satisfaction(projects, placed))
        if best is None or value > best:
            best = value
    return best


def random_instance(rng):
    districts = [
        District(key=k, name=f"D{k}", minimum=rng.randint(0, 2), maximum=rng.randint(2, 3))
        for k in range(rng.randint(1, 3))
    ]
    projects = []
    for i in range(rng.randint(1, 6)):
        chosen = rng.sample([d.key for d in districts], rng.randint(1, len(districts)))
        projects.append(
            Project(
                key=100 + i,
                label=f"E-{i:03d}",
                score=rng.choice([None, 1.0, 2.5, 3.0, 4.5]),
                wishes={d: r + 1 for r, d in enumerate(chosen)},
                allow_unwished=rng.random() < 0.15,
                excluded=frozenset(rng.sample(chosen, 1)) if rng.random() < 0.15 else frozenset(),
            )
        )
    return projects, districts


@pytest.mark.parametrize("seed", range(60))
def test_the_solver_is_optimal_against_brute_force(seed):
    projects, districts = random_instance(random.Random(seed))
    best = brute_force(projects, districts)

    if best is None:
        with pytest.raises(Infeasible):
            solve(projects, districts)
        return
    proposal = solve(projects, districts)
    assert proposal.placed_count == best[0]
    assert proposal.satisfaction == pytest.approx(best[1], abs=1e-9)
    for project in projects:
        district = proposal.placed[project.key]
        assert district is None or allowed(project, district)


def two_districts(minimum=0, maximum=2):
    return [
        District(key=1, name="Quartier de la gare", minimum=minimum, maximum=maximum),
        District(key=2, name="Quartier du canal", minimum=minimum, maximum=maximum),
    ]


def test_each_project_gets_its_first_wish_when_the_places_allow_it():
    projects = [
        Project(key=1, label="E-1", score=3.0, wishes={1: 1, 2: 2}),
        Project(key=2, label="E-2", score=2.0, wishes={2: 1, 1: 2}),
    ]

    assert solve(projects, two_districts()).placed == {1: 1, 2: 2}


def test_the_better_scored_project_gets_the_last_place_of_the_district_both_wish_first():
    projects = [
        Project(key=1, label="E-1", score=2.0, wishes={1: 1, 2: 2}),
        Project(key=2, label="E-2", score=4.0, wishes={1: 1, 2: 2}),
    ]

    assert solve(projects, two_districts(maximum=1)).placed == {2: 1, 1: 2}


def test_equal_projects_are_placed_by_their_reference_every_time():
    projects = [
        Project(key=7, label="E-2", score=3.0, wishes={1: 1, 2: 2}),
        Project(key=3, label="E-1", score=3.0, wishes={1: 1, 2: 2}),
    ]

    results = {
        tuple(sorted(solve(projects, two_districts(maximum=1)).placed.items())) for _ in range(5)
    }

    assert results == {((3, 1), (7, 2))}


def test_the_optimum_is_not_the_greedy_choice():
    # Greedy (best score first, first wish first) gives E-1 the gare and leaves E-2 unplaced.
    projects = [
        Project(key=1, label="E-1", score=4.0, wishes={1: 1, 2: 2}),
        Project(key=2, label="E-2", score=1.0, wishes={1: 1}),
    ]

    proposal = solve(projects, two_districts(maximum=1))

    assert proposal.placed == {1: 2, 2: 1}
    assert proposal.placed_count == 2


def test_a_pinned_project_stays_where_staff_put_it_even_unwished():
    projects = [
        Project(key=1, label="E-1", score=4.0, wishes={1: 1}, pinned=2),
        Project(key=2, label="E-2", score=1.0, wishes={1: 1}),
    ]

    assert solve(projects, two_districts(maximum=1)).placed == {1: 2, 2: 1}


def test_an_excluded_district_is_never_proposed():
    projects = [Project(key=1, label="E-1", wishes={1: 1, 2: 2}, excluded=frozenset({1}))]

    assert solve(projects, two_districts()).placed == {1: 2}


def test_an_unwished_district_is_proposed_only_when_staff_allow_it():
    districts = [District(key=1, name="Quartier de la gare", minimum=1, maximum=2)]
    wished_elsewhere = Project(key=1, label="E-1", wishes={9: 1})

    with pytest.raises(Infeasible):
        solve([wished_elsewhere], districts)
    allowed_anywhere = Project(key=1, label="E-1", wishes={9: 1}, allow_unwished=True)
    assert solve([allowed_anywhere], districts).placed == {1: 1}


def test_earlier_waves_count_in_the_caps():
    districts = [District(key=1, name="Quartier de la gare", minimum=6, maximum=8, already=7)]
    projects = [Project(key=k, label=f"E-{k}", score=float(k), wishes={1: 1}) for k in range(3)]

    proposal = solve(projects, districts)

    assert proposal.placed_count == 1
    assert proposal.placed[2] == 1  # the best scored


def describe(code, district, n, limit):
    return f"{code}:{district.name if district else '-'}:{n}:{limit}"


def test_a_district_too_few_projects_wished_is_named():
    districts = [District(key=1, name="Quartier de la gare", minimum=6, maximum=8)]
    projects = [Project(key=k, label=f"E-{k}", wishes={1: 1}) for k in range(4)]

    with pytest.raises(Infeasible) as raised:
        solve(projects, districts, describe=describe)

    assert "too_few:Quartier de la gare:4:6" in raised.value.reasons


def test_too_many_pins_in_one_district_are_named():
    districts = [District(key=1, name="Quartier du canal", minimum=0, maximum=1)]
    projects = [Project(key=k, label=f"E-{k}", wishes={1: 1}, pinned=1) for k in range(2)]

    with pytest.raises(Infeasible) as raised:
        solve(projects, districts, describe=describe)

    assert raised.value.reasons == ["too_many_pinned:Quartier du canal:2:1"]


def test_too_few_laureates_for_the_minimums_together_are_named():
    districts = [
        District(key=1, name="A", minimum=2, maximum=3),
        District(key=2, name="B", minimum=2, maximum=3),
    ]
    projects = [Project(key=k, label=f"E-{k}", wishes={1: 1, 2: 2}) for k in range(3)]

    with pytest.raises(Infeasible) as raised:
        solve(projects, districts, describe=describe)

    assert raised.value.reasons == ["too_few_projects:-:3:4"]


def test_a_constraint_only_the_solver_finds_is_still_a_clear_refusal():
    # Each district is reachable by two projects, but they are the same two.
    districts = [
        District(key=1, name="A", minimum=2, maximum=2),
        District(key=2, name="B", minimum=2, maximum=2),
    ]
    projects = [Project(key=k, label=f"E-{k}", wishes={1: 1, 2: 2}) for k in range(2)] + [
        Project(key=k, label=f"E-{k}", wishes={3: 1}) for k in range(2, 4)
    ]

    with pytest.raises(Infeasible) as raised:
        solve(projects, districts, describe=describe)

    assert raised.value.reasons == ["no_solution:-:0:0"]
