// The people and things a program pays for: partners, participants (people at partners), products,
// plans (targets) and events (sales, returns and any other named kind).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>

namespace incentives {

/// Free-form attributes (strings; numeric ones are parsed exactly when a rule uses them).
using attributes = std::map<std::string, std::string, std::less<>>;

/// A partner company: reseller, distributor, MSP, referral partner...
struct partner {
    std::string id;
    std::string name;
    std::string segment;
    std::string group;
    std::string region;
    std::string tier;
    attributes attrs;
};

/// A person at a partner; loyalty is a property of a person, so rewards can go to people.
struct participant {
    std::string id;
    std::string partner;
    std::string role;  ///< e.g. "manager", "specialist"
    std::optional<date> birthday;
    attributes attrs;
};

/// A product of the vendor.
struct product {
    std::string sku;
    std::string category;
    attributes attrs;
};

/// A target for one beneficiary (partner or participant id) and one period, in the measure's unit.
struct plan {
    std::string beneficiary;
    date period_start;  ///< any date inside the period
    decimal target;
};

/// Credit for one participant in an event, as an exact share (the shares of an event sum to 1).
struct credit_share {
    std::string participant;
    decimal share;
};

/// Something that happened: a sale, a return, a training completed, a deal registered...
struct event {
    std::string id;
    std::string kind;  ///< "sale", "return", or any other named kind
    date on;
    std::string partner;
    std::vector<credit_share> participants;
    std::string sku;       ///< optional
    std::string category;  ///< optional; taken from the product when empty
    decimal quantity;      ///< >= 0 for sales
    decimal amount;        ///< in currency
    std::string currency;  ///< must be the program's currency
    std::string reference; ///< for a return: the id of the sale it returns
    attributes attrs;
};

/// The value of a partner or product field by name ("segment", "tier", an attribute...).
[[nodiscard]] inline std::string_view partner_field(const partner& p, std::string_view name) {
    if (name == "id") return p.id;
    if (name == "name") return p.name;
    if (name == "segment") return p.segment;
    if (name == "group") return p.group;
    if (name == "region") return p.region;
    if (name == "tier") return p.tier;
    auto it = p.attrs.find(name);
    return it == p.attrs.end() ? std::string_view() : std::string_view(it->second);
}
[[nodiscard]] inline std::string_view product_field(const product& p, std::string_view name) {
    if (name == "sku") return p.sku;
    if (name == "category") return p.category;
    auto it = p.attrs.find(name);
    return it == p.attrs.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace incentives
