"""Program: reading YAML (a file or text), the dict form (from_dict / to_dict), writing YAML, errors with
their codes and locations, and what-if changes (with_changes and its path syntax)."""

import copy
import datetime
import decimal
import pickle
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

from incentives import ConfigError, Decimal, Program, ValidationError

RESELLER = EXAMPLES / "programs" / "reseller.yaml"

SMALL = {
    "program": "Small",
    "currency": "EUR",
    "periods": {"from": "2027-01-01", "to": "2027-12-31"},
    "rules": [
        {
            "id": "volume",
            "select": {"kind": "sale", "category": ["laptops", "servers"]},
            "per": ["partner", "quarter"],
            "tiers": {
                "table": [
                    {"from": 0, "rate": "1%", "name": "bronze"},
                    {"from": "50000", "rate": decimal.Decimal("0.02"), "name": "silver"},
                    {"from": Decimal("150000"), "rate": "3.5%", "name": "gold"},
                ]
            },
            "cap": {"amount": "25000", "per": "year"},
        },
        {"id": "spiff", "select": {"sku": "X200"}, "per": ["participant", "month"], "pay": {"per_unit": 40}},
    ],
}


# ---- reading -------------------------------------------------------------------------------------


def test_from_yaml_reads_a_path_a_str_path_and_text():
    by_path = Program.from_yaml(RESELLER)
    assert by_path.name == "Reseller program 2027"
    assert by_path.currency == "EUR"
    assert by_path.rules == ["volume-rebate", "growth-rebate", "x200-launch-spiff", "plan-bonus", "specialist-bonus"]
    assert Program.from_yaml(str(RESELLER)) == by_path
    assert Program.from_yaml(RESELLER.read_text()) == by_path
    assert Program.from_yaml(RESELLER.read_bytes()) == by_path


def test_a_missing_file_is_a_config_file_error():
    with pytest.raises(ConfigError) as info:
        Program.from_yaml("no/such/program.yaml")
    assert info.value.code == "incentives.config.file"
    assert "no/such/program.yaml" in str(info.value)


def test_a_misspelt_key_is_a_config_error_with_file_line_column_and_path():
    bad = ROOT / "tests" / "data" / "bad" / "typo.yaml"
    with pytest.raises(ConfigError) as info:
        Program.from_yaml(bad)
    e = info.value
    assert e.code == "incentives.config.unknown_key"
    assert f"{bad}:8:5: rules[0].tierz" in str(e)
    assert 'did you mean "tiers"' in str(e)


def test_yaml_text_errors_name_the_string_source():
    with pytest.raises(ConfigError) as info:
        Program.from_yaml("program: P\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\nrules: [{id: r, pay: {rate: 2}}]\nrounding: {mode: half_evn}\n")
    assert info.value.code == "incentives.config.value"
    assert "<string>:5:" in str(info.value) and "rounding.mode" in str(info.value)


def test_an_invalid_program_is_a_validation_error():
    bad = copy.deepcopy(SMALL)
    bad["rules"][0]["tiers"]["table"][1]["from"] = "0"
    with pytest.raises(ValidationError) as info:
        Program.from_dict(bad)
    assert info.value.code == "incentives.validation.tier_order"
    assert "rules[0].tiers.table[1]" in str(info.value)


# ---- the dict form -------------------------------------------------------------------------------


def test_from_dict_takes_str_int_and_decimals_exactly():
    p = Program.from_dict(SMALL)
    assert p.rules == ["volume", "spiff"]
    d = p.to_dict()
    table = d["rules"][0]["tiers"]["table"]
    assert [row["rate"] for row in table] == ["0.01", "0.02", "0.035"]
    assert [row["from"] for row in table] == ["0", "50000", "150000"]
    assert d["rules"][0]["cap"] == {"amount": "25000", "per": "year"}


def test_to_dict_round_trips_and_matches_yaml():
    p = Program.from_yaml(RESELLER)
    assert Program.from_dict(p.to_dict()) == p
    assert Program.from_yaml(p.to_yaml()) == p
    assert p.to_dict()["program"] == "Reseller program 2027"
    assert p.rule("volume-rebate")["tiers"]["table"][2] == {"from": "150000", "rate": "0.035", "name": "gold"}
    with pytest.raises(KeyError, match="volume-rebat"):
        p.rule("volume-rebat")


