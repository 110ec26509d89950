// The reading half of the YAML files (programs, assumptions, tax rules): a context (the source
// name), cursors (a node and its path), mappings whose keys are checked, exact scalars, and the
// checks before the parser sees a text. Private to incentives::io (src/); yaml-cpp stays here.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <incentives/calendar.hpp>
#include <incentives/currency.hpp>
#include <incentives/decimal.hpp>
#include <incentives/detail/suggest.hpp>
#include <incentives/detail/utf8.hpp>
#include <incentives/errors.hpp>

namespace incentives::io {
namespace {

template <class Range>
inline bool contains(const Range& r, std::string_view s) {
    for (const auto& x : r)
        if (x == s) return true;
    return false;
}

template <class Range>
inline std::string joined(const Range& r, std::string_view sep = ", ") {
    std::string out;
    for (const auto& x : r) out += (out.empty() ? "" : std::string(sep)) + std::string(x);
    return out;
}

/// An error's message without its "[code] " prefix.
inline std::string message_of(const error& e) {
    std::string_view w = e.what();
    auto cut = w.find("] ");
    return std::string(cut == std::string_view::npos ? w : w.substr(cut + 2));
}

inline std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string at_index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

// ---------------------------------------------------------------------------------------------
// Reading: a context (the source name), cursors (a node and its path) and mappings (checked keys).

struct context {
    std::string source;
    // Values read so far, against a bound: aliases (*name) can make a small text stand for an
    // exponential tree ("billion laughs"); the reader walks the tree, so it counts what it walks.
    mutable std::size_t visited = 0;
    std::size_t visit_limit = 0;

    void visit(const YAML::Node& n, const std::string& path) const {
        if (++visited <= visit_limit) return;
        fail("aliases", n.Mark(), path,
             fmt::format("the program expands to more than {} values through aliases (*name); an alias may repeat a part, "
                         "not multiply the program beyond 4 times its text",
                         visit_limit));
    }

    [[noreturn]] void fail(std::string_view what, const YAML::Mark& mark, const std::string& path,
                           const std::string& message) const {
        int line = mark.is_null() ? 1 : mark.line + 1;
        int column = mark.is_null() ? 1 : mark.column + 1;
        throw config_error("incentives.config." + std::string(what),
                           fmt::format("{}:{}:{}: {}: {}", source, line, column, path.empty() ? "(document)" : path,
                                       message));
    }
};

/// A node being read, with the path that names it in messages ("rules[0].tiers.table[1].rate").
struct cursor {
    const context* ctx;
    YAML::Node node;
    std::string path;

    [[noreturn]] void fail(std::string_view what, const std::string& message) const {
        ctx->fail(what, node.Mark(), path, message);
    }
    [[nodiscard]] cursor item(std::size_t i, YAML::Node n) const { return {ctx, std::move(n), at_index(path, i)}; }
};

inline std::string found(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: return " (found a mapping)";
        case YAML::NodeType::Sequence: return " (found a list)";
        case YAML::NodeType::Scalar: return " (found \"" + n.Scalar() + "\")";
        default: return " (found nothing)";
    }
}

/// One key of a mapping: its name, where the key is written, and its value.
struct entry {
    std::string key;
    YAML::Mark key_mark;
    cursor value;
};

/// The entries of a mapping in document order; rejects non-mappings, non-text keys and repeated keys.
inline std::vector<entry> entries_of(const cursor& c, std::string_view expected = "a mapping") {
    if (!c.node.IsMap()) c.fail("type", "expected " + std::string(expected) + found(c.node));
    std::vector<entry> out;
    for (const auto& pair : c.node) {
        YAML::Node k = pair.first;  // copies: the iterator hands out temporaries
        if (!k.IsScalar()) c.ctx->fail("type", k.Mark(), c.path, "expected a text key" + found(k));
        std::string key = k.Scalar();
        for (const auto& e : out)
            if (e.key == key)
                c.ctx->fail("conflict", k.Mark(), join(c.path, key),
                            "key \"" + key + "\" appears twice (first at line " + std::to_string(e.key_mark.line + 1) + ")");
        out.push_back({key, k.Mark(), cursor{c.ctx, YAML::Node(pair.second), join(c.path, key)}});
    }
    return out;
}

/// A mapping whose keys are checked against the allowed ones.
class mapping {
public:
    mapping(const cursor& c, std::initializer_list<std::string_view> allowed) : at_(c), entries_(entries_of(c)) {
        c.ctx->visit(c.node, c.path);
        for (const auto& e : entries_)
            if (!contains(allowed, e.key)) unknown_key(e, allowed);
    }

    [[nodiscard]] const cursor& self() const noexcept { return at_; }
    [[nodiscard]] const std::vector<entry>& entries() const noexcept { return entries_; }

