// The bonus shop example (examples/programs/bonus_shop.yaml over examples/data/bonus_shop, the
// worked example of docs/rules/points.md), loaded from the example's own files: every number below
// is computed by hand in the comments, from the events and the program, not copied from a run.
//
// The program: managers earn 1% of their share of each sale in points ("bally", whole points, 1 RUB
// each), specialists 0.5%, per person and month; the partner earns a 2% quarterly rebate in cash.
// A month's lot is earned on its last day, available 15 days later, usable for 6 months to the end
// of that month; redemptions spend the soonest-expiring lots first; returns (90-day clawback) take
// points back within the balance; a cancelled order goes back into its lots; breakage is estimated.
//
// The calendar of a month's lot (earned, available = earned + 15, last usable = earned + 6 months
// to the month's end, expired the day after):
//   Jan 01-31, 02-15, 07-31 (expires 08-01)     Jun 06-30, 07-15, 12-31 (06-30 + 6 = 12-30 -> 12-31)
//   Feb 02-28, 03-15, 08-31 (02-28 + 6 = 08-28)   Jul 07-31, 08-15, 2028-01-31
//   Mar 03-31, 04-15, 09-30 (09-31 clamps)        Aug 08-31, 09-15, 2028-02-29 (a leap year)
//   Apr 04-30, 05-15, 10-31 (10-30 -> 10-31)      Sep 09-30, 10-15, 2028-03-31
//   May 05-31, 06-15, 11-30                       Oct 10-31, 11-15, 2028-04-30
//                                                 Nov 11-30, 12-15, 2028-05-31
//                                                 Dec 12-31, 2028-01-15, 2028-06-30
//
// The points lines (1% of a manager's share, 0.5% of a specialist's; "M1:0.5;S2:0.5" halves a sale):
//   M1 Jan 1% x (300000 + 200000 x 0.5) = 4000    Feb 1% x 400000 x 0.5 = 2000    Mar 1% x 500000 = 5000
//      May 3500, Jul 6000, Oct 4500, Dec 2000; Apr clawback: r02 returns 40000 of s05 (400000): a
//      tenth of M1's Feb line, all of it s05's -> -200
//   M2 Jan 1% x 250000 x 0.6 = 1500   Feb 1% x 180000 = 1800   Mar 1% x 300000 x 0.5 = 1500
//      May 5000, Sep 2000; Mar clawback: r01 returns 60000 of s07 (180000): a third of 1800 -> -600;
//      Jul clawback: r03 returns 250000 of s15 (500000): half of 5000 -> -2500
//   M3 Mar 1% x 200000 x 0.7 = 1400   Jun 3000, and r04 returns all of s17 in June -> -3000
//      Nov 3200, Dec 1500
//   S1 Jan 0.5% x 120000 = 600   Feb 0.5% x 400000 x 0.5 = 1000   Apr 0.5% x 700000 = 3500;
//      Apr clawback (r02): a tenth of 1000 -> -100
//   S2 Jan 0.5% x 200000 x 0.5 = 500   Feb 0.5% x 60000 = 300
//   S3 Jan 0.5% x 250000 x 0.4 = 500   Mar 0.5% x 300000 x 0.5 = 750
//      Apr 0.5% x 140050.00 = 700.25 -> 700 (half_even to whole points)
//   S4 Mar 0.5% x 200000 x 0.3 = 300   Apr 0.5% x 100100.00 = 500.5 -> 500 (a tie: half_even keeps 500)
//      Aug 0.5% x 400000 = 2000
//
// A return's points go back on the last day of the return's month (its clawback line's period),
// after that day's earnings, from the lot the returned sale earned (then, within the balance, from
// the holder's other lots in the spend order): r01 takes M2's 600 from February's lot, which s07 earned.
#include <doctest/doctest.h>

#include <incentives/incentives.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace incentives;

