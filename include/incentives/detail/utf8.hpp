// UTF-8 validity: ids, keys and program texts reach outputs and messages, so they must be text.
#pragma once

#include <cstdint>
#include <string_view>

namespace incentives::detail {

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
[[nodiscard]] inline bool valid_utf8(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        if (*p < 0x80) {
            ++p;
            continue;
        }
        int n = 0;
        std::uint32_t cp = 0;
        if ((*p & 0xE0) == 0xC0) n = 1, cp = *p & 0x1Fu;
        else if ((*p & 0xF0) == 0xE0) n = 2, cp = *p & 0x0Fu;
        else if ((*p & 0xF8) == 0xF0) n = 3, cp = *p & 0x07u;
        else return false;
        if (end - p <= n) return false;
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        static constexpr std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};
        if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        p += n + 1;
    }
    return true;
}

}  // namespace incentives::detail