def test_from_dict_takes_dates_and_tuples():
    d = copy.deepcopy(SMALL)
    d["periods"] = {"from": datetime.date(2027, 1, 1), "to": datetime.datetime(2027, 12, 31)}
    d["rules"][1]["per"] = ("participant", "month")
    assert Program.from_dict(d) == Program.from_dict(SMALL)


@pytest.mark.parametrize(
    "path, set_to",
    [
        (("rules", 0, "tiers", "table", 1, "rate"), 0.02),
        (("rules", 1, "pay", "per_unit"), 40.0),
        (("rules", 0, "cap", "amount"), 25000.0),
    ],
)
def test_a_float_anywhere_is_a_type_error_naming_its_path(path, set_to):
    d = copy.deepcopy(SMALL)
    node = d
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = set_to
    with pytest.raises(TypeError) as info:
        Program.from_dict(d)
    message = str(info.value)
    assert "float" in message and "pass a string or decimal.Decimal" in message
    dotted = ".".join(f"[{s}]" if isinstance(s, int) else s for s in path).replace(".[", "[")
    assert message.startswith(dotted + ":")


def test_from_dict_refuses_none_and_other_types():
    for value, words in ((None, "leave the key out"), (object(), "cannot use")):
        d = copy.deepcopy(SMALL)
        d["rules"][1]["pay"]["per_unit"] = value
        with pytest.raises(TypeError, match=words):
            Program.from_dict(d)


def test_from_dict_takes_bools_as_the_yaml_words():
    # True is "true" for a yes/no key (funds' requires_approval); where a number goes, the reader
    # refuses it with the key's path, as it would the text "true".
    d = copy.deepcopy(SMALL)
    d["rules"][1]["pay"]["per_unit"] = True
    with pytest.raises(ConfigError, match="per_unit"):
        Program.from_dict(d)
    d = copy.deepcopy(SMALL)
    d["funds"] = [{"id": "coop", "requires_approval": True}]
    assert Program.from_dict(d).to_dict()["funds"][0]["requires_approval"] == "true"


def test_from_dict_schema_errors_name_the_key_path():
    d = copy.deepcopy(SMALL)
    d["rules"][0]["tierz"] = d["rules"][0].pop("tiers")
    with pytest.raises(ConfigError) as info:
        Program.from_dict(d)
    assert info.value.code == "incentives.config.unknown_key"
    assert "<dict>:" in str(info.value) and "rules[0].tierz" in str(info.value)


def test_programs_pickle_and_compare():
    p = Program.from_yaml(RESELLER)
    assert pickle.loads(pickle.dumps(p)) == p
    assert p != Program.from_dict(SMALL)
    assert hash(p) == hash(Program.from_yaml(RESELLER))
    assert "Reseller program 2027" in repr(p)


def test_programs_are_immutable():
    p = Program.from_dict(SMALL)
    with pytest.raises(AttributeError):
        p.name = "other"
    with pytest.raises(TypeError, match="from_yaml"):
        Program()


# ---- with_changes --------------------------------------------------------------------------------


def test_with_changes_sets_values_by_rule_id():
    p = Program.from_yaml(RESELLER)
    q = p.with_changes({"rules.volume-rebate.tiers.table[2].from": "200000", "rules.plan-bonus.cap": "3000"})
    assert q.rule("volume-rebate")["tiers"]["table"][2]["from"] == "200000"
    assert q.rule("plan-bonus")["cap"] == "3000"
    assert p.rule("volume-rebate")["tiers"]["table"][2]["from"] == "150000"  # p is unchanged
    assert q.rules == p.rules


def test_with_changes_adds_new_keys_and_removes_with_none():
    p = Program.from_yaml(RESELLER)
    q = p.with_changes(
        {
            "rules.volume-rebate.cap": {"amount": "20000", "per": "year"},
            "rules.x200-launch-spiff": None,
            "rules.growth-rebate.when": {"segment": ["smb", "enterprise"]},
            "program": "Reseller 2027, capped",
        }
    )
    assert q.name == "Reseller 2027, capped"
    assert "x200-launch-spiff" not in q.rules
    assert q.rule("volume-rebate")["cap"] == {"amount": "20000", "per": "year"}
    back = q.with_changes({"rules.volume-rebate.cap": None})
    assert "cap" not in back.rule("volume-rebate")


def test_with_changes_adds_a_rule_by_a_new_id():
    p = Program.from_yaml(RESELLER)
    q = p.with_changes({"rules.loyalty": {"select": {"kind": "sale"}, "per": "year", "pay": {"rate": "0.5%"}}})
    assert q.rules[-1] == "loyalty"
    assert q.rule("loyalty")["pay"] == {"rate": "0.005"}