namespace {

const std::filesystem::path examples = std::filesystem::path(INCENTIVES_TEST_DATA) / ".." / ".." / "examples";

struct example {
    program p;
    result r;
};

program bonus_shop_program() { return io::read_program_file((examples / "programs" / "bonus_shop.yaml").string()); }

std::vector<event> bonus_shop_events() { return io::read_events_csv((examples / "data" / "bonus_shop" / "events.csv").string()); }

result run_bonus_shop(const std::vector<event>& events, unsigned threads = 1) {
    const auto data = examples / "data" / "bonus_shop";
    engine e(bonus_shop_program(),
             catalog(io::read_partners_csv((data / "partners.csv").string()), io::read_participants_csv((data / "participants.csv").string()),
                     io::read_products_csv((data / "products.csv").string())));
    e.add(events, threads);
    return e.run({true, true, threads});
}

const example& bonus_shop() {
    static const example ex{bonus_shop_program(), run_bonus_shop(bonus_shop_events())};
    return ex;
}

/// "holder balance pending available debt | expiring 30 60 90"
std::map<std::string, std::string> balances(const result& r, date as_of) {
    std::map<std::string, std::string> out;
    for (const auto& b : points_balances(r.points, as_of))
        out[b.holder] = b.balance.to_string() + " " + b.pending.to_string() + " " + b.available.to_string() + " " +
                        b.debt.to_string() + " | " + b.expiring_30.to_string() + " " + b.expiring_60.to_string() + " " +
                        b.expiring_90.to_string();
    return out;
}

/// "available_on expires | earned reinstated redeemed reversed expired left state", by source.
std::map<std::string, std::string> lots(const result& r) {
    std::map<std::string, std::string> out;
    for (const auto& l : r.lots)
        out[l.source] = l.available_on.to_string() + " " + (l.expires ? l.expires->to_string() : std::string("never")) + " | " +
                        l.earned.to_string() + " " + l.reinstated.to_string() + " " + l.redeemed.to_string() + " " +
                        l.reversed.to_string() + " " + l.expired.to_string() + " " + l.left.to_string() + " " +
                        std::string(to_string(l.state));
    return out;
}

const payout_line* line(const result& r, const std::string& rule, const std::string& who, const std::string& period,
                        payout_line::kind_t kind = payout_line::kind_t::accrual) {
    for (const auto& l : r.lines)
        if (l.rule == rule && l.beneficiary == who && l.period == period && l.kind == kind) return &l;
    return nullptr;
}

std::string amount_of(const result& r, const std::string& rule, const std::string& who, const std::string& period,
                      payout_line::kind_t kind = payout_line::kind_t::accrual) {
    const auto* l = line(r, rule, who, period, kind);
    return l ? l->amount.to_string() + " " + l->currency : "no line";
}

/// The entries of one event id (a redemption, a cancellation, a return's reversal).
std::vector<const points_entry*> entries_of(const result& r, const std::string& event) {
    std::vector<const points_entry*> out;
    for (const auto& e : r.points)
        if (e.event == event) out.push_back(&e);
    return out;
}

}  // namespace

