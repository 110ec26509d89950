// Compiles a rule's selector against the catalog and the engine's dictionaries into masks over
// dense codes, so testing an event is a few array lookups.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <incentives/engine/batch.hpp>
#include <incentives/engine/catalog.hpp>
#include <incentives/engine/certified.hpp>
#include <incentives/engine/dictionary.hpp>
#include <incentives/rules/selection.hpp>

namespace incentives::detail {

/// Whether a selector says anything about the event kind (if not, the rule selects sales).
inline bool mentions_kind(const rules::selector& s) {
    if (s.kind() == rules::selector::op::in || s.kind() == rules::selector::op::range)
        return s.target().of == rules::field::scope::event && s.target().name == "kind";
    for (const auto& c : s.children())
        if (mentions_kind(c)) return true;
    return false;
}

/// A selector compiled for one batch.
class compiled_selector {
public:
    enum class source : unsigned char { always, kind, partner, product, category, attr, day, amount, quantity, certified, all, any, negate };

    [[nodiscard]] bool operator()(const event_batch& b, std::size_t i) const {
        switch (src_) {
            case source::always: return true;
            case source::kind: return mask_[b.kind[i]] != 0;
            case source::partner: return mask_[b.partner[i]] != 0;
            case source::product: return b.product[i] != event_batch::none && mask_[b.product[i]] != 0;
            case source::category: return mask_[b.category[i]] != 0;
            case source::attr: return column_ != nullptr && mask_[(*column_)[i]] != 0;
            case source::day: return b.day[i] >= lo_ && b.day[i] <= hi_;
            case source::amount: return b.amount[i] >= lo_ && b.amount[i] < hi_;
            case source::quantity: return b.quantity[i] >= lo_ && b.quantity[i] < hi_;
            case source::certified: return holds(b, i);
            case source::all:
                for (const auto& c : children_)
                    if (!c(b, i)) return false;
                return true;
            case source::any:
                for (const auto& c : children_)
                    if (c(b, i)) return true;
                return false;
            case source::negate: return !children_[0](b, i);
        }
        return false;
    }

    /// Compiles `s`; `amount_scale` and `quantity_scale` are the batch's column scales.
    /// The selection of rows [from, to) at once: out[i - from] = 1 for a selected row, else 0. Column
    /// by column, without branches per row: what the bulk accumulation uses.
    void select_rows(const event_batch& b, std::size_t from, std::size_t to, std::uint8_t* out) const {
        const std::size_t n = to - from;
        auto by_mask = [&](const std::vector<std::uint32_t>& col) {
            for (std::size_t i = 0; i < n; ++i) out[i] = mask_[col[from + i]];
        };
        auto by_range = [&](const auto& col) {
            for (std::size_t i = 0; i < n; ++i) out[i] = col[from + i] >= lo_ && col[from + i] < hi_;
        };
        switch (src_) {
            case source::always: std::fill(out, out + n, std::uint8_t{1}); return;
            case source::kind: by_mask(b.kind); return;
            case source::partner: by_mask(b.partner); return;
            case source::category: by_mask(b.category); return;
            case source::product:
                for (std::size_t i = 0; i < n; ++i) {
                    std::uint32_t p = b.product[from + i];
                    out[i] = p != event_batch::none && mask_[p];
                }
                return;
            case source::attr:
                if (column_ == nullptr) std::fill(out, out + n, std::uint8_t{0});
                else by_mask(*column_);
                return;
            case source::day:
                for (std::size_t i = 0; i < n; ++i) out[i] = b.day[from + i] >= lo_ && b.day[from + i] <= hi_;
                return;
            case source::amount: by_range(b.amount); return;
            case source::quantity: by_range(b.quantity); return;
            case source::certified:
                for (std::size_t i = 0; i < n; ++i) out[i] = holds(b, from + i);
                return;
            case source::negate:
                children_[0].select_rows(b, from, to, out);
                for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(!out[i]);
                return;
            case source::all:
            case source::any: {
                std::fill(out, out + n, static_cast<std::uint8_t>(src_ == source::all));
                std::vector<std::uint8_t> part(n);
                for (const auto& c : children_) {
                    c.select_rows(b, from, to, part.data());
                    if (src_ == source::all)
                        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(out[i] & part[i]);
                    else
                        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(out[i] | part[i]);
                }
                return;
            }
        }
    }