    [[nodiscard]] const entry* find(std::string_view key) const {
        for (const auto& e : entries_)
            if (e.key == key) return &e;
        return nullptr;
    }
    [[nodiscard]] std::optional<cursor> get(std::string_view key) const {
        const entry* e = find(key);
        return e ? std::optional<cursor>(e->value) : std::nullopt;
    }
    [[nodiscard]] cursor require(std::string_view key) const {
        if (const entry* e = find(key)) return e->value;
        at_.ctx->fail("missing_key", at_.node.Mark(), join(at_.path, key), "missing required key \"" + std::string(key) + "\"");
    }

    /// The one present key among `alternatives` (nullptr when none); two present is a conflict.
    template <class Range>
    [[nodiscard]] const entry* one_of(const Range& alternatives, const std::string& what) const {
        const entry* hit = nullptr;
        for (const auto& e : entries_) {
            if (!contains(alternatives, e.key)) continue;
            if (hit)
                conflict(e, what + " (found both \"" + hit->key + "\" and \"" + e.key + "\")");
            hit = &e;
        }
        return hit;
    }

    [[noreturn]] void conflict(const entry& e, const std::string& message) const {
        at_.ctx->fail("conflict", e.key_mark, e.value.path, message);
    }

private:
    [[noreturn]] void unknown_key(const entry& e, std::initializer_list<std::string_view> allowed) const {
        at_.ctx->fail("unknown_key", e.key_mark, e.value.path,
                      "unknown key \"" + e.key + "\"" + detail::did_you_mean(e.key, allowed));
    }