TEST_CASE("bonus shop: the points lines and the cash statements, by hand") {
    const auto& r = bonus_shop().r;
    using k = payout_line::kind_t;
    CHECK(amount_of(r, "manager_points", "M1", "2027-01") == "4000 bally");
    CHECK(amount_of(r, "manager_points", "M1", "2027-02") == "2000 bally");
    CHECK(amount_of(r, "manager_points", "M1", "2027-04", k::clawback) == "-200 bally");
    CHECK(amount_of(r, "manager_points", "M2", "2027-01") == "1500 bally");
    CHECK(amount_of(r, "manager_points", "M2", "2027-03", k::clawback) == "-600 bally");
    CHECK(amount_of(r, "manager_points", "M2", "2027-07", k::clawback) == "-2500 bally");
    CHECK(amount_of(r, "manager_points", "M3", "2027-03") == "1400 bally");
    CHECK(amount_of(r, "manager_points", "M3", "2027-06") == "3000 bally");
    CHECK(amount_of(r, "manager_points", "M3", "2027-06", k::clawback) == "-3000 bally");
    CHECK(amount_of(r, "specialist_points", "S1", "2027-04", k::clawback) == "-100 bally");
    CHECK(amount_of(r, "specialist_points", "S2", "2027-01") == "500 bally");
    CHECK(amount_of(r, "specialist_points", "S3", "2027-04") == "700 bally");  // 700.25 rounded
    CHECK(amount_of(r, "specialist_points", "S4", "2027-03") == "300 bally");
    CHECK(amount_of(r, "specialist_points", "S4", "2027-04") == "500 bally");  // 500.5: half_even keeps 500
    // A role earns only on its own rule: no manager line for a specialist, nor the other way round;
    // s16, a sale without participants, earns no points at all (the rebate only).
    CHECK(line(r, "manager_points", "S1", "2027-01") == nullptr);
    CHECK(line(r, "specialist_points", "M1", "2027-01") == nullptr);
    // Lines: 20 manager (16 accruals: M1 7, M2 5, M3 4; 4 clawbacks), 12 specialist (11 accruals: S1
    // 3, S2 2, S3 3, S4 3; 1 clawback), 15 rebate (11 accruals, 4 clawbacks) = 47.
    CHECK(r.lines.size() == 47);

    // The cash: 2% of each partner's quarterly sales, less 2% of each return in the return's quarter.
    //   P1 Q1 2% x (300000 + 200000 + 120000 + 400000 + 60000 + 500000 = 1580000) = 31600.00
    //   P1 Q2 2% x (700000 + 350000 = 1050000) = 21000.00, less r02's 2% x 40000 = 800.00 -> 20200.00
    //   P1 Q3 2% x 600000 = 12000.00;  P1 Q4 2% x (450000 + 200000) = 13000.00
    //   P2 Q1 2% x (250000 + 180000 + 300000 = 730000) = 14600.00, less r01's 2% x 60000 = 1200.00 -> 13400.00
    //   P2 Q2 2% x (140050 + 500000 + 100000 = 740050) = 14801.00
    //   P2 Q3 2% x 200000 = 4000.00, less r03's 2% x 250000 = 5000.00 -> -1000.00
    //   P3 Q1 2% x 200000 = 4000.00;  P3 Q2 2% x (100100 + 300000 = 400100) = 8002.00, less r04's
    //   2% x 300000 = 6000.00 -> 2002.00;  P3 Q3 2% x 400000 = 8000.00;  P3 Q4 2% x (320000 + 150000) = 9400.00
    std::map<std::string, std::string> statements;
    for (const auto& s : r.statements) statements[s.beneficiary + " " + s.period] = s.amount.to_string() + " " + s.currency;
    CHECK(statements == std::map<std::string, std::string>{
                            {"P1 2027-Q1", "31600.00 RUB"}, {"P1 2027-Q2", "20200.00 RUB"}, {"P1 2027-Q3", "12000.00 RUB"},
                            {"P1 2027-Q4", "13000.00 RUB"}, {"P2 2027-Q1", "13400.00 RUB"}, {"P2 2027-Q2", "14801.00 RUB"},
                            {"P2 2027-Q3", "-1000.00 RUB"}, {"P3 2027-Q1", "4000.00 RUB"},  {"P3 2027-Q2", "2002.00 RUB"},
                            {"P3 2027-Q3", "8000.00 RUB"},  {"P3 2027-Q4", "9400.00 RUB"},
                        });
    // The money total leaves the points out: P1 31600 + 20200 + 12000 + 13000 = 76800, P2 13400 +
    // 14801 - 1000 = 27201, P3 4000 + 2002 + 8000 + 9400 = 23402; 76800 + 27201 + 23402 = 127403.00.
    CHECK(r.total().to_string() == "127403.00");
}