def test_with_changes_indexes_lists_from_the_end_and_appends():
    p = Program.from_yaml(RESELLER)
    q = p.with_changes(
        {
            "rules.volume-rebate.tiers.table[-1].rate": "4%",
            "rules.volume-rebate.tiers.table[3]": {"from": "300000", "rate": "5%", "name": "platinum"},
            "rules.volume-rebate.select.category[2]": "services",
        }
    )
    rule = q.rule("volume-rebate")
    assert [row["rate"] for row in rule["tiers"]["table"]] == ["0.01", "0.02", "0.04", "0.05"]
    assert rule["select"]["category"] == ["laptops", "servers", "services"]


def test_with_changes_bracketed_and_dotted_keys():
    p = Program.from_yaml(RESELLER)
    q = p.with_changes({'rules.growth-rebate.select["partner.trained"]': "yes"})
    assert q.rule("growth-rebate")["select"]["partner.trained"] == "yes"
    # An existing key with a dot is found without brackets too.
    r = q.with_changes({"rules.growth-rebate.select.partner.trained": "no"})
    assert r.rule("growth-rebate")["select"]["partner.trained"] == "no"


def test_with_changes_reaches_combinator_children_by_id():
    p = Program.from_yaml(ROOT / "tests" / "data" / "golden" / "combinators_versions" / "program.yaml")
    parent = next(r for r in p.to_dict()["rules"] if any(k in r for k in ("sum_of", "max_of", "first_of")))
    kind = next(k for k in ("sum_of", "max_of", "first_of") if k in parent)
    child = parent[kind][0]["id"]
    q = p.with_changes({f"rules.{parent['id']}.{kind}.{child}.select.sku": "CHANGED"})
    assert q.rule(parent["id"])[kind][0]["select"]["sku"] == "CHANGED"


@pytest.mark.parametrize(
    "path, words",
    [
        ("rules.volume-rebat.cap", 'no rule with id "volume-rebat" in rules (did you mean "volume-rebate"?)'),
        ("rules.volume-rebate.tiers.table[7].rate", "index [7] is outside table (it has 3 items)"),
        ("rules.volume-rebate.tiers.table.gold", "table is a list: address its items as table[N]"),
        ("rules.volume-rebate.kind.more", "kind is a single value"),
        ("rules..cap", "empty key"),
        ("rules.volume-rebate.", "ends with '.'"),
    ],
)
def test_with_changes_path_errors(path, words):
    p = Program.from_yaml(RESELLER)
    with pytest.raises(ConfigError) as info:
        p.with_changes({path: "1"})
    assert info.value.code == "incentives.config.path"
    assert words in str(info.value)
    assert path in str(info.value)


def test_the_with_changes_example_of_the_docs():
    p = Program.from_yaml(RESELLER)
    q = p.with_changes(
        {
            "rules.volume-rebate.tiers.table[2].from": "200000",
            "rules.volume-rebate.cap": {"amount": "20000", "per": "year"},
            "rules.plan-bonus.accelerator[-1].multiplier": "2",
            "rules.x200-launch-spiff": None,
            "rules.loyalty": {"select": {"kind": "sale"}, "per": "year", "pay": {"rate": "0.5%"}},
            'rules.growth-rebate.select["partner.trained"]': "yes",
            "program": "Reseller 2027 (what-if)",
        }
    )
    assert q.name == "Reseller 2027 (what-if)"
    assert q.rules == ["volume-rebate", "growth-rebate", "plan-bonus", "specialist-bonus", "loyalty"]
    assert q.rule("plan-bonus")["accelerator"][-1] == {"from": "1.00", "multiplier": "2"}  # 100% = 1.00


def test_with_changes_validates_the_result():
    p = Program.from_yaml(RESELLER)
    with pytest.raises(ValidationError) as info:
        p.with_changes({"rules.volume-rebate.tiers.table[2].from": "10000"})
    assert info.value.code == "incentives.validation.tier_order"
    with pytest.raises(TypeError, match="float"):
        p.with_changes({"rules.plan-bonus.cap": 2500.0})


def test_path_parser():
    from incentives._changes import parse_path

    assert parse_path('rules.a-b.tiers.table[2].from') == ["rules", "a-b", "tiers", "table", 2, "from"]
    assert parse_path("""x["a.b"]['c[d]'][-1]""") == ["x", "a.b", "c[d]", -1]
    assert Path(RESELLER).exists()
