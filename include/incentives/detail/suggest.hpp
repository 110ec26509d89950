// "Did you mean": the closest candidate to a misspelt name, for error messages.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace incentives::detail {

/// Case-insensitive edit distance where swapping two neighbouring characters is one edit, as it is
/// one slip of the fingers ("sael" for "sale"): the optimal string alignment distance.
[[nodiscard]] inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
    const std::size_t w = b.size() + 1;
    std::vector<std::size_t> d((a.size() + 1) * w);
    for (std::size_t j = 0; j < w; ++j) d[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        d[i * w] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = lower(a[i - 1]) == lower(b[j - 1]);
            std::size_t best = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + (same ? 0 : 1)});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
                best = std::min(best, d[(i - 2) * w + j - 2] + 1);
            d[i * w + j] = best;
        }
    }
    return d[a.size() * w + b.size()];
}

/// " (did you mean \"x\"?)" for the closest candidate within one edit per three characters (at
/// least one), or "". Ties go to the first candidate.
template <class Range>
[[nodiscard]] std::string did_you_mean(std::string_view name, const Range& candidates) {
    std::string_view best;
    std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
    for (const auto& c : candidates) {
        std::size_t d = edit_distance(name, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best.empty() ? std::string() : " (did you mean \"" + std::string(best) + "\"?)";
}

}  // namespace incentives::detail