// Each person's story (lots named by holder and month; "avail" is what may be spent that day):
//
// M1: Jan lot 4000. x01 02-10 POWERBANK (2500) refused: the lot is pending until 02-15. x02 02-16
//   OZON1000 x 2 = 2000 from Jan (2000 left). Feb lot 2000, Mar lot 5000. x04 04-20 OZON5000: avail
//   2000 + 2000 + 5000 (Mar available since 04-15) = 9000; soonest-expiring first: Jan 2000 (-> 0),
//   Feb 2000 (-> 0), Mar 1000 (-> 4000). 04-30 r02 returns the February sale s05, whose lot is
//   spent: its 200 come from the balance, the Mar lot first in the spend order (-> 3800). x05 05-05 TAXI x 3 = 1500 from Mar (-> 2300). x06 05-20 a fourth TAXI in May:
//   beyond the limit of 3 a month. May lot 3500 (pending until 06-15). x17 06-02 TAXI (a new month)
//   500 from Mar (-> 1800): 06-30 balance 1800 + 3500 = 5300, all available. Jul lot 6000. x12 08-20
//   SPEAKER 10000: Mar 1800 (-> 0), May 3500 (-> 0), Jul 4700 (-> 1300). Oct lot 4500, Dec lot 2000
//   (pending until 2028-01-15). 12-31: 1300 + 4500 + 2000 = 7800, pending 2000, available 5800; the
//   Jul lot's last day 2028-01-31 is 31 days away: expiring in 31-60 days 1300.
// S1: Jan 600, Feb 1000, Apr 3500; 04-30 r02 (a return of the February sale s05) takes 100 from the
//   lot that sale earned, Feb (-> 900). x08 05-20 BACKPACK 4500: Jan 600, Feb 900, Apr 3000 (-> 500).
//   c08 05-25 cancels it: 600, 900 and 3000 back into their lots (5000). x10 06-10 POWERBANK 2500:
//   Jan 600, Feb 900, Apr 1000 (-> 2500): 06-30 balance 2500. x13 09-05 MUG 800 from Apr (-> 1700);
//   11-01 the Apr lot expires with 1700: 12-31 balance 0.
// S2: Jan 500, Feb 300, never spent: 06-30 balance 800, the Jan lot's last day 07-31 is 31 days away
//   (31-60: 500), the Feb lot's 08-31 62 days (61-90: 300); expired 500 on 08-01, 300 on 09-01.
// M2: Jan 1500, Feb 1800, Mar 1500; 03-31 r01 takes 600 from the Feb lot s07 earned (-> 1200). May
//   lot 5000. x11 06-20 HEADPHONES 9000: Jan 1500, Feb 1200, Mar 1500, May 4800 (-> 200): 06-30
//   balance 200.
//   07-31 r03 takes back 2500: the May lot's 200, and nothing else is left: 2300 forgiven (the
//   policy never takes the balance below zero). Sep lot 2000: 12-31 balance 2000 (its last day
//   2028-03-31 is 91 days away: in no band).
// S3: Jan 500. x03 03-01 HEADPHONES 9000 refused: 500 available; c03 03-05 cancels x03, which was
//   never taken: refused. Mar 750, Apr 700. x09 05-20 TSHIRT 1200: Jan 500, Mar 700 (-> 50): 06-30
//   balance 50 + 700 = 750. Expired: 50 on 10-01, 700 on 11-01: 12-31 balance 0.
// M3: Mar 1400. x07 05-05 MUG 800 (-> 600). Jun lot 3000 and, the same day, r04 takes all 3000 back
//   from it (the sale was returned in full): 06-30 balance 600. Expired 600 on 10-01. Nov lot 3200;
//   x16 12-18 OZON1000 x 2 = 2000 (-> 1200). Dec lot 1500 (pending): 12-31 balance 2700, pending
//   1500, available 1200.
// S4: Mar 300, Apr 500: 06-30 balance 800. Aug lot 2000. x14 09-20 SPEAKER refused: the one in stock
//   went to M1 on 08-20. x15 09-22 POWERBANK 2500: Mar 300, Apr 500, Aug 1700 (-> 300): 12-31 balance
//   300, its last day 2028-02-29 60 days away (31-60).

