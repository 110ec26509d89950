// Contests: competitors ranked by an exact score and a tie-break chain, a fixed number of winners,
// and prizes by place. This header holds the declared choices people disagree about (how ties are
// numbered, what a tie at the cut does); the ranking and the prize split are engine/ranking.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>

namespace incentives::rules {

/// How competitors tied on every key of the chain are numbered, for scores 10, 8, 8, 5: standard
/// competition 1, 2, 2, 4 ("1224", SQL RANK); modified 1, 3, 3, 4 ("1334"); dense 1, 2, 2, 3 ("1223",
/// DENSE_RANK); ordinal 1, 2, 3, 4 ("1234", which refuses a tie the chain does not break);
/// fractional 1, 2.5, 2.5, 4 (the average of the places the tie occupies).
enum class rank_method : unsigned char { standard, modified, dense, ordinal, fractional };

/// What a tie that straddles the number of winners does: everyone tied wins (the places past the cut
/// that the tie occupies pay the cut's prize, so more prizes are paid than the table holds); the
/// tie-break chain decides (a tie it does not break is refused); or the tied competitors all win and
/// share the prizes of the places up to the cut.
enum class cut_rule : unsigned char { all_win, tie_break, share };

inline constexpr std::array<std::string_view, 5> rank_method_names{"standard", "modified", "dense", "ordinal", "fractional"};
inline constexpr std::array<std::string_view, 3> cut_rule_names{"all_win", "tie_break", "share"};

[[nodiscard]] inline std::string_view to_string(rank_method m) noexcept { return rank_method_names[static_cast<int>(m)]; }
[[nodiscard]] inline std::string_view to_string(cut_rule c) noexcept { return cut_rule_names[static_cast<int>(c)]; }

/// What a contest ranks on, from a rule of the program: the rule's exact measure over the round
/// (sales, units, a distinct count), its number of contributing events, what its lines pay over the
/// round (money, or points for a points rule), or the measure as a fraction of the competitor's plans
/// for the round (attainment: compared exactly as a ratio, shown rounded half-even to 6 places), or its
/// growth over the rule's own baseline (prior period or prior year) in the round's periods: the
/// difference (growth), or the difference over the baseline (growth_percent, a ratio like attainment).
struct contest_measure {
    enum class of_t : unsigned char { measure, count, payout, attainment, growth, growth_percent };
    std::string rule;
    of_t of = of_t::measure;
    friend bool operator==(const contest_measure&, const contest_measure&) = default;
};
inline constexpr std::array<std::string_view, 6> contest_measure_names{"measure", "count", "payout", "attainment", "growth", "growth_percent"};

/// One key of the tie-break chain after the score.
struct tie_break {
    enum class by_t : unsigned char {
        measure,        ///< another rule's measure (or count, payout, attainment): `of`
        reached_first,  ///< the earlier date of the last event that counted in the score wins
        fewer_returns,  ///< fewer returns inside the score rule's clawback window in the round
        attribute,      ///< a numeric attribute of the competitor (exact), `higher_first` or not
        lot,            ///< a seeded lot (Philox keyed by the program's seed): always breaks the tie
    };
    by_t by = by_t::lot;
    contest_measure of;       ///< by measure
    std::string attribute;    ///< by attribute
    bool higher_first = true; ///< by measure or attribute: the higher value places first
    friend bool operator==(const tie_break&, const tie_break&) = default;
};
inline constexpr std::array<std::string_view, 5> tie_break_names{"measure", "reached_first", "fewer_returns", "attribute", "lot"};

/// How competitors are grouped so that small partners are not ranked against large ones; a
/// competitor is in exactly one league. `field` names a competitor field: a partner's (segment,
/// region, tier, group, an attribute), a person's (role, an attribute) or, as `partner.<field>`, the
/// person's partner's.
struct leagues {
    enum class by_t : unsigned char { none, field, bands, lists };
    struct band {
        std::string name;
        std::optional<decimal> below;  ///< the league holds values < below (nullopt: the last, unbounded)
        friend bool operator==(const band&, const band&) = default;
    };
    struct list {
        std::string name;
        std::vector<std::string> members;  ///< competitor ids
        friend bool operator==(const list&, const list&) = default;
    };
    by_t by = by_t::none;
    std::string field;          ///< by field, or the numeric field banded
    std::vector<band> bands;    ///< ascending bounds
    std::vector<list> lists;    ///< who competes, league by league
    friend bool operator==(const leagues&, const leagues&) = default;
};

/// Who may compete: a `registered` date on or before the round's last day, a certification held on
/// that day, and a minimum of a rule's measure over the round ("at least 10 deals").
struct contest_eligibility {
    bool registered = false;
    std::string certified;                ///< a declared course ("" none)
    std::optional<contest_measure> min_of;
    decimal at_least;
    friend bool operator==(const contest_eligibility&, const contest_eligibility&) = default;
};

/// What the winners get: cash (a payout line), points (a line in the program's points, a lot like a
/// points rule's line), a fund credit (a line credited to `fund`), or an in-kind prize (named, with
/// a declared value for tax and budget; no line). Place prizes come from `places` or from a pot
/// split by `split` (fractions adding up to 1) over the places; `steps` are pots shared equally by
/// everyone whose score reaches `at` (a competitor shares in every step it reaches).
struct prizes {
    enum class pay_t : unsigned char { cash, points, fund, in_kind };
    struct pot_t {
        std::optional<decimal> amount;   ///< a fixed pot
        std::optional<decimal> percent;  ///< or a fraction of the league's summed score (0.05: 5% of its sales)
        std::vector<decimal> split;      ///< fractions of the pot by place, adding up to 1
        friend bool operator==(const pot_t&, const pot_t&) = default;
    };
    struct step {
        decimal at;
        decimal pot;
        friend bool operator==(const step&, const step&) = default;
    };
    pay_t pay = pay_t::cash;
    std::string fund;                  ///< pay fund
    std::vector<decimal> places;       ///< by place, from the first (in-kind: each place's value)
    std::vector<std::string> items;    ///< in-kind: each place's prize ("Trip to Lisbon")
    std::optional<pot_t> pot;
    std::vector<step> steps;           ///< ascending thresholds
    friend bool operator==(const prizes&, const prizes&) = default;
};
inline constexpr std::array<std::string_view, 4> prize_pay_names{"cash", "points", "fund", "in_kind"};

/// A competition: competitors (partners, or people with some roles: whom the score rule credits)
/// ranked in their league by the score and the tie-break chain, per round (a period of `per`), a
/// fixed number of winners per league and round, prizes by place.
struct contest {
    std::string id;
    std::string name;
    contest_measure score;
    period_unit per = period_unit::program;
    std::vector<std::string> roles;      ///< people competing: only these roles ("" all)
    contest_eligibility eligible;
    rules::leagues leagues;
    rank_method method = rank_method::standard;
    std::vector<tie_break> chain;        ///< after the score, at most 5 keys
    std::size_t winners = 0;
    cut_rule cut = cut_rule::share;
    std::optional<decimal> min_score;    ///< below it a competitor ranks but wins no place prize
    rules::prizes prize;
    friend bool operator==(const contest&, const contest&) = default;
};

}  // namespace incentives::rules
