// Measures: what a rule counts for each beneficiary and period — amount, quantity, count, distinct
// count, the sum of a numeric attribute — optionally as growth over a baseline.
#pragma once

#include <optional>
#include <string>

namespace incentives::rules {

/// Growth of a measure over a baseline, as an absolute difference or as a percent.
struct growth {
    enum class baseline_kind : unsigned char { prior_period, prior_year, attribute };
    enum class form_kind : unsigned char { absolute, percent };
    baseline_kind baseline = baseline_kind::prior_year;
    form_kind form = form_kind::absolute;
    std::string attribute;  ///< for baseline_kind::attribute: a numeric partner or participant attribute
    friend bool operator==(const growth&, const growth&) = default;
};

/// What is measured, per beneficiary and period.
struct measure {
    enum class kind_t : unsigned char { amount, quantity, count, distinct, attribute };
    kind_t kind = kind_t::amount;
    std::string attribute;  ///< for distinct (values counted) and attribute (numeric values summed)
    std::optional<growth> over;
    friend bool operator==(const measure&, const measure&) = default;
};

[[nodiscard]] inline std::string_view to_string(measure::kind_t k) noexcept {
    constexpr std::string_view names[] = {"amount", "quantity", "count", "distinct", "attribute"};
    return names[static_cast<int>(k)];
}

}  // namespace incentives::rules