TEST_CASE("bonus shop: each person's points as of 2027-06-30 and 2027-12-31") {
    const auto& r = bonus_shop().r;
    // balance pending available debt | expiring in 0-30, 31-60, 61-90 days
    CHECK(balances(r, date(2027, 6, 30)) == std::map<std::string, std::string>{
                                                {"M1", "5300 0 5300 0 | 0 0 0"},  // Mar 1800 (09-30: 92 days), May 3500
                                                {"M2", "200 0 200 0 | 0 0 0"},
                                                {"M3", "600 0 600 0 | 0 0 0"},    // the Jun lot was reversed the day it came
                                                {"S1", "2500 0 2500 0 | 0 0 0"},
                                                {"S2", "800 0 800 0 | 0 500 300"},
                                                {"S3", "750 0 750 0 | 0 0 0"},
                                                {"S4", "800 0 800 0 | 0 0 0"},
                                            });
    CHECK(balances(r, date(2027, 12, 31)) == std::map<std::string, std::string>{
                                                 {"M1", "7800 2000 5800 0 | 0 1300 0"},
                                                 {"M2", "2000 0 2000 0 | 0 0 0"},
                                                 {"M3", "2700 1500 1200 0 | 0 0 0"},
                                                 {"S1", "0 0 0 0 | 0 0 0"},
                                                 {"S2", "0 0 0 0 | 0 0 0"},
                                                 {"S3", "0 0 0 0 | 0 0 0"},
                                                 {"S4", "300 0 300 0 | 0 300 0"},
                                             });
    // 06-30 sum: 5300 + 200 + 600 + 2500 + 800 + 750 + 800 = 10950; 12-31: 7800 + 2000 + 2700 + 300 = 12800.
    decimal june, december;
    for (const auto& b : points_balances(r.points, date(2027, 6, 30))) june += b.balance;
    for (const auto& b : points_balances(r.points, date(2027, 12, 31))) december += b.balance;
    CHECK(june.to_string() == "10950");
    CHECK(december.to_string() == "12800");
}

TEST_CASE("bonus shop: every lot as the run leaves it") {
    const auto& r = bonus_shop().r;
    // available_on expires | earned reinstated redeemed reversed expired left state
    // (earned + reinstated = redeemed + reversed + expired + left, on every row)
    CHECK(lots(r) == std::map<std::string, std::string>{
                         {"manager_points/M1/2027-01", "2027-02-15 2027-07-31 | 4000 0 4000 0 0 0 spent"},         // x02 2000, x04 2000
                         {"manager_points/M1/2027-02", "2027-03-15 2027-08-31 | 2000 0 2000 0 0 0 spent"},         // x04
                         {"manager_points/M1/2027-03", "2027-04-15 2027-09-30 | 5000 0 4800 200 0 0 spent"},       // 1000 + 1500 + 500 + 1800
                         {"manager_points/M1/2027-05", "2027-06-15 2027-11-30 | 3500 0 3500 0 0 0 spent"},         // x12
                         {"manager_points/M1/2027-07", "2027-08-15 2028-01-31 | 6000 0 4700 0 0 1300 active"},     // x12
                         {"manager_points/M1/2027-10", "2027-11-15 2028-04-30 | 4500 0 0 0 0 4500 active"},
                         {"manager_points/M1/2027-12", "2028-01-15 2028-06-30 | 2000 0 0 0 0 2000 pending"},
                         {"manager_points/M2/2027-01", "2027-02-15 2027-07-31 | 1500 0 1500 0 0 0 spent"},         // x11
                         {"manager_points/M2/2027-02", "2027-03-15 2027-08-31 | 1800 0 1200 600 0 0 spent"},         // r01, x11
                         {"manager_points/M2/2027-03", "2027-04-15 2027-09-30 | 1500 0 1500 0 0 0 spent"},        // x11
                         {"manager_points/M2/2027-05", "2027-06-15 2027-11-30 | 5000 0 4800 200 0 0 spent"},       // x11, r03
                         {"manager_points/M2/2027-09", "2027-10-15 2028-03-31 | 2000 0 0 0 0 2000 active"},
                         {"manager_points/M3/2027-03", "2027-04-15 2027-09-30 | 1400 0 800 0 600 0 expired"},      // x07
                         {"manager_points/M3/2027-06", "2027-07-15 2027-12-31 | 3000 0 0 3000 0 0 reversed"},     // r04
                         {"manager_points/M3/2027-11", "2027-12-15 2028-05-31 | 3200 0 2000 0 0 1200 active"},     // x16
                         {"manager_points/M3/2027-12", "2028-01-15 2028-06-30 | 1500 0 0 0 0 1500 pending"},
                         {"specialist_points/S1/2027-01", "2027-02-15 2027-07-31 | 600 600 1200 0 0 0 spent"},     // x08, c08, x10
                         {"specialist_points/S1/2027-02", "2027-03-15 2027-08-31 | 1000 900 1800 100 0 0 spent"},  // r02, x08, c08, x10
                         {"specialist_points/S1/2027-04", "2027-05-15 2027-10-31 | 3500 3000 4800 0 1700 0 expired"},  // 3000 + 1000 + 800
                         {"specialist_points/S2/2027-01", "2027-02-15 2027-07-31 | 500 0 0 0 500 0 expired"},
                         {"specialist_points/S2/2027-02", "2027-03-15 2027-08-31 | 300 0 0 0 300 0 expired"},
                         {"specialist_points/S3/2027-01", "2027-02-15 2027-07-31 | 500 0 500 0 0 0 spent"},        // x09
                         {"specialist_points/S3/2027-03", "2027-04-15 2027-09-30 | 750 0 700 0 50 0 expired"},     // x09
                         {"specialist_points/S3/2027-04", "2027-05-15 2027-10-31 | 700 0 0 0 700 0 expired"},
                         {"specialist_points/S4/2027-03", "2027-04-15 2027-09-30 | 300 0 300 0 0 0 spent"},        // x15
                         {"specialist_points/S4/2027-04", "2027-05-15 2027-10-31 | 500 0 500 0 0 0 spent"},        // x15
                         {"specialist_points/S4/2027-08", "2027-09-15 2028-02-29 | 2000 0 1700 0 0 300 active"},   // x15
                     });
    for (const auto& l : r.lots) CHECK(l.earned + l.reinstated == l.redeemed + l.reversed + l.expired + l.left);
}

