// Tax on awards to people, as data: dated rules per jurisdiction (data/tax/*.yaml, read by
// io::read_tax_rules), applied per person and calendar year across every cash payout and in-kind
// award, with the program's gross-up. The tables shipped are worked examples, not tax advice.
//
//   taxable   = awards of the kinds the rule applies to, less the yearly exemption
//   tax       = taxable x rate x (1 + surcharges), rounded once per person and year
//   gross-up  = what the program adds so that the recipient nets the award: a top-up C that is itself
//               taxable, C = t x taxable / (1 - t) (the in-kind prize V with a cash top-up:
//               C = r (V - exemption) / (1 - r)); for a flat tax the giver pays (payer: program) the
//               tax itself is the cost and nothing is grossed up
//   withheld  = at most `withholding_cap` of the cash paid to the person in the year; the rest is
//               reported, not withheld
//   reporting = the year's awards reach `reporting_threshold`; without a taxpayer id, backup
//               withholding at its rate on the cash
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/errors.hpp>
#include <incentives/rounding.hpp>

namespace incentives::tax {

enum class award_kind : unsigned char { cash, in_kind };
/// Who bears the tax: the recipient (withheld from what is paid, or paid by the recipient), or the
/// program (a flat tax the giver pays on the award, like Germany's section 37b).
enum class payer_t : unsigned char { recipient, program };

/// A surcharge: a rate on the tax (solidarity surcharge 5.5%, church tax).
struct surcharge {
    std::string name;
    decimal rate;
    friend bool operator==(const surcharge&, const surcharge&) = default;
};

/// The values in force from `from` (every value resolved: a later entry of a file states only what
/// changed, the reader fills in the rest from the entry before).
struct entry {
    date from;
    std::string reference;                     ///< the legal reference of this entry
    std::vector<award_kind> applies_to{award_kind::cash, award_kind::in_kind};
    decimal rate;                              ///< on the taxable amount (0.35 = 35%)
    std::vector<surcharge> surcharges;         ///< rates on the tax
    decimal exemption;                         ///< per person and year, off the awards it applies to
    std::optional<decimal> limit;              ///< per person and year: above it the rule does not apply
    std::optional<decimal> withholding_cap;    ///< share of a cash payment that may be withheld
    std::optional<decimal> reporting_threshold;///< per person and year (a 1099 above $600)
    std::optional<decimal> backup_withholding; ///< rate on reportable cash without a taxpayer id
    payer_t payer = payer_t::recipient;
    int places = 2;                            ///< the tax is rounded once per person and year
    rounding_mode mode = rounding_mode::half_up;

    /// rate x (1 + the surcharges' rates): 30% with 5.5% and 7% is 33.75%.
    [[nodiscard]] decimal effective_rate() const {
        decimal s(1);
        for (const auto& x : surcharges) s += x.rate;
        return rate * s;
    }
    [[nodiscard]] bool applies(award_kind k) const {
        for (auto a : applies_to)
            if (a == k) return true;
        return false;
    }
    friend bool operator==(const entry&, const entry&) = default;
};

/// A jurisdiction's dated rules, in date order.
struct rules {
    std::string jurisdiction;  ///< "RU"
    std::string name;
    std::string currency;      ///< the amounts' currency (ISO 4217)
    std::string source;        ///< the file it was read from
    std::vector<entry> entries;