    static compiled_selector compile(const rules::selector& s, const catalog& cat, const event_dictionaries& dicts,
                                     const event_batch& batch, int amount_scale, int quantity_scale,
                                     const certified_table* certified = nullptr) {
        using op = rules::selector::op;
        compiled_selector c;
        switch (s.kind()) {
            case op::always: c.src_ = source::always; return c;
            case op::certified: {
                c.src_ = source::certified;
                if (certified)
                    if (auto it = certified->courses.find(s.values().front()); it != certified->courses.end()) c.certified_ = &it->second;
                if (!c.certified_)  // validate() refuses it first; a guard for selectors built by hand
                    throw validation_error("incentives.validation.certified",
                                           "the course \"" + s.values().front() + "\" is not declared under certifications");
                return c;
            }
            case op::all:
            case op::any:
            case op::negate:
                c.src_ = s.kind() == op::all ? source::all : (s.kind() == op::any ? source::any : source::negate);
                for (const auto& child : s.children())
                    c.children_.push_back(compile(child, cat, dicts, batch, amount_scale, quantity_scale, certified));
                return c;
            case op::dates:
                c.src_ = source::day;
                c.lo_ = s.from() ? s.from()->days() : INT64_MIN;
                c.hi_ = s.to() ? s.to()->days() : INT64_MAX;
                return c;
            case op::in:
            case op::range: break;
        }
        const auto& f = s.target();
        auto mask_over = [&](std::size_t n, auto value_of) {
            c.mask_.assign(n, 0);
            for (std::size_t k = 0; k < n; ++k) c.mask_[k] = s.accepts(value_of(k)) ? 1 : 0;
        };
        if (f.of == rules::field::scope::partner) {
            c.src_ = source::partner;
            mask_over(cat.partners().size(), [&](std::size_t k) { return partner_field(cat.partners()[k], f.name); });
        } else if (f.of == rules::field::scope::product || f.name == "sku") {
            c.src_ = source::product;
            std::string_view name = f.of == rules::field::scope::product ? std::string_view(f.name) : "sku";
            mask_over(cat.products().size(), [&](std::size_t k) { return product_field(cat.products()[k], name); });
        } else if (f.name == "kind") {
            c.src_ = source::kind;
            mask_over(dicts.kinds.size(), [&](std::size_t k) -> std::string_view { return dicts.kinds[static_cast<std::uint32_t>(k)]; });
        } else if (f.name == "category") {
            c.src_ = source::category;
            mask_over(dicts.categories.size(),
                      [&](std::size_t k) -> std::string_view { return dicts.categories[static_cast<std::uint32_t>(k)]; });
        } else if ((f.name == "amount" || f.name == "quantity") && s.kind() == op::range) {
            int scale = f.name == "amount" ? amount_scale : quantity_scale;
            c.src_ = f.name == "amount" ? source::amount : source::quantity;
            c.lo_ = s.min() ? bound(*s.min(), scale, rounding_mode::ceiling) : INT64_MIN;
            c.hi_ = s.max() ? bound(*s.max(), scale, rounding_mode::ceiling) : INT64_MAX;
        } else {
            c.src_ = source::attr;
            auto col = batch.attrs.find(f.name);
            c.column_ = col == batch.attrs.end() ? nullptr : &col->second;
            auto dict = dicts.attrs.find(f.name);
            if (dict == dicts.attrs.end()) {
                c.column_ = nullptr;
            } else {
                mask_over(dict->second.size(),
                          [&](std::size_t k) -> std::string_view { return dict->second[static_cast<std::uint32_t>(k)]; });
            }
        }
        return c;
    }

private:
    /// Every person credited on row i holds the certification on its day (its partner, when none is).
    [[nodiscard]] bool holds(const event_batch& b, std::size_t i) const {
        const std::int32_t day = b.day[i];
        auto covers = [day](const std::pair<std::int32_t, std::int32_t>& d) { return d.first <= day && day <= d.second; };
        const auto first = b.credit_begin[i], last = b.credit_begin[i + 1];
        if (first == last) return covers(certified_->partner[b.partner[i]]);
        for (auto k = first; k < last; ++k)
            if (!covers(certified_->person[b.credit_participant[k]])) return false;
        return true;
    }

    // A decimal bound in column units; ceiling keeps [min, max) exact for bounds finer than the column.
    static std::int64_t bound(const decimal& d, int scale, rounding_mode mode) {
        int128 u = d.rescale(std::max(scale, d.scale()), rounding_mode::unnecessary).units();
        decimal at = decimal::from_units(u, std::max(scale, d.scale())).rescale(scale, mode);
        return static_cast<std::int64_t>(at.units());
    }

    source src_ = source::always;
    std::vector<std::uint8_t> mask_;
    const std::vector<std::uint32_t>* column_ = nullptr;
    std::int64_t lo_ = 0, hi_ = 0;
    std::vector<compiled_selector> children_;
    const certified_table::holders* certified_ = nullptr;
};

}  // namespace incentives::detail