TEST_CASE("bonus shop: the refusals, the cancellation and the forgiven part of a return") {
    const auto& r = bonus_shop().r;
    using kind = points_entry::kind_t;
    std::map<std::string, std::string> refused;
    for (const auto& e : r.points)
        if (e.kind == kind::refused) refused[e.event] = e.on.to_string() + " " + e.holder + ": " + e.reason;
    CHECK(refused == std::map<std::string, std::string>{
                         // M1's January lot (4000) is pending until 02-15.
                         {"x01", "2027-02-10 M1: 1 x POWERBANK costs 2500 points; 0 available (4000 more pending)"},
                         // S3 holds only the January lot's 500 on 03-01.
                         {"x03", "2027-03-01 S3: 1 x HEADPHONES costs 9000 points; 500 available"},
                         {"c03", "2027-03-05 S3: cancels redemption \"x03\", which was not taken before it (unknown or refused)"},
                         // x05 took 3 taxi vouchers in May: the limit is 3 a month.
                         {"x06", "2027-05-20 M1: 1 x TAXI: beyond the limit of 3 per month (3 redeemed in 2027-05)"},
                         // The one smart speaker went to M1 (x12, 08-20).
                         {"x14", "2027-09-20 S4: 1 x SPEAKER: beyond the stock (0 of 1 left)"},
                     });
    // The cancelled backpack: three draws (Jan 600, Feb 900, Apr 3000) and three reinstatements
    // into the same lots; the balance goes 5000 -> 500 -> 5000.
    const auto drawn = entries_of(r, "x08");
    const auto back = entries_of(r, "c08");
    REQUIRE(drawn.size() == 3);
    REQUIRE(back.size() == 3);
    const char* points[] = {"600", "900", "3000"};
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(drawn[i]->kind == kind::redeemed);
        CHECK(drawn[i]->points.to_string() == "-" + std::string(points[i]));
        CHECK(back[i]->kind == kind::reinstated);
        CHECK(back[i]->points.to_string() == points[i]);
        CHECK(back[i]->lot == drawn[i]->lot);
        CHECK(back[i]->item == "BACKPACK");
    }
    CHECK(drawn.back()->balance_after.to_string() == "500");
    CHECK(back.back()->balance_after.to_string() == "5000");
    // r03 takes back 2500 on 07-31 when M2 holds 200: 200 reversed, 2300 forgiven.
    const auto r03 = entries_of(r, "r03");
    REQUIRE(r03.size() == 2);
    CHECK(r03[0]->kind == kind::reversed);
    CHECK(r03[0]->points.to_string() == "-200");
    CHECK(r03[1]->kind == kind::forgiven);
    CHECK(r03[1]->on == date(2027, 7, 31));
    CHECK(r03[1]->reason == "2300 points not taken back: the returns policy never takes the balance below zero");
    // Redemptions taken: M1 x02 x04 x05 x17 x12, S1 x08 (cancelled) x10 x13, M2 x11, S3 x09, M3 x07
    // x16, S4 x15 = 13.
    std::set<std::string> taken;
    for (const auto& e : r.points)
        if (e.kind == kind::redeemed) taken.insert(e.event);
    CHECK(taken.size() == 13);
}

