// Thresholds: a line qualifies only when its measure reaches a minimum and its partner is eligible.
#pragma once

#include <optional>

#include <incentives/decimal.hpp>
#include <incentives/model.hpp>
#include <incentives/rules/selection.hpp>

namespace incentives::rules {

/// Pay only when the measure reaches `min_measure` and the partner is eligible.
struct threshold {
    std::optional<decimal> min_measure;
    std::optional<selector> eligible;  ///< over partner fields, e.g. partner.trained in [yes]
    friend bool operator==(const threshold&, const threshold&) = default;
};

/// Whether a measure reaches the threshold's minimum (no minimum: always).
[[nodiscard]] inline bool reaches(const threshold& q, const decimal& measure) {
    return !q.min_measure || !(measure < *q.min_measure);
}

/// Whether a partner passes a selector made of partner fields (an eligibility condition).
[[nodiscard]] inline bool partner_matches(const selector& s, const partner& p) {
    using op = selector::op;
    switch (s.kind()) {
        case op::always:
        case op::dates:
        case op::certified: return true;  // not partner fields: eligibility never holds them (validated)
        case op::all:
            for (const auto& c : s.children())
                if (!partner_matches(c, p)) return false;
            return true;
        case op::any:
            for (const auto& c : s.children())
                if (partner_matches(c, p)) return true;
            return false;
        case op::negate: return !partner_matches(s.children()[0], p);
        case op::in:
        case op::range: return s.accepts(partner_field(p, s.target().name));
    }
    return false;
}

/// Whether a partner is eligible under the threshold (no condition: always).
[[nodiscard]] inline bool eligible(const threshold& q, const partner& p) {
    return !q.eligible || partner_matches(*q.eligible, p);
}

}  // namespace incentives::rules
