// Contests: competitors ranked by an exact score and a tie-break chain, a fixed number of winners,
// and prizes by place. This header holds the declared choices people disagree about (how ties are
// numbered, what a tie at the cut does); the ranking and the prize split are engine/ranking.hpp.
#pragma once

#include <array>
#include <string_view>

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

}  // namespace incentives::rules
