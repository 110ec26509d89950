// "Did you mean": the closest candidate to a misspelt name, for error messages.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace incentives::detail {

/// Case-insensitive Levenshtein distance.
[[nodiscard]] inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
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
