// `incentives generate`: a synthetic data set for examples/programs/reseller.yaml, of any size,
// reproducible from its seed.
//
// Everything is drawn from std::mt19937_64 streams seeded from --seed, and mapped to ranges with
// integer arithmetic only (no std::uniform_int_distribution, whose algorithm differs between
// standard libraries), so the same options give the same files everywhere. Amounts are integer
// cents written as exact decimals; no floating point is involved.
//
// The vocabulary is that of examples/data: SKUs X200, L100, L300, SRV5, SRV9, SVC1, ACC5 in the
// categories laptops, servers, services, accessories (more products get generated SKUs in the same
// categories); partners with segment, group, region, tier and a `trained` attribute; a manager and
// specialists per partner; quarterly sales plans. Events span the program year and the year before
// (the growth rebate's baseline), in date order; about 5% are returns of an earlier sale of the same
// partner (1 to 60 days earlier, so about half fall inside the 30-day clawback window), whole or
// partial. Sales credit the partner's people by exact shares ("M0001:0.5;S0001-1:0.5").
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <incentives/format.hpp>
#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/errors.hpp>

#include "output.hpp"
#include "progress.hpp"

namespace incentives::cli {

struct generate_options {
    std::uint64_t events = 0;
    std::uint32_t partners = 0;
    std::uint32_t participants_per_partner = 3;
    std::uint32_t products = 7;
    std::uint64_t seed = 1;
    int year = 2027;
    std::string out;
};

struct generate_summary {
    std::uint64_t sales = 0, returns = 0, prior_year = 0;
    std::uint64_t participants = 0, products = 0, plans = 0;
};

namespace gen {

/// Uniform integers from a 64-bit generator by multiply-shift (Lemire): identical on every platform.
class random {
public:
    explicit random(std::uint64_t seed) : g_(seed) {}
    /// 0 <= x < n (n > 0).
    std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>((static_cast<uint128>(g_()) * n) >> 64); }
    /// lo <= x <= hi.
    std::int64_t between(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }
    bool percent(unsigned p) { return below(100) < p; }
    template <class T, std::size_t N>
    const T& pick(const std::array<T, N>& a) { return a[below(N)]; }

private:
    std::mt19937_64 g_;
};

/// A separate stream per table, so that e.g. the partners do not change when --events does.
inline random stream(std::uint64_t seed, std::uint64_t table) { return random(seed * 0x9E3779B97F4A7C15ull + table * 0xBF58476D1CE4E5B9ull + table); }

// Fast text output into a sink.
inline void put_uint(sink& s, std::uint64_t v) {
    fmt::format_int f(v);
    s.buffer().append(f.data(), f.data() + f.size());
}
inline void put_padded(sink& s, std::uint64_t v, std::size_t width) {
    fmt::format_int f(v);
    for (std::size_t i = f.size(); i < width; ++i) s.put('0');
    s.buffer().append(f.data(), f.data() + f.size());
}
/// Integer cents as an exact decimal with two places.
inline void put_cents(sink& s, std::int64_t cents) {
    if (cents < 0) {
        s.put('-');
        cents = -cents;
    }
    put_uint(s, static_cast<std::uint64_t>(cents / 100));
    s.put('.');
    put_padded(s, static_cast<std::uint64_t>(cents % 100), 2);
}
inline std::size_t digits(std::uint64_t v) {
    std::size_t d = 1;
    while (v >= 10) {
        v /= 10;
        ++d;
    }
    return d;
}

enum class category : unsigned char { laptops, servers, services, accessories };
constexpr std::array<std::string_view, 4> category_names{"laptops", "servers", "services", "accessories"};

struct product_def {
    std::string sku;
    category cat;
    std::string name;
    std::int64_t price = 0;  // cents per unit (services: priced per deal)
    std::uint32_t weight = 1;
};

struct partner_def {
    std::string id;
    std::uint32_t segment = 0;      // 0 enterprise, 1 smb, 2 public
    std::uint64_t weight_prior = 0;  // share of the prior year's sales
    std::uint64_t weight_current = 0;
    std::vector<std::string> people;  // [0] the manager, then specialists
};

struct sale_ref {
    std::uint64_t seq = 0;  // number within its year
    std::uint32_t partner = 0;
    std::uint32_t product = 0;
    std::int64_t quantity = 0;
    std::int64_t amount = 0;
    std::int32_t year = 0;
    bool returned = false;
};

inline std::vector<product_def> make_products(std::uint32_t n, random& rng) {
    std::vector<product_def> base{
        {"X200", category::laptops, "X200 launch laptop", 89900, 2},
        {"L100", category::laptops, "L100 business laptop", 74900, 3},
        {"L300", category::laptops, "L300 workstation laptop", 119900, 2},
        {"SRV5", category::servers, "SRV5 rack server", 420000, 1},
        {"SRV9", category::servers, "SRV9 storage server", 780000, 1},
        {"SVC1", category::services, "Installation and setup", 0, 1},
        {"ACC5", category::accessories, "USB-C docking station", 12900, 3},
    };
    std::vector<product_def> out;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (i < base.size()) {
            out.push_back(base[i]);
            continue;
        }
        static constexpr std::array<category, 4> cycle{category::laptops, category::accessories, category::servers, category::services};
        static constexpr std::array<std::string_view, 4> prefix{"L", "A", "SR", "SV"};
        static constexpr std::array<std::string_view, 4> noun{"Laptop", "Accessory", "Server", "Service"};
        auto k = (i - base.size()) % 4;
        product_def p;
        p.cat = cycle[k];
        p.sku = fmt::format("{}{:04}", prefix[k], i + 1);
        p.name = fmt::format("{} {}", noun[k], p.sku);
        switch (p.cat) {
            case category::laptops: p.price = rng.between(399, 2499) * 100 - 1; break;
            case category::servers: p.price = rng.between(25, 120) * 10000; break;
            case category::services: p.price = 0; break;
            case category::accessories: p.price = rng.between(9, 399) * 100 - 1; break;
        }
        if (p.price <= 0) p.price = 100;
        out.push_back(std::move(p));
    }
    return out;
}

