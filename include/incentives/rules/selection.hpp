// Selection: which events a rule looks at, as a small immutable predicate tree.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>

namespace incentives::rules {

/// What a predicate looks at: an event column, a field of the event's partner or product, or an
/// attribute of one of them.
struct field {
    enum class scope : unsigned char { event, partner, product };
    scope of = scope::event;
    std::string name;  ///< kind, sku, category, segment, group, region, tier, id, or an attribute name
    friend bool operator==(const field&, const field&) = default;

    /// "kind", "partner.segment", "product.category", "event.attr_name"...
    [[nodiscard]] std::string path() const {
        static const char* prefixes[] = {"event.", "partner.", "product."};
        return prefixes[static_cast<int>(of)] + name;
    }
};

/// A predicate over events. Leaves: `in` (value is one of a set), `range` (numeric, half-open
/// [min, max)), `dates` (event date within [from, to], inclusive), `certified` (every person credited
/// on the event — the partner, when none is — holds a certification on the event's date; see
/// rules/certification.hpp). Nodes: all, any, not.
class selector {
public:
    enum class op : unsigned char { always, in, range, dates, all, any, negate, certified };

    /// Matches every event.
    selector() = default;

    [[nodiscard]] static selector in(field f, std::vector<std::string> values) {
        selector s(op::in);
        s.field_ = std::move(f);
        s.values_ = std::move(values);
        return s;
    }
    [[nodiscard]] static selector range(field f, std::optional<decimal> min, std::optional<decimal> max) {
        selector s(op::range);
        s.field_ = std::move(f);
        s.min_ = min;
        s.max_ = max;
        return s;
    }
    [[nodiscard]] static selector dates(std::optional<date> from, std::optional<date> to) {
        selector s(op::dates);
        s.from_ = from;
        s.to_ = to;
        return s;
    }
    [[nodiscard]] static selector certified(std::string course) {
        selector s(op::certified);
        s.values_ = {std::move(course)};
        return s;
    }
    [[nodiscard]] static selector all(std::vector<selector> children) { return node(op::all, std::move(children)); }
    [[nodiscard]] static selector any(std::vector<selector> children) { return node(op::any, std::move(children)); }
    [[nodiscard]] static selector negate(selector child) { return node(op::negate, {std::move(child)}); }

    [[nodiscard]] op kind() const noexcept { return op_; }

    /// Whether a field's text value passes this `in` or `range` leaf (a range needs a number: an
    /// empty or non-numeric value fails it).
    [[nodiscard]] bool accepts(std::string_view value) const {
        if (op_ == op::in) {
            for (const auto& v : values_)
                if (v == value) return true;
            return false;
        }
        if (value.empty()) return false;
        decimal x;
        try {
            x = decimal::parse(value);
        } catch (const error&) {
            return false;  // the engine checks numeric event attributes on input: this is a catalog value
        }
        return (!min_ || !(x < *min_)) && (!max_ || x < *max_);
    }
    [[nodiscard]] const rules::field& target() const noexcept { return field_; }
    [[nodiscard]] const std::vector<std::string>& values() const noexcept { return values_; }  ///< `in`; `certified`: the course
    [[nodiscard]] const std::optional<decimal>& min() const noexcept { return min_; }
    [[nodiscard]] const std::optional<decimal>& max() const noexcept { return max_; }
    [[nodiscard]] const std::optional<date>& from() const noexcept { return from_; }
    [[nodiscard]] const std::optional<date>& to() const noexcept { return to_; }
    [[nodiscard]] const std::vector<selector>& children() const noexcept {
        static const std::vector<selector> none;
        return children_ ? *children_ : none;
    }

    friend bool operator==(const selector& a, const selector& b) {
        return a.op_ == b.op_ && a.field_ == b.field_ && a.values_ == b.values_ && a.min_ == b.min_ &&
               a.max_ == b.max_ && a.from_ == b.from_ && a.to_ == b.to_ && a.children() == b.children();
    }

private:
    explicit selector(op o) : op_(o) {}
    static selector node(op o, std::vector<selector> children) {
        selector s(o);
        s.children_ = std::make_shared<const std::vector<selector>>(std::move(children));
        return s;
    }

    op op_ = op::always;
    rules::field field_;
    std::vector<std::string> values_;
    std::optional<decimal> min_, max_;
    std::optional<date> from_, to_;
    std::shared_ptr<const std::vector<selector>> children_;  // immutable, shared on copy
};

}  // namespace incentives::rules