TEST_CASE("bonus shop: the liability as of 2027-12-31 and 2027-06-30") {
    const auto& ex = bonus_shop();
    // Issued: M1 4000 + 2000 + 5000 + 3500 + 6000 + 4500 + 2000 = 27000; S1 600 + 1000 + 3500 = 5100;
    // S2 800; M2 1500 + 1800 + 1500 + 5000 + 2000 = 11800; S3 500 + 750 + 700 = 1950; M3 1400 + 3000
    // + 3200 + 1500 = 9100; S4 300 + 500 + 2000 = 2800: 58550.
    // Redeemed, net of the cancelled backpack: M1 2000 + 5000 + 1500 + 500 + 10000 = 19000; S1 4500 -
    // 4500 + 2500 + 800 = 3300; M2 9000; S3 1200; M3 800 + 2000 = 2800; S4 2500: 37800.
    // Expired: S1 1700, S2 500 + 300, S3 50 + 700, M3 600 = 3850. Reversed: M1 200, S1 100, M2 600 +
    // 200, M3 3000 = 4100 (the forgiven 2300 never left a lot).
    // Outstanding: 58550 - 37800 - 3850 - 4100 = 12800 = the balances' sum; pending: the two
    // December lots, 2000 + 1500 = 3500.
    const auto l = points_liability_as_of(ex.p, ex.r.points, date(2027, 12, 31));
    CHECK(l.issued.to_string() == "58550");
    CHECK(l.redeemed.to_string() == "37800");
    CHECK(l.expired.to_string() == "3850");
    CHECK(l.reversed.to_string() == "4100");
    CHECK(l.outstanding.to_string() == "12800");
    CHECK(l.pending.to_string() == "3500");
    CHECK(l.available.to_string() == "9300");
    CHECK(l.debt.to_string() == "0");
    CHECK(l.issued == l.redeemed + l.expired + l.reversed + l.outstanding);
    // Matured lots (last usable day before 12-31): the 19 lots of January to May. Their expired
    // points: all 3850. Their redeemed points: the 37800 less what the later lots gave (M1 Jul 4700,
    // M3 Nov 2000, S4 Aug 1700 = 8400) = 29400. Breakage = 3850 / (3850 + 29400) = 3850 / 33250 =
    // 11/95 = 0.1157894... -> 0.115789.
    CHECK(l.breakage.to_string() == "0.115789");
    CHECK(l.breakage_basis == "estimated from 19 matured lots: 3850 expired of 33250 expired or redeemed");
    // Face value 12800 x 1.00 = 12800.00; liability 12800.00 x 29400 / 33250 = 12800 x 84 / 95 =
    // 1075200 / 95 = 11317.894... -> 11317.89 (half_even, once).
    CHECK(l.face_value.to_string() == "12800.00");
    CHECK(l.liability.to_string() == "11317.89");
    // By age (days since the lot was earned, as of 12-31): 0-90 M1 Oct 4500 (61 days), M1 Dec 2000,
    // M3 Nov 1200 (31), M3 Dec 1500 = 9200; 91-180 M1 Jul 1300 (153), M2 Sep 2000 (92), S4 Aug 300
    // (122) = 3600.
    REQUIRE(l.by_age.size() == 4);
    CHECK(l.by_age[0].points.to_string() == "9200");
    CHECK(l.by_age[1].points.to_string() == "3600");
    CHECK(l.by_age[2].points.to_string() == "0");
    CHECK(l.by_age[3].points.to_string() == "0");

    // 06-30: issued 37350 (M1 14500, S1 5100, S2 800, M2 9800, S3 1950, M3 4400, S4 800), redeemed
    // 22500 (M1 9000, S1 2500, M2 9000, S3 1200, M3 800), reversed 3900 (M1 200, S1 100, M2 600, M3
    // 3000), nothing expired: outstanding 10950, the balances' sum. No lot has matured (the first
    // last usable day is 07-31): breakage 0, the liability is the face value, 10950.00.
    const auto june = points_liability_as_of(ex.p, ex.r.points, date(2027, 6, 30));
    CHECK(june.issued.to_string() == "37350");
    CHECK(june.redeemed.to_string() == "22500");
    CHECK(june.reversed.to_string() == "3900");
    CHECK(june.outstanding.to_string() == "10950");
    CHECK(june.breakage_basis == "no matured lots yet: 0");
    CHECK(june.liability.to_string() == "10950.00");
}