/// Quantity and amount (cents) of one sale.
inline std::pair<std::int64_t, std::int64_t> sale_line(random& rng, const product_def& p) {
    switch (p.cat) {
        case category::services: return {1, 150000 + 2500 * static_cast<std::int64_t>(rng.below(421))};  // 1,500.00 .. 12,000.00
        case category::servers: {
            auto q = rng.between(1, 4);
            return {q, q * p.price};
        }
        case category::accessories: {
            auto q = rng.between(5, 60);
            return {q, q * p.price};
        }
        case category::laptops: break;
    }
    auto q = rng.between(2, 20);
    return {q, q * p.price};
}

/// The mean amount of a sale in cents (for sales plans), from the same ranges as sale_line.
inline std::int64_t mean_sale(const std::vector<product_def>& products) {
    std::int64_t num = 0, den = 0;
    for (const auto& p : products) {
        std::int64_t twice = 0;  // twice the mean amount
        switch (p.cat) {
            case category::services: twice = 2 * 675000; break;
            case category::servers: twice = 5 * p.price; break;
            case category::accessories: twice = 65 * p.price; break;
            case category::laptops: twice = 22 * p.price; break;
        }
        num += twice * p.weight;
        den += 2 * static_cast<std::int64_t>(p.weight);
    }
    return den ? num / den : 0;
}

constexpr std::array<std::string_view, 3> segments{"enterprise", "smb", "public"};
struct region_def {
    std::string_view code, group, suffix;
};
constexpr std::array<region_def, 13> regions{{{"SE", "north", "AB"},
                                              {"DK", "north", "A/S"},
                                              {"FI", "north", "Oy"},
                                              {"DE", "central", "GmbH"},
                                              {"NL", "central", "BV"},
                                              {"BE", "central", "NV"},
                                              {"AT", "central", "GmbH"},
                                              {"PL", "central", "Sp. z o.o."},
                                              {"FR", "south", "SARL"},
                                              {"PT", "south", "Lda"},
                                              {"ES", "south", "SL"},
                                              {"IT", "south", "Srl"},
                                              {"IE", "west", "Ltd"}}};
