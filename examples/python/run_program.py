"""Run the bundled reseller program over the bundled sample data with pandas, and print totals by rule.

    python examples/python/run_program.py        # needs the extra pandas: pip install '.[pandas]'

Loads examples/programs/reseller.yaml and examples/data/*.csv (every column as text, so no amount
passes through a float), runs the program, prints what each rule pays and one partner's statement,
and checks the result: the exact total is the sum of the payout lines (also in integer cents) and is
positive. Exits non-zero if a check fails, and with status 2 (saying which extra to install) if
pandas is missing.
"""

import decimal
import sys
from pathlib import Path

try:
    import pandas as pd
except ModuleNotFoundError:  # an optional extra of the package
    print("this example needs pandas: pip install '.[pandas]' (in the repository root)", file=sys.stderr)
    sys.exit(2)

import incentives

EXAMPLES = Path(__file__).resolve().parents[1]


def read(name: str) -> pd.DataFrame:
    # dtype=str keeps amounts exact ("1234.50", never 1234.5 as a float); keep_default_na=False keeps
    # empty cells as "" rather than NaN (both would work).
    return pd.read_csv(EXAMPLES / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def main() -> int:
    program = incentives.Program.from_yaml(EXAMPLES / "programs" / "reseller.yaml")
    result = program.run(
        events=read("events"),
        partners=read("partners"),
        participants=read("participants"),
        products=read("products"),
        plans=read("plans"),
    )

    print(f"{program.name}: {len(result)} payout lines over {result.events_seen} events\n")
    by_rule = result.totals(by="rule")
    print(by_rule.to_string(index=False))
    print(f"\ntotal {result.total} {result.currency}\n")
    print(result.statement("P01"))

    payouts = result.payouts
    lines_sum = sum(payouts["amount"], decimal.Decimal(0))
    checks = {
        "the total is the sum of the payout lines": result.total == lines_sum,
        "the total is the sum of the lines in cents": int(payouts["amount_minor"].sum()) == int(lines_sum * 100),
        "the totals by rule add up to the total": sum(by_rule["amount"], decimal.Decimal(0)) == result.total,
        "the total is positive": result.total > 0,
    }
    failed = [what for what, ok in checks.items() if not ok]
    for what in failed:
        print(f"CHECK FAILED: {what}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
