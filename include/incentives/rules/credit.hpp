// Credit: who earns from an event — the partner, the participants of the sale by their exact
// shares (optionally only some roles), or the program as a whole.
#pragma once

#include <string>
#include <vector>

namespace incentives::rules {

/// The beneficiary of a rule, which is also what the rule groups by.
struct credit {
    enum class to_t : unsigned char { partner, participant, program };
    to_t to = to_t::partner;
    std::vector<std::string> roles;  ///< for participants: only these roles earn (shares are kept as given)
    friend bool operator==(const credit&, const credit&) = default;
};

[[nodiscard]] inline std::string_view to_string(credit::to_t t) noexcept {
    constexpr std::string_view names[] = {"partner", "participant", "program"};
    return names[static_cast<int>(t)];
}

}  // namespace incentives::rules