constexpr std::array<std::string_view, 16> name_first{"Nordic", "Rhein", "Lyon",   "Porto",  "Utrecht", "Dublin",
                                                      "Alpine", "Baltic", "Iberia", "Adria",  "Delta",   "Summit",
                                                      "Harbor", "Meridian", "Polar", "Vista"};
constexpr std::array<std::string_view, 12> name_second{"Laptops", "IT",        "Bureautique", "Office", "Systems", "Tech",
                                                       "Data",    "Solutions", "Computing",   "Networks", "Digital", "Gov Tech"};

}  // namespace gen

inline generate_summary generate(const generate_options& o, progress& prog) {
    using namespace gen;
    namespace fs = std::filesystem;
    if (o.partners == 0) throw input_error("incentives.input.generate", "--partners must be at least 1");
    if (o.products == 0) throw input_error("incentives.input.generate", "--products must be at least 1");
    if (o.year < 1971 || o.year > 9999) throw input_error("incentives.input.generate", "--year must be within 1971..9999");
    std::error_code ec;
    fs::create_directories(o.out, ec);
    if (ec) throw input_error("incentives.output.file", o.out + ": cannot create the directory: " + ec.message());
    auto file = [&](const char* name) { return (fs::path(o.out) / name).string(); };

    generate_summary sum;
    output_set outs;

    // Products.
    random prng = stream(o.seed, 1);
    auto products = make_products(o.products, prng);
    sum.products = products.size();
    {
        sink& s = outs.open(file("products.csv"));
        s.append("sku,category,name\n");
        for (const auto& p : products) fmt::format_to(s.out(), "{},{},{}\n", p.sku, category_names[static_cast<int>(p.cat)], p.name);
    }

    // Partners and their people.
    random rng = stream(o.seed, 2);
    const std::size_t pw = std::max<std::size_t>(2, digits(o.partners));
    std::vector<partner_def> partners(o.partners);
    {
        sink& s = outs.open(file("partners.csv"));
        s.append("id,name,segment,group,region,tier,trained\n");
        for (std::uint32_t i = 0; i < o.partners; ++i) {
            auto& p = partners[i];
            p.id = fmt::format("P{:0{}}", i + 1, pw);
            auto r = rng.below(100);
            p.segment = r < 20 ? 0u : r < 70 ? 1u : 2u;
            const auto& reg = rng.pick(regions);
            static constexpr std::array<std::array<unsigned, 3>, 3> tier_odds{{{50, 90, 100}, {10, 50, 100}, {30, 70, 100}}};
            auto t = rng.below(100);
            std::string_view tier = t < tier_odds[p.segment][0] ? "gold" : t < tier_odds[p.segment][1] ? "silver" : "bronze";
            bool trained = rng.percent(70);
            fmt::format_to(s.out(), "{},{} {} {},{},{},{},{},{}\n", p.id, rng.pick(name_first), rng.pick(name_second), reg.suffix,
                           segments[p.segment], reg.group, reg.code, tier, trained ? "yes" : "no");
            static constexpr std::array<std::uint64_t, 3> scale{800, 200, 400};
            p.weight_prior = scale[p.segment] * (50 + rng.below(101));          // 50% .. 150% of the segment's scale
            p.weight_current = p.weight_prior * (60 + rng.below(101)) / 100;    // -40% .. +60% growth
            if (p.weight_current == 0) p.weight_current = 1;
            s.maybe_flush();
        }
    }
    {
        random brng = stream(o.seed, 3);
        sink& s = outs.open(file("participants.csv"));
        s.append("id,partner,role,birthday\n");
        for (std::uint32_t i = 0; i < o.partners; ++i) {
            auto& p = partners[i];
            std::string_view num = std::string_view(p.id).substr(1);
            for (std::uint32_t k = 0; k < o.participants_per_partner; ++k) {
                p.people.push_back(k == 0 ? fmt::format("M{}", num) : fmt::format("S{}-{}", num, k));
                date born(static_cast<int>(brng.between(1960, 1999)), static_cast<unsigned>(brng.between(1, 12)),
                          static_cast<unsigned>(brng.between(1, 28)));
                fmt::format_to(s.out(), "{},{},{},{}\n", p.people.back(), p.id, k == 0 ? "manager" : "specialist", born.to_string());
                ++sum.participants;
            }
            s.maybe_flush();
        }
    }

    // The calendar: the year before the program (baseline) and the program year, with more sales on
    // weekdays, at quarter ends and in the program year.
    const date first(o.year - 1, 1, 1), last(o.year, 12, 31), program_start(o.year, 1, 1), launch(o.year, 3, 15);
    const auto days = static_cast<std::size_t>(last.days() - first.days() + 1);
    std::vector<std::uint64_t> cumulative(days + 1, 0);
    std::vector<std::array<char, 10>> day_text(days);
    std::uint64_t weight_current_days = 0;
    for (std::size_t d = 0; d < days; ++d) {
        date day(first.days() + static_cast<std::int32_t>(d));
        const auto civil = day.civil();
        unsigned m = civil.month, dd = civil.day;
        bool weekend = (day.days() + 4) % 7 == 0 || (day.days() + 4) % 7 == 6;  // 1970-01-01 was a Thursday
        std::uint64_t w = (day.year() == o.year ? 11 : 9) * (weekend ? 3 : 10) * (m % 3 == 0 && dd >= 20 ? 3 : 2);
        cumulative[d + 1] = cumulative[d] + w;
        if (day.year() == o.year) weight_current_days += w;
        auto text = day.to_string();
        std::copy_n(text.data(), 10, day_text[d].data());
    }
    const std::uint64_t total_weight = cumulative[days];

    // Sales plans: each partner's expected quarterly sales, give or take.
    {
        random qrng = stream(o.seed, 4);
        sink& s = outs.open(file("plans.csv"));
        s.append("beneficiary,period,target\n");
        std::uint64_t wsum = 0;
        for (const auto& p : partners) wsum += p.weight_current;
        const uint128 current_sales = static_cast<uint128>(o.events) * weight_current_days / total_weight * 95 / 100;
        const auto mean = static_cast<uint128>(mean_sale(products));
        static constexpr std::array<unsigned, 5> factors{80, 90, 100, 110, 125};
        for (const auto& p : partners) {
            auto quarter_euros = static_cast<std::uint64_t>(current_sales * p.weight_current / wsum * mean / 4 / 100);
            for (unsigned q = 0; q < 4; ++q) {
                std::uint64_t target = quarter_euros * qrng.pick(factors) / 100 / 1000 * 1000;
                if (target < 1000) target = 1000;
                fmt::format_to(s.out(), "{},{}-{:02}-01,{}\n", p.id, o.year, q * 3 + 1, target);
                ++sum.plans;
            }
            s.maybe_flush();
        }
    }

    // Events, in date order.
    auto cumulative_weights = [&](bool current) {
        std::vector<std::uint64_t> c(partners.size());
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < partners.size(); ++i) c[i] = acc += current ? partners[i].weight_current : partners[i].weight_prior;
        return c;
    };
    const std::vector<std::uint64_t> pick_prior = cumulative_weights(false), pick_current = cumulative_weights(true);
    std::vector<std::uint64_t> product_pick(products.size());
    {
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < products.size(); ++i) product_pick[i] = acc += products[i].weight;
    }
    auto weighted = [&](random& r, const std::vector<std::uint64_t>& c) {
        auto x = r.below(c.back());
        return static_cast<std::uint32_t>(std::upper_bound(c.begin(), c.end(), x) - c.begin());
    };

    random erng = stream(o.seed, 5);
    const std::size_t iw = std::max<std::size_t>(4, digits(o.events));
    constexpr std::size_t window = 61;  // returns come 1..60 days after their sale
    std::vector<std::vector<sale_ref>> recent(window);
    std::array<std::uint64_t, 2> sale_seq{0, 0}, return_seq{0, 0};
    sink& s = outs.open(file("events.csv"));
    s.append("id,kind,date,partner,participants,sku,category,quantity,amount,currency,reference\n");
    prog.phase("generating events", o.events);
    std::uint64_t written = 0;
    for (std::size_t d = 0; d < days; ++d) {
        const auto today = static_cast<std::int32_t>(d);
        const auto year = first.days() + today >= program_start.days() ? o.year : o.year - 1;
        const int y = year == o.year ? 1 : 0;
        auto& bucket = recent[d % window];
        bucket.clear();
        const auto until = static_cast<std::uint64_t>(static_cast<uint128>(o.events) * cumulative[d + 1] / total_weight);
        const std::string_view date_text(day_text[d].data(), 10);
        for (; written < until; ++written) {
            if ((written & 0xFFFF) == 0) prog.set(written);
            if (erng.percent(5)) {  // a return, if a suitable earlier sale exists
                auto back = static_cast<std::size_t>(erng.between(1, 60));
                if (back <= d) {
                    auto& from = recent[(d - back) % window];
                    if (!from.empty()) {
                        auto& sale = from[erng.below(from.size())];
                        if (!sale.returned) {
                            sale.returned = true;
                            const auto& p = products[sale.product];
                            std::int64_t q, a;
                            if (p.cat == category::services) {
                                static constexpr std::array<std::int64_t, 3> parts{25, 50, 100};
                                q = 0;
                                a = sale.amount * erng.pick(parts) / 100;
                            } else {
                                q = sale.quantity == 1 || erng.percent(40) ? sale.quantity : erng.between(1, sale.quantity - 1);
                                a = q * p.price;
                            }
                            s.append("R-");
                            put_uint(s, static_cast<std::uint64_t>(year));
                            s.put('-');
                            put_padded(s, ++return_seq[static_cast<std::size_t>(y)], iw);
                            s.append(",return,");
                            s.append(date_text);
                            s.put(',');
                            s.append(partners[sale.partner].id);
                            s.append(",,");
                            s.append(p.sku);
                            s.append(",,");
                            put_uint(s, static_cast<std::uint64_t>(q));
                            s.put(',');
                            put_cents(s, a);
                            s.append(",EUR,S-");
                            put_uint(s, static_cast<std::uint64_t>(sale.year));
                            s.put('-');
                            put_padded(s, sale.seq, iw);
                            s.put('\n');
                            s.maybe_flush();
                            ++sum.returns;
                            if (y == 0) ++sum.prior_year;
                            continue;
                        }
                    }
                }
            }
            // A sale.
            const std::uint32_t pi = weighted(erng, y ? pick_current : pick_prior);
            const auto& p = partners[pi];
            std::uint32_t ki = weighted(erng, product_pick);
            if (ki == 0 && products.size() > 1 && first.days() + today < launch.days()) ki = 1;  // X200 launches mid-March
            const auto& prod = products[ki];
            auto [q, a] = sale_line(erng, prod);
            const std::uint64_t seq = ++sale_seq[static_cast<std::size_t>(y)];
            bucket.push_back({seq, pi, ki, q, a, year, false});
            s.append("S-");
            put_uint(s, static_cast<std::uint64_t>(year));
            s.put('-');
            put_padded(s, seq, iw);
            s.append(",sale,");
            s.append(date_text);
            s.put(',');
            s.append(p.id);
            s.put(',');
            // Credit: mostly the manager and a specialist, sometimes one of them, sometimes nobody.
            const auto r = erng.below(100);
            const auto& people = p.people;
            if (!people.empty()) {
                const bool specialists = people.size() > 1;
                const std::string& spec = specialists ? people[1 + erng.below(people.size() - 1)] : people[0];
                if (r < 55 && specialists) {
                    s.append(people[0]);
                    s.append(":0.5;");
                    s.append(spec);
                    s.append(":0.5");
                } else if (r < 70 && specialists) {
                    s.append(people[0]);
                    s.append(":0.6;");
                    s.append(spec);
                    s.append(":0.4");
                } else if (r < 85) {
                    s.append(people[0]);
                    s.append(":1");
                } else if (r < 93) {
                    s.append(spec);
                    s.append(":1");
                }
            }
            s.put(',');
            s.append(prod.sku);
            s.append(",,");
            put_uint(s, static_cast<std::uint64_t>(q));
            s.put(',');
            put_cents(s, a);
            s.append(",EUR,\n");
            s.maybe_flush();
            ++sum.sales;
            if (y == 0) ++sum.prior_year;
        }
    }
    prog.set(written);
    outs.commit();
    return sum;
}

}  // namespace incentives::cli