    /// The entry in force on `d`: the latest dated on or before it (config_error-free: throws
    /// calculation_error when `d` is before every entry).
    [[nodiscard]] const entry& in_force(date d) const;
    friend bool operator==(const rules&, const rules&) = default;
};

/// One award to a person: a cash payout or an in-kind prize at its declared value.
struct award {
    std::string person;
    date day;
    decimal amount;
    award_kind kind = award_kind::cash;
    bool taxpayer_id = true;  ///< the person gave a taxpayer id (else backup withholding may apply)
};

/// What one person's awards of one year come to.
struct assessment {
    std::string person;
    int year = 0;
    std::string reference;  ///< the entry applied (in force on the year's last award)
    decimal cash, in_kind;  ///< the awards
    decimal taxable;        ///< after the exemption (0 when the rule does not apply)
    decimal tax;            ///< on the awards, rounded once
    decimal gross_up;       ///< the program's top-up so the person nets the awards (with gross_up)
    decimal tax_on_gross;   ///< the tax on the awards and the top-up (what is due with gross_up)
    decimal program_cost;   ///< what tax costs the program: the top-up, or a tax the program pays
    decimal withheld;       ///< from the cash, at most the cap
    decimal unwithheld;     ///< due but not withheld (reported)
    decimal backup_withheld;
    bool reportable = false;
    bool limit_exceeded = false;  ///< above the rule's limit: the rule does not apply
    friend bool operator==(const assessment&, const assessment&) = default;
};

/// The gross amount that nets `net` after a flat rate t: G = N / (1 - t), rounded as declared.
[[nodiscard]] inline decimal gross_up(const decimal& net, const decimal& rate, int places, rounding_mode mode) {
    return net.divide(decimal(1) - rate, places, mode);
}

/// The cash top-up that covers the tax on an in-kind prize of `value` under `e`:
/// C = t (value - exemption) / (1 - t), t the effective rate, rounded as the entry declares.
[[nodiscard]] inline decimal in_kind_top_up(const decimal& value, const entry& e) {
    const decimal t = e.effective_rate();
    const decimal taxable = value < e.exemption ? decimal() : value - e.exemption;
    return (t * taxable).divide(decimal(1) - t, e.places, e.mode);
}

inline const entry& rules::in_force(date d) const {
    const entry* found = nullptr;
    for (const auto& x : entries)
        if (!(d < x.from)) found = &x;
    if (!found)
        throw calculation_error("incentives.calculation.tax", "no tax rule of " + jurisdiction + " is in force on " + d.to_string() +
                                                                 (entries.empty() ? "" : " (the first is from " + entries.front().from.to_string() + ")"));
    return *found;
}

/// Every person's awards per calendar year under `r` (entry in force on the year's last award),
/// in (person, year) order. With `gross_up` the program tops the awards up so the recipient nets them.
[[nodiscard]] inline std::vector<assessment> assess(const rules& r, std::span<const award> awards, bool gross_up) {
    std::map<std::pair<std::string, int>, std::vector<const award*>> by;
    for (const auto& a : awards) by[{a.person, a.day.year()}].push_back(&a);
    std::vector<assessment> out;
    out.reserve(by.size());
    for (const auto& [key, list] : by) {
        assessment& x = out.emplace_back();
        x.person = key.first;
        x.year = key.second;
        date last = list.front()->day;
        bool id = true;
        for (const auto* a : list) {
            (a->kind == award_kind::cash ? x.cash : x.in_kind) += a->amount;
            if (last < a->day) last = a->day;
            id = id && a->taxpayer_id;
        }
        const entry& e = r.in_force(last);
        x.reference = e.reference;
        const decimal zero = decimal::from_units(0, e.places);
        const decimal subject = (e.applies(award_kind::cash) ? x.cash : decimal()) + (e.applies(award_kind::in_kind) ? x.in_kind : decimal());
        x.tax = x.gross_up = x.tax_on_gross = x.program_cost = x.withheld = x.unwithheld = x.backup_withheld = zero;
        x.reportable = e.reporting_threshold && !(subject < *e.reporting_threshold);
        if (x.reportable && !id && e.backup_withholding)
            x.backup_withheld = (x.cash * *e.backup_withholding).rescale(e.places, e.mode);
        if (e.limit && *e.limit < subject) {
            x.limit_exceeded = true;  // the rule does not apply at all (section 37b above 10,000 EUR)
            continue;
        }
        x.taxable = subject < e.exemption ? decimal() : subject - e.exemption;
        const decimal t = e.effective_rate();
        x.tax = (x.taxable * t).rescale(e.places, e.mode);
        if (e.payer == payer_t::program) {
            x.program_cost = x.tax;  // a flat tax the giver pays: the tax itself, not grossed up
            x.tax_on_gross = x.tax;
            continue;
        }
        if (gross_up && x.taxable.signum() > 0 && t < decimal(1)) {
            x.gross_up = (t * x.taxable).divide(decimal(1) - t, e.places, e.mode);
            x.tax_on_gross = ((x.taxable + x.gross_up) * t).rescale(e.places, e.mode);
            x.program_cost = x.gross_up;
        } else {
            x.tax_on_gross = x.tax;
        }
        const decimal cash = x.cash + x.gross_up;
        decimal can = x.tax_on_gross;
        if (e.withholding_cap) can = std::min(can, (cash * *e.withholding_cap).rescale(e.places, rounding_mode::floor));
        if (cash < can) can = cash;
        x.withheld = can;
        x.unwithheld = x.tax_on_gross - can;
    }
    return out;
}

}  // namespace incentives::tax
