"""The classic sales-commission Monte Carlo (pbpython, "Monte Carlo Simulation with Python",
repository chris1610/pbpython) as an incentives program and a simulation.

The model: 500 sales reps; each has a sales target of 75k, 100k, 200k, 300k, 400k or 500k
(probabilities .3, .3, .2, .1, .05, .05) and reaches a percent of it drawn from Normal(1.0, 0.1);
commission is a rate times sales: 2% up to 90% of target, 3% up to 99%, 4% above. Its published
mean total commission is 2,858,654 over 1,000 runs (the loop version) and 2,832,281 over 100,000
runs (the vectorised version).

Boundary choices, stated (the original's edges are ambiguous):
- The loop version rounds the percent to 2 places and pays 2% for a rounded percent <= 0.90, 3% for
  <= 0.99 and 4% above. On the unrounded attainment that is: 2% below 90.5%, 3% from 90.5% to below
  99.5%, 4% from 99.5% - the accelerator bands below (x2, x3, x4 of a 1% rate). Half-open bands
  compare `sales >= from x target` exactly: no rounding decides a band.
- Sales are target x attainment, unrounded (the original multiplies by the rounded percent: the mean
  differs by less than 0.01%).
- Targets: the catalog gives the reps targets in the exact proportions (150 x 75k, 150 x 100k,
  100 x 200k, 50 x 300k, 25 x 400k, 25 x 500k) instead of drawing them anew in every run: the mean is
  the same (167,500 a rep), the spread of the total is smaller.
- The vectorised version pays the rate times the *target*, not sales, and does not round: its
  expected total is lower (about 2,831,700); this program pays on sales, like the loop version.

Run:  python examples/python/commission_monte_carlo.py [--scenarios 100000] [--threads 2]
"""

from __future__ import annotations

import argparse
import decimal
import math
import time

import incentives

PUBLISHED_LOOP_MEAN = decimal.Decimal("2858654")  # 1,000 runs, rate x sales, rounded percent
PUBLISHED_VECTOR_MEAN = decimal.Decimal("2832281")  # 100,000 runs, rate x target

PROGRAM = {
    "program": "Sales commission (pbpython's model)",
    "currency": "USD",
    "periods": {"from": "2027-01-01", "to": "2027-12-31"},
    "rules": [
        {
            "id": "commission",
            "kind": "bonus",
            "measure": "amount",
            "per": ["partner", "year"],
            "pay": {"rate": "1%"},
            # 2% below 90.5% of target, 3% from 90.5%, 4% from 99.5% (see the boundary choices above)
            "accelerator": [
                {"from": "0%", "multiplier": "2"},
                {"from": "90.5%", "multiplier": "3"},
                {"from": "99.5%", "multiplier": "4"},
            ],
        }
    ],
}

TARGETS = [(75_000, 150), (100_000, 150), (200_000, 100), (300_000, 50), (400_000, 25), (500_000, 25)]


def reps() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    partners, plans = [], []
    for target, count in TARGETS:
        for _ in range(count):
            rep = f"R{len(partners) + 1:03d}"
            partners.append({"id": rep, "name": rep})
            plans.append({"beneficiary": rep, "period": "2027-01-01", "target": str(target)})
    return partners, plans


def expected_mean() -> decimal.Decimal:
    """The closed form of the program's expected total: sum over the bands of multiplier x 1% x
    E[target x a; band], with E[a; lo <= a < hi] = Phi(b) - Phi(a') + 0.1 (phi(a') - phi(b)) for
    a ~ Normal(1, 0.1) in standard units a' = (lo - 1) / 0.1, b = (hi - 1) / 0.1."""
    Phi = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731

    def part(lo: float, hi: float) -> float:
        a, b = (lo - 1) / 0.1, (hi - 1) / 0.1
        return (Phi(b) - Phi(a)) + 0.1 * (phi(a) - phi(b))

    per_target = 0.02 * part(-10, 0.905) + 0.03 * part(0.905, 0.995) + 0.04 * part(0.995, 10)
    total_target = sum(t * n for t, n in TARGETS)  # 83,750,000
    return decimal.Decimal(repr(per_target * total_target)).quantize(decimal.Decimal("1"))


def simulate(scenarios: int, threads: int, seed: int = 2027) -> incentives.Simulation:
    partners, plans = reps()
    program = incentives.Program.from_dict(PROGRAM)
    assumptions = {"model": "attainment", "mean": "1", "spread": "0.1"}
    return program.simulate(None, assumptions, scenarios=scenarios, seed=seed, threads=threads, partners=partners, plans=plans)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=100_000)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    t0 = time.perf_counter()
    sim = simulate(args.scenarios, args.threads)
    seconds = time.perf_counter() - t0
    mean = sim.cost("mean")
    closed = expected_mean()
    print(sim)
    print(f"{args.scenarios} scenarios in {seconds:.1f} s")
    print(f"mean total commission     {mean:>12}")
    print(f"closed form (this model)  {closed:>12}  ({(mean / closed - 1) * 100:+.3f}%)")
    for name, published in (("loop version, 1,000 runs", PUBLISHED_LOOP_MEAN), ("vectorised, 100,000 runs", PUBLISHED_VECTOR_MEAN)):
        print(f"pbpython {name:<25} {published:>12}  ({(mean / published - 1) * 100:+.3f}%)")
    print(f"P50 {sim.cost('p50')}  P90 {sim.cost('p90')}  reserve {sim.reserve}")


if __name__ == "__main__":
    main()