    cursor at_;
    std::vector<entry> entries_;
};

inline std::vector<cursor> list_of(const cursor& c, std::string_view expected = "a list") {
    if (!c.node.IsSequence()) c.fail("type", "expected " + std::string(expected) + found(c.node));
    std::vector<cursor> out;
    std::size_t i = 0;
    for (const auto& n : c.node) {  // iterated, not indexed: node[i] walks the list
        c.ctx->visit(n, c.path);
        out.push_back(c.item(i++, n));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Scalars: text, enumerations, numbers, dates.

inline std::string text(const cursor& c) {
    if (!c.node.IsScalar()) c.fail("type", "expected a single value" + found(c.node));
    return c.node.Scalar();
}

/// The enumerator whose name is the scalar's text (enumerators in the order of `names`).
template <class Enum, std::size_t N>
inline Enum choice(const cursor& c, const std::array<std::string_view, N>& names) {
    std::string t = text(c);
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == t) return static_cast<Enum>(i);
    c.fail("value", "unknown value \"" + t + "\": expected one of " + joined(names) + detail::did_you_mean(t, names));
}

/// A decimal from the scalar's text, exactly; with `percent_ok`, "3.5%" is 0.035.
inline decimal number(const cursor& c, bool percent_ok = false) {
    std::string t = text(c);
    try {
        if (!t.empty() && t.back() == '%') {
            if (!percent_ok) c.fail("value", "a percent is not allowed here: expected a number such as 25000");
            return decimal::parse(std::string_view(t).substr(0, t.size() - 1)) * decimal::from_units(1, 2);
        }
        return decimal::parse(t);
    } catch (const input_error& e) {
        c.fail("value", message_of(e));
    } catch (const calculation_error& e) {
        c.fail("value", message_of(e));
    }
}

/// The value of a text of decimal digits that fits 64 bits (nullopt: empty, another character, or
/// above 2^64 - 1).
inline std::optional<std::uint64_t> unsigned_64(std::string_view t) {
    std::uint64_t v = 0;
    if (t.empty() || t.size() > 20) return std::nullopt;
    for (char ch : t) {
        if (ch < '0' || ch > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(ch - '0');
        if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
        v = v * 10 + digit;
    }
    return v;
}

inline int whole_number(const cursor& c, int lo, int hi) {
    std::string t = text(c);
    bool digits = !t.empty() && t.size() <= 9;
    for (char ch : t) digits = digits && ch >= '0' && ch <= '9';
    int v = digits ? std::stoi(t) : -1;
    if (!digits || v < lo || v > hi)
        c.fail("value", "\"" + t + "\" is not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return v;
}

inline date date_of(const cursor& c) {
    std::string t = text(c);
    try {
        return date::parse(t);
    } catch (const input_error& e) {
        c.fail("value", message_of(e));
    }
}

inline std::vector<std::string> texts(const cursor& c) {
    std::vector<std::string> out;
    if (c.node.IsScalar()) return {c.node.Scalar()};
    for (const auto& item : list_of(c, "a value or a list of values")) out.push_back(text(item));
    return out;
}

// ---------------------------------------------------------------------------------------------
// Program-level constructs.

inline currency currency_of(const cursor& c) {
    std::string code = text(c);
    try {
        return currency::of(code);
    } catch (const input_error& e) {
        c.fail("value", message_of(e));
    }
}


/// The largest program text read (a program of 500,000 rules is about 50 MB).
constexpr std::size_t max_program_bytes = std::size_t{256} << 20;

/// The text before the YAML reader sees it: not too large, and text (UTF-8 without control
/// characters), so that a binary file gets one clear message instead of a parser's guess.
inline void check_text(const context& ctx, std::string_view yaml) {
    if (yaml.size() > max_program_bytes)
        throw config_error("incentives.config.size", fmt::format("{}: the program is {} bytes; a program file is at most {} bytes",
                                                                 ctx.source, yaml.size(), max_program_bytes));
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < yaml.size();) {
        const auto c = static_cast<unsigned char>(yaml[i]);
        if (c == '\n') {
            ++line, column = 1, ++i;
            continue;
        }
        std::size_t n = 1;
        if (c >= 0x80) {
            n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
            if (n == 0 || i + n > yaml.size() || !detail::valid_utf8(yaml.substr(i, n))) n = 0;
        } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) {
            n = 0;
        }
        if (n == 0)
            throw config_error("incentives.config.encoding",
                               fmt::format("{}:{}:{}: byte 0x{:02X} is not text: a program is YAML in UTF-8 (is this a binary "
                                           "file, or in another encoding?)",
                                           ctx.source, line, column, c));
        i += n;
        ++column;
    }
}

/// The line where a second document with content starts (its "---" marker, or the first content
/// after a "..." end marker), or 0. Document markers are "---" and "..." at the start of a line; YAML
/// does not allow them inside a scalar, so a scan of the lines finds them.
inline std::size_t second_document_line(std::string_view yaml) {
    auto marker = [](std::string_view l, std::string_view m) {
        return l.substr(0, 3) == m && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
    };
    auto content = [](std::string_view l) {
        const std::size_t i = l.find_first_not_of(" \t\r");
        return i != std::string_view::npos && l[i] != '#' && l[i] != '%';
    };
    std::size_t closed = 0;  // documents with content before the current one
    std::size_t starts_at = 1;
    bool current = false, after_end = false;
    for (std::size_t start = 0, n = 1; start <= yaml.size(); ++n) {
        const std::size_t end = std::min(yaml.find('\n', start), yaml.size());
        std::string_view l = yaml.substr(start, end - start);
        start = end + 1;
        const bool begins = marker(l, "---");
        if (begins || marker(l, "...")) {
            closed += current ? 1 : 0;
            current = false;
            after_end = !begins;
            starts_at = n;
            if (!begins) continue;
            l.remove_prefix(3);  // "--- {a: 1}" has content on the marker's line
        }
        if (!content(l) || current) continue;
        if (closed > 0) return after_end ? n : starts_at;
        current = true;
    }
    return 0;
}

/// yaml-cpp's message in the user's words: what is wrong and what to write instead.
inline std::string parser_words(const YAML::Exception& e, std::string_view yaml) {
    // The line the parser stopped on: a tab in its indentation is the usual cause of a block error.
    std::string_view line;
    {
        std::size_t start = 0;
        for (int l = 0; l < e.mark.line && start != std::string_view::npos; ++l) {
            start = yaml.find('\n', start);
            if (start != std::string_view::npos) ++start;
        }
        if (start != std::string_view::npos && start <= yaml.size()) line = yaml.substr(start, yaml.find('\n', start) - start);
    }
    const std::size_t text_at = line.find_first_not_of(" \t");
    if (line.substr(0, text_at).find('\t') != std::string_view::npos)
        return "a tab in the indentation: YAML indents with spaces only";
    const std::string& m = e.msg;
    if (m == "bad file") return "the text is nested too deeply to read (or is not YAML)";
    if (m == "illegal block entry") return "a list item (\"- \") where none can start: check the indentation";
    if (m == "illegal map value") return "a \": \" where no value can start: check the indentation, or quote text that contains \": \"";
    if (m.rfind("unknown escape character", 0) == 0)
        return "an unknown escape (\\" + m.substr(m.find(':') + 2) +
               ") in a double-quoted string: write \\\\ for a backslash, or use single quotes";
    if (m.rfind("end of map", 0) == 0 || m.rfind("end of sequence", 0) == 0)
        return "a bracket is never closed (" + m + "): every [ needs its ] and every { its }";
    if (m == "unclosed quoted string" || m == "end of string not found") return "a quoted string is never closed";
    return "not valid YAML: " + m;
}

/// The one document of a YAML text, read after the checks above; errors in the user's words.
inline YAML::Node load_document(const context& ctx, std::string_view yaml, std::string_view what) {
    check_text(ctx, yaml);
    // One document per file: YAML::Load reads the first and would drop a second silently.
    // (YAML::LoadAll, which sees them all, loops forever on some malformed input in yaml-cpp 0.7:
    // jbeder/yaml-cpp#1040, fixed upstream by #1319 after 0.8.)
    if (std::size_t line = second_document_line(yaml); line > 0)
        throw config_error("incentives.config.syntax",
                           fmt::format("{}:{}:1: a second YAML document (after \"---\"): a {} file holds one {}; put "
                                       "each {} in its own file",
                                       ctx.source, line, what, what, what));
    try {
        return YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        throw config_error("incentives.config.syntax",
                           fmt::format("{}:{}:{}: {}", ctx.source, e.mark.line + 1, e.mark.column + 1, parser_words(e, yaml)));
    }
}

}  // namespace
}  // namespace incentives::io