TEST_CASE("bonus shop: the points do not depend on the order of the events or the threads") {
    const auto& reference = bonus_shop().r;
    auto events = bonus_shop_events();
    std::mt19937 rng(2027);
    for (int round = 0; round < 3; ++round) {
        std::shuffle(events.begin(), events.end(), rng);
        const result again = run_bonus_shop(events, round == 0 ? 1u : 2u);
        CHECK(again.points == reference.points);
        CHECK(again.lots == reference.lots);
        CHECK(again.statements == reference.statements);
    }
}

TEST_CASE("bonus shop: status levels by the points earned in the calendar year") {
    // silver from 5000, gold from 15000, by the points the rules' lines earned in 2027 (the lots'
    // points before any clawback), counted on each month's last day:
    //   M1 Jan 4000, Feb +2000 = 6000 -> silver on 02-28; Mar 11000, May 14500, Jul +6000 = 20500 ->
    //      gold on 07-31;
    //   S1 Jan 600, Feb 1600, Apr +3500 = 5100 -> silver on 04-30;
    //   M2 Jan 1500, Feb 3300, Mar 4800, May +5000 = 9800 -> silver on 05-31;
    //   M3 Mar 1400, Jun 4400 (its June lot is reversed, but it was earned), Nov +3200 = 7600 -> silver
    //      on 11-30;
    //   S2 800, S3 1950, S4 2800: member all year. A calendar year only grows within the year: no
    //   review moves anyone down in 2027.
    const auto& r = bonus_shop().r;
    std::vector<std::string> changes;
    for (const auto& c : r.levels)
        changes.push_back(c.on.to_string() + " " + c.holder + " " + c.previous + "->" + c.level + " " + c.measure.to_string());
    CHECK(changes == std::vector<std::string>{"2027-02-28 M1 member->silver 6000", "2027-04-30 S1 member->silver 5100",
                                              "2027-05-31 M2 member->silver 9800", "2027-07-31 M1 silver->gold 20500",
                                              "2027-11-30 M3 member->silver 7600"});
    const program p = bonus_shop_program();
    CHECK(points_level_of(p, r, "M1", date(2027, 2, 27)) == "member");
    CHECK(points_level_of(p, r, "M1", date(2027, 3, 1)) == "silver");
    CHECK(points_level_of(p, r, "M1", date(2027, 12, 31)) == "gold");
    CHECK(points_level_of(p, r, "S4", date(2027, 12, 31)) == "member");
}
