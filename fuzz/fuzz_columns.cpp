// Fuzz target: the column door. The bytes choose a table of a few rows — ids, kinds, partners,
// participants text, amounts as text, int64 units at a declared scale or decimal128, dates as days or
// text, null bits — and intake checks it against a small program. Whatever it accepts must accumulate
// and settle; whatever it refuses must be an input_error naming a row and field.
#include <incentives/incentives.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace incentives;

struct reader {
    const std::uint8_t* p;
    std::size_t n;
    std::uint8_t byte() {
        if (n == 0) return 0;
        --n;
        return *p++;
    }
    std::int64_t wide() {
        std::int64_t v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
        return v;
    }
    std::string_view text(std::size_t max) {
        const std::size_t len = std::min<std::size_t>(byte() % (max + 1), n);
        std::string_view s(reinterpret_cast<const char*>(p), len);
        p += len, n -= len;
        return s;
    }
};

const engine& prototype() {
    static const engine e = [] {
        rules::rule r;
        r.id = "rebate";
        r.pay.value = decimal::parse("0.02");
        r.clawback_ = rules::clawback{};
        program prog;
        prog.name = "fuzz";
        prog.cal = calendar(date(2027, 1, 1), date(2027, 12, 31));
        prog.rules = {r};
        prog.unknown_kinds = unknown_kind_policy::warn;
        catalog cat({{"P1", "", "", "", "", "", {}}, {"P2", "", "", "", "", "", {}}},
                    {{"U1", "P1", "", {}, {}}, {"U2", "P1", "", {}, {}}}, {{"X", "x", {}}}, {});
        return engine(prog, cat);
    }();
    return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    reader in{data, size};
    const std::size_t rows = in.byte() % 8;
    static const char* kinds[] = {"sale", "return", "training", "sael", ""};
    static const char* partners[] = {"P1", "P2", "P3", ""};
    std::vector<std::string> ids, refs, parts, amounts, dates;
    std::vector<std::string_view> id_v, kind_v, partner_v, ref_v, part_v, amount_v, date_v;
    std::vector<std::int64_t> units;
    std::vector<std::int32_t> days;
    std::vector<unsigned char> wide(16 * rows);
    std::vector<std::uint8_t> valid(1, 0xFF);
    for (std::size_t r = 0; r < rows; ++r) {
        ids.emplace_back(in.text(4));
        refs.emplace_back(in.text(4));
        parts.emplace_back(in.text(12));
        amounts.emplace_back(in.text(8));
        dates.emplace_back(in.text(10));
        kind_v.emplace_back(kinds[in.byte() % 5]);
        partner_v.emplace_back(partners[in.byte() % 4]);
        units.push_back(in.wide());
        days.push_back(static_cast<std::int32_t>(date(2027, 1, 1).days() + static_cast<std::int8_t>(in.byte()) * 3));
        const std::int64_t lo = in.wide(), hi = in.byte() % 2 ? -1 : 0;
        std::memcpy(wide.data() + 16 * r, &lo, 8);
        std::memcpy(wide.data() + 16 * r + 8, &hi, 8);
    }
    valid[0] = in.byte();
    for (std::size_t r = 0; r < rows; ++r) {
        id_v.emplace_back(ids[r]);
        ref_v.emplace_back(refs[r]);
        part_v.emplace_back(parts[r]);
        amount_v.emplace_back(amounts[r]);
        date_v.emplace_back(dates[r]);
    }
    event_columns c;
    c.rows = rows;
    c.id = text_column::views(id_v);
    c.kind = text_column::views(kind_v);
    c.partner = text_column::views(partner_v);
    c.reference = text_column::views(ref_v);
    c.participants.text = text_column::views(part_v);
    const int scale = in.byte() % 20;
    switch (in.byte() % 3) {
        case 0: c.amount = number_column::text(text_column::views(amount_v)); break;
        case 1: c.amount = number_column::units(units, scale, validity{valid.data(), 0}); break;
        default: c.amount = number_column::decimal128(wide.data(), rows, scale, validity{valid.data(), 0}); break;
    }
    c.on = in.byte() % 2 ? date_column::days(days, validity{valid.data(), 0}) : date_column::text(text_column::views(date_v));
    engine e = prototype();
    try {
        e.add(c);
    } catch (const input_error& err) {
        if (err.where().row == 0 && err.code() != "incentives.input.shape") std::abort();  // every value error names its row
        return 0;
    }
    const result res = e.run();
    if (res.events_seen > rows) std::abort();
    return 0;
}
