// A rule: select events, measure them per beneficiary and period, turn the measure into money with a
// schedule, then apply modifiers. Rules compose: sum_of, max_of, first_of, and `when` conditions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/rules/combinator.hpp>
#include <incentives/rules/credit.hpp>
#include <incentives/rules/measure.hpp>
#include <incentives/rules/modifiers.hpp>
#include <incentives/rules/schedule.hpp>
#include <incentives/rules/selection.hpp>

namespace incentives::rules {

/// A rule: a value (children and versions are copied with it). Programs share their rules: an engine
/// or a program copy holds them behind a shared pointer, never copying a rule.
struct rule {
    std::string id;
    std::string label;  ///< free text: "rebate", "spiff"...
    selector select;    ///< when it does not mention the event kind, the rule selects sales
    measure measure_;
    credit credit_;
    period_unit per = period_unit::quarter;
    schedule pay;
    threshold qualify;
    std::optional<accelerator> accelerate;
    std::vector<limit> limits;
    std::optional<budget> budget_;
    std::optional<clawback> clawback_;
    std::string fund;  ///< "": paid in cash; else the id of the fund its lines are credited to
    std::string points;  ///< "": paid in money; else the points program's id: its lines are points (engine/points.hpp)

    combinator combine = combinator::none;
    std::vector<rule> children;

    /// Effective-dated versions: from `effective_from` on, the version's schedule and modifiers apply
    /// (events dated before it use the previous version). Versions keep the rule's selection,
    /// measure, credit and period.
    struct version;
    std::vector<version> versions;

    friend bool operator==(const rule&, const rule&);
};

struct rule::version {
    date effective_from;
    schedule pay;
    threshold qualify;
    std::optional<accelerator> accelerate;
    std::vector<limit> limits;
    friend bool operator==(const version&, const version&) = default;
};

inline bool operator==(const rule& a, const rule& b) {
    return a.id == b.id && a.label == b.label && a.select == b.select && a.measure_ == b.measure_ &&
           a.credit_ == b.credit_ && a.per == b.per && a.pay == b.pay && a.qualify == b.qualify &&
           a.accelerate == b.accelerate && a.limits == b.limits && a.budget_ == b.budget_ &&
           a.clawback_ == b.clawback_ && a.fund == b.fund && a.points == b.points && a.combine == b.combine && a.children == b.children &&
           a.versions == b.versions;
}

}  // namespace incentives::rules
