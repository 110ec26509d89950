// String dictionaries: every id and category is encoded once into a dense code, so the hot loops
// work on integers.
#pragma once

#include <cstdint>
#include <optional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace incentives::detail {

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

/// Dense codes for strings, in order of first appearance; code 0 is the empty string.
class dictionary {
public:
    dictionary() { intern(""); }

    /// The code of `s`, adding it when new.
    std::uint32_t intern(std::string_view s) {
        if (auto it = index_.find(s); it != index_.end()) return it->second;
        auto code = static_cast<std::uint32_t>(values_.size());
        values_.emplace_back(s);
        index_.emplace(values_.back(), code);
        return code;
    }
    [[nodiscard]] std::optional<std::uint32_t> find(std::string_view s) const {
        if (auto it = index_.find(s); it != index_.end()) return it->second;
        return std::nullopt;
    }
    [[nodiscard]] const std::string& operator[](std::uint32_t code) const { return values_[code]; }
    [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
    [[nodiscard]] const std::vector<std::string>& values() const noexcept { return values_; }

private:
    std::vector<std::string> values_;
    std::unordered_map<std::string, std::uint32_t, string_hash, std::equal_to<>> index_;
};

/// The engine's dictionaries for event columns.
struct event_dictionaries {
    dictionary kinds;
    dictionary categories;
    std::map<std::string, dictionary, std::less<>> attrs;
};

}  // namespace incentives::detail
