// Ranking and prize splitting (engine/ranking.hpp): every ranking method and cut rule on worked
// examples (the arithmetic in the comments), ratios compared exactly, and properties over random
// contests — the prizes paid add up to the table, the winners are the places up to the cut (and the
// tie at it), and a competitor's rank does not depend on the order competitors are given in.
#include <doctest/doctest.h>

#include <incentives/engine/ranking.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace incentives;
using contest::key_column;
using rules::cut_rule;
using rules::rank_method;

namespace {

key_column higher(std::vector<int128> v) { return {true, std::move(v), {}}; }
key_column lower(std::vector<int128> v) { return {false, std::move(v), {}}; }

/// "competitor:rank" in the ranking's order.
std::vector<std::string> ranks(const std::vector<key_column>& chain, rank_method m) {
    std::vector<std::string> out;
    for (const auto& p : contest::rank(chain, chain.front().num.size(), m))
        out.push_back(std::to_string(p.competitor) + ":" + p.rank.to_string());
    return out;
}

std::vector<std::string> prizes(const std::vector<key_column>& chain, std::vector<const char*> table, std::size_t winners, cut_rule cut,
                                int places) {
    std::vector<decimal> t;
    for (const char* x : table) t.push_back(decimal::parse(x));
    const auto order = contest::rank(chain, chain.front().num.size(), rank_method::standard);
    const auto awards = contest::split_prizes(order, t, winners, cut, places);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < order.size(); ++i)
        out.push_back(std::to_string(order[i].competitor) + (awards[i].winner ? ":" + awards[i].prize.to_string() : ":-"));
    return out;
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("ranking: scores 10, 8, 8, 5 numbered by each method") {
    // Competitors 0..3 score 5, 8, 10, 8: in order 2 (10), 1 and 3 (8, tied: index order), 0 (5).
    const std::vector<key_column> chain{higher({5, 8, 10, 8})};
    CHECK(ranks(chain, rank_method::standard) == strings{"2:1", "1:2", "3:2", "0:4"});    // 1224
    CHECK(ranks(chain, rank_method::modified) == strings{"2:1", "1:3", "3:3", "0:4"});    // 1334
    CHECK(ranks(chain, rank_method::dense) == strings{"2:1", "1:2", "3:2", "0:3"});       // 1223
    CHECK(ranks(chain, rank_method::fractional) == strings{"2:1", "1:2.5", "3:2.5", "0:4"});  // (2 + 3) / 2
    CHECK_THROWS_WITH_AS((void)contest::rank(chain, 4, rank_method::ordinal), doctest::Contains("competitors 1 and 3 are tied on every key"),
                         calculation_error);
    // A second key breaks the tie: fewer returns first (1 has 2 returns, 3 has 0) -> 1234.
    const std::vector<key_column> broken{higher({5, 8, 10, 8}), lower({0, 2, 1, 0})};
    CHECK(ranks(broken, rank_method::ordinal) == strings{"2:1", "3:2", "1:3", "0:4"});
    CHECK(ranks(broken, rank_method::standard) == strings{"2:1", "3:2", "1:3", "0:4"});
    // Three tied for first of four: fractional (1 + 3) / 2 = 2; dense 1, 1, 1, 2; modified 3, 3, 3, 4.
    const std::vector<key_column> three{higher({7, 7, 7, 1})};
    CHECK(ranks(three, rank_method::fractional) == strings{"0:2", "1:2", "2:2", "3:4"});
    CHECK(ranks(three, rank_method::dense) == strings{"0:1", "1:1", "2:1", "3:2"});
    CHECK(ranks(three, rank_method::modified) == strings{"0:3", "1:3", "2:3", "3:4"});
}

TEST_CASE("ranking: a chain of three keys, the last one an earlier day") {
    // Score (higher first), returns (fewer first), the day the final score was reached (earlier first).
    // 0: 100, 1 return, day 40; 1: 100, 0 returns, day 50; 2: 100, 0 returns, day 45; 3: 90.
    const std::vector<key_column> chain{higher({100, 100, 100, 90}), lower({1, 0, 0, 0}), lower({40, 50, 45, 10})};
    CHECK(ranks(chain, rank_method::ordinal) == strings{"2:1", "1:2", "0:3", "3:4"});
}

TEST_CASE("ranking: percent of a personal plan compared exactly, never rounded into a tie") {
    // 0: 1 of a plan of 3 (33.333...%); 1: 33,333,333 of 100,000,000 (33.333333%); 2: 2 of 6 (= 1/3).
    // 1/3 > 0.33333333, and 2/6 ties 1/3 exactly.
    key_column attainment{true, {1, 33333333, 2}, {3, 100000000, 6}};
    CHECK(ranks({attainment}, rank_method::standard) == strings{"0:1", "2:1", "1:3"});
    // Products beyond 128 bits: (10^30 + 1) / 10^30 against 10^30 / (10^30 - 1): the second is larger.
    const int128 e30 = static_cast<int128>(1000000000000000LL) * 1000000000000000LL;
    key_column big{true, {e30 + 1, e30}, {e30, e30 - 1}};
    CHECK(ranks({big}, rank_method::standard) == strings{"1:1", "0:2"});
    key_column negative{true, {-e30, -e30 + 1}, {e30 - 1, e30}};  // -1.000..001 against -0.999..999
    CHECK(ranks({negative}, rank_method::standard) == strings{"1:1", "0:2"});
    key_column zero_plan{true, {1, 2}, {1, 0}};
    CHECK_THROWS_WITH_AS((void)contest::rank(std::vector<key_column>{zero_plan}, 2, rank_method::standard),
                         doctest::Contains("competitor 1's denominator is not above 0"), config_error);
    CHECK_THROWS_AS((void)contest::rank(std::vector<key_column>{higher({1, 2})}, 3, rank_method::standard), config_error);
}

TEST_CASE("prizes: tied competitors share the prizes of the places they occupy, exactly") {
    // 25/15/8, a three-way tie for first: (25 + 15 + 8) / 3 = 16 each.
    CHECK(prizes({higher({9, 9, 9, 1})}, {"25", "15", "8"}, 3, cut_rule::share, 0) == strings{"0:16", "1:16", "2:16", "3:-"});
    // 100 for first, three tied for it, shared: 33.34 / 33.33 / 33.33 (the extra cent to the first member).
    CHECK(prizes({higher({5, 5, 5})}, {"100"}, 1, cut_rule::share, 2) == strings{"0:33.34", "1:33.33", "2:33.33"});
    // ...all of them win the first place's prize under all_win: 100 + 100 + 100 over three.
    CHECK(prizes({higher({5, 5, 5})}, {"100"}, 1, cut_rule::all_win, 2) == strings{"0:100.00", "1:100.00", "2:100.00"});
    // A tie across prize places inside the cut: 10, 9, 9, 1 -> places 2-3 share 15 + 8 = 23: 11.50 each
    // (or 12 and 11 in whole units).
    CHECK(prizes({higher({10, 9, 9, 1})}, {"25", "15", "8"}, 3, cut_rule::share, 2) == strings{"0:25.00", "1:11.50", "2:11.50", "3:-"});
    CHECK(prizes({higher({10, 9, 9, 1})}, {"25", "15", "8"}, 3, cut_rule::share, 0) == strings{"0:25", "1:12", "2:11", "3:-"});
}

TEST_CASE("prizes: a tie at the cut, by each cut rule") {
    // 10, 9, 8, 8 for three winners and 25/15/8: places 3-4 are tied across the cut.
    const std::vector<key_column> chain{higher({10, 9, 8, 8})};
    // share: both win and share place 3's 8: 4 each; the table's 48 is paid exactly.
    CHECK(prizes(chain, {"25", "15", "8"}, 3, cut_rule::share, 0) == strings{"0:25", "1:15", "2:4", "3:4"});
    // all_win: place 4, past the cut, pays the cut's 8: 8 + 8 over two = 8 each (56 paid).
    CHECK(prizes(chain, {"25", "15", "8"}, 3, cut_rule::all_win, 0) == strings{"0:25", "1:15", "2:8", "3:8"});
    // tie_break: the chain does not break it: refused with the places.
    CHECK_THROWS_WITH_AS((void)prizes(chain, {"25", "15", "8"}, 3, cut_rule::tie_break, 0),
                         doctest::Contains("places 3 to 4 for 3 winners"), calculation_error);
    // A second key breaks it: exactly three winners.
    CHECK(prizes({higher({10, 9, 8, 8}), lower({0, 0, 3, 1})}, {"25", "15", "8"}, 3, cut_rule::tie_break, 0) ==
          strings{"0:25", "1:15", "3:8", "2:-"});
    // Ten best reps win a trip worth 4000 (the same prize for each place); 9th-11th tied: all three go.
    std::vector<int128> reps{20, 19, 18, 17, 16, 15, 14, 13, 12, 12, 12, 5};
    const auto trips = prizes({higher(reps)}, std::vector<const char*>(10, "4000"), 10, cut_rule::all_win, 0);
    CHECK(std::count_if(trips.begin(), trips.end(), [](const std::string& s) { return s.ends_with(":4000"); }) == 11);
    CHECK(trips.back() == "11:-");
}

TEST_CASE("prizes: a league of one, no competitors, more winners than competitors, places without a prize") {
    CHECK(prizes({higher({3})}, {"25", "15"}, 2, cut_rule::share, 0) == strings{"0:25"});
    CHECK(contest::split_prizes({}, std::vector<decimal>{decimal(25)}, 3, cut_rule::share, 0).empty());
    CHECK(contest::rank(std::vector<key_column>{higher({})}, 0, rank_method::dense).empty());
    // Five winners, three prizes: places 4 and 5 win, with 0.
    CHECK(prizes({higher({5, 4, 3, 2, 1, 0})}, {"3", "2", "1"}, 5, cut_rule::share, 0) == strings{"0:3", "1:2", "2:1", "3:0", "4:0", "5:-"});
}

TEST_CASE("ranking properties: prizes add up to the table, the winners are the places up to the cut, ranks do not depend on order") {
    std::mt19937_64 gen(20270301);
    auto below = [&](std::uint64_t n) { return static_cast<std::int64_t>(gen() % n); };
    for (int round = 0; round < 3000; ++round) {
        const std::size_t n = static_cast<std::size_t>(below(12)) + 1, winners = static_cast<std::size_t>(below(8)) + 1;
        std::vector<int128> score(n), returns(n);
        for (std::size_t i = 0; i < n; ++i) score[i] = below(5), returns[i] = below(2);
        std::vector<decimal> table;
        for (std::size_t k = 0, size = static_cast<std::size_t>(below(6)); k < size; ++k) table.push_back(decimal::from_units(below(10000), 2));
        const std::vector<key_column> chain{higher(score), lower(returns)};
        const auto order = contest::rank(chain, n, rank_method::standard);
        for (cut_rule cut : {cut_rule::share, cut_rule::all_win}) {
            const auto awards = contest::split_prizes(order, table, winners, cut, 2);
            decimal paid, expected;
            std::size_t won = 0, should_win = 0;
            for (std::size_t i = 0; i < n; ++i) {
                paid += awards[i].prize;
                won += awards[i].winner;
                should_win += order[i].first <= winners;
            }
            for (std::size_t k = 0; k < std::min({winners, n, table.size()}); ++k) expected += table[k];
            CHECK(won == should_win);
            if (cut == cut_rule::share) CHECK_MESSAGE(paid == expected, "round " << round << ": paid " << paid.to_string() << " of " << expected.to_string());
            else CHECK(!(paid < expected));
        }
        // The same competitors given in another order: each keeps its rank under every method.
        std::vector<std::uint32_t> perm(n);
        std::iota(perm.begin(), perm.end(), 0u);
        std::shuffle(perm.begin(), perm.end(), gen);
        std::vector<key_column> shuffled{higher(std::vector<int128>(n)), lower(std::vector<int128>(n))};
        for (std::size_t i = 0; i < n; ++i) shuffled[0].num[perm[i]] = score[i], shuffled[1].num[perm[i]] = returns[i];
        for (rank_method m : {rank_method::standard, rank_method::modified, rank_method::dense, rank_method::fractional}) {
            std::map<std::uint32_t, decimal> before, mapped;
            for (const auto& p : contest::rank(chain, n, m)) before[p.competitor] = p.rank;
            for (const auto& p : contest::rank(shuffled, n, m)) {
                const auto original = static_cast<std::uint32_t>(std::find(perm.begin(), perm.end(), p.competitor) - perm.begin());
                mapped[original] = p.rank;
            }
            CHECK(mapped == before);
        }
    }
}
