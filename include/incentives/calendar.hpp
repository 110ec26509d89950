// Dates and periods: civil dates as day numbers, and the periods (month, quarter, half, year,
// program, custom ranges) that rules group by, with a fiscal-year start.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>


#include <incentives/errors.hpp>

namespace incentives {

namespace detail {

/// `v` in decimal with leading zeros to `width` digits ("2027", "04").
[[nodiscard]] inline std::string padded(int v, std::size_t width) {
    if (v < 0) return "-" + padded(-v, width);
    std::string s = std::to_string(v);
    return s.size() >= width ? s : std::string(width - s.size(), '0') + s;
}

/// Days since 1970-01-01 of a proleptic Gregorian date, and back (the eras-of-400-years method:
/// exact integer arithmetic, no <chrono> to parse in every translation unit).
[[nodiscard]] constexpr std::int32_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);                        // [0, 399]
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;         // [0, 365]
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                   // [0, 146096]
    return static_cast<std::int32_t>(era * 146097 + static_cast<int>(doe) - 719468);
}

struct civil_date {
    int year;
    unsigned month, day;
};

[[nodiscard]] constexpr civil_date civil_from_days(std::int32_t z) noexcept {
    const int shifted = z + 719468;
    const int era = (shifted >= 0 ? shifted : shifted - 146096) / 146097;
    const auto doe = static_cast<unsigned>(shifted - era * 146097);               // [0, 146096]
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   // [0, 399]
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 // [0, 365]
    const unsigned mp = (5 * doy + 2) / 153;                                      // [0, 11]
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;                              // [1, 31]
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;                                 // [1, 12]
    return {static_cast<int>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

[[nodiscard]] constexpr unsigned days_in_month(int y, unsigned m) noexcept {
    constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return m == 2 && leap ? 29 : days[m - 1];
}

}  // namespace detail

/// A civil date, stored as days since 1970-01-01 (cheap to compare and to store in columns).
class date {
public:
    constexpr date() noexcept = default;
    constexpr explicit date(std::int32_t days) noexcept : days_(days) {}
    constexpr date(int y, unsigned m, unsigned d) noexcept
        : days_(detail::days_from_civil(y, m, d)) {}

    /// Parses YYYY-MM-DD strictly; throws input_error naming what was expected.
    [[nodiscard]] static date parse(std::string_view text) {
        auto bad = [&](std::string_view why) -> date {
            throw input_error("incentives.input.date_syntax",
                              "\"" + std::string(text) + "\" is not a date: " + std::string(why) +
                                  " (expected YYYY-MM-DD, e.g. 2027-04-01)");
        };
        if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad("wrong shape");
        auto num = [&](std::size_t from, std::size_t len, int& out) {
            out = 0;
            for (std::size_t i = from; i < from + len; ++i) {
                if (text[i] < '0' || text[i] > '9') return false;
                out = out * 10 + (text[i] - '0');
            }
            return true;
        };
        int y, m, d;
        if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return bad("non-digit characters");
        if (m < 1 || m > 12 || d < 1 || static_cast<unsigned>(d) > detail::days_in_month(y, static_cast<unsigned>(m)))
            return bad("no such day");
        return date(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    }

    [[nodiscard]] constexpr std::int32_t days() const noexcept { return days_; }
    [[nodiscard]] constexpr detail::civil_date civil() const noexcept { return detail::civil_from_days(days_); }
    [[nodiscard]] constexpr int year() const noexcept { return civil().year; }
    [[nodiscard]] constexpr unsigned month() const noexcept { return civil().month; }
    [[nodiscard]] constexpr unsigned day() const noexcept { return civil().day; }

    /// "2027-04-01".
    [[nodiscard]] std::string to_string() const {
        return detail::padded(year(), 4) + "-" + detail::padded(static_cast<int>(month()), 2) + "-" +
               detail::padded(static_cast<int>(day()), 2);
    }

    [[nodiscard]] constexpr date plus_days(std::int32_t n) const noexcept { return date(days_ + n); }
    /// The same day `n` months later (clamped to the month's last day).
    [[nodiscard]] constexpr date plus_months(int n) const noexcept {
        const auto c = civil();
        int total = c.year * 12 + static_cast<int>(c.month) - 1 + n;
        int y = total / 12;
        unsigned m = static_cast<unsigned>(total % 12) + 1;
        unsigned last = detail::days_in_month(y, m);
        unsigned d = c.day;
        return date(y, m, d < last ? d : last);
    }

    friend constexpr bool operator==(date, date) noexcept = default;
    friend constexpr auto operator<=>(date, date) noexcept = default;

private:
    std::int32_t days_ = 0;
};

/// How a rule groups events in time.
enum class period_unit : unsigned char { month, quarter, half, year, program, custom };

[[nodiscard]] constexpr std::string_view to_string(period_unit u) noexcept {
    constexpr std::string_view names[] = {"month", "quarter", "half", "year", "program", "custom"};
    return names[static_cast<int>(u)];
}

/// A half-open date range [from, to) with a label such as "2027-Q2".
struct period {
    date from;
    date to;
    std::string label;
    friend bool operator==(const period&, const period&) = default;
};

/// The calendar of a program: its effective dates, the fiscal-year start, and the custom ranges.
/// Maps a date to the index of its period for a unit; indices are dense from the program start.
class calendar {
public:
    calendar() = default;
    /// `from` and `to` are inclusive program dates; fiscal years start on `fiscal_start_month` 1.
    calendar(date from, date to, unsigned fiscal_start_month = 1, std::vector<period> custom = {})
        : from_(from), to_(to), fiscal_start_(fiscal_start_month), custom_(std::move(custom)) {
        if (to < from)
            throw validation_error("incentives.validation.calendar",
                                   "program ends (" + to.to_string() + ") before it starts (" + from.to_string() + ")");
        if (fiscal_start_month < 1 || fiscal_start_month > 12)
            throw validation_error("incentives.validation.calendar", "fiscal year start month must be 1..12");
        for (std::size_t i = 0; i < custom_.size(); ++i) {
            if (!(custom_[i].from < custom_[i].to))
                throw validation_error("incentives.validation.calendar",
                                       "custom period \"" + custom_[i].label + "\" is empty or reversed");
            if (i > 0 && custom_[i].from < custom_[i - 1].to)
                throw validation_error("incentives.validation.calendar",
                                       "custom periods \"" + custom_[i - 1].label + "\" and \"" + custom_[i].label +
                                           "\" overlap or are out of order");
        }
    }

    friend bool operator==(const calendar&, const calendar&) = default;

    [[nodiscard]] date from() const noexcept { return from_; }
    [[nodiscard]] date to() const noexcept { return to_; }
    [[nodiscard]] unsigned fiscal_start_month() const noexcept { return fiscal_start_; }
    [[nodiscard]] const std::vector<period>& custom_periods() const noexcept { return custom_; }
    [[nodiscard]] bool contains(date d) const noexcept { return !(d < from_) && !(to_ < d); }

    /// Months in one period of `unit` (0 for program and custom).
    [[nodiscard]] static constexpr int months_in(period_unit unit) noexcept {
        switch (unit) {
            case period_unit::month: return 1;
            case period_unit::quarter: return 3;
            case period_unit::half: return 6;
            case period_unit::year: return 12;
            default: return 0;
        }
    }

    /// Index of the fiscal period of `unit` containing `d`, counted so that any date (also before the
    /// program, e.g. a prior-year baseline) has one; -1 when a custom calendar has no period for d.
    [[nodiscard]] std::int32_t index_of(date d, period_unit unit) const noexcept {
        if (unit == period_unit::program) return 0;
        if (unit == period_unit::custom) {
            for (std::size_t i = 0; i < custom_.size(); ++i)
                if (!(d < custom_[i].from) && d < custom_[i].to) return static_cast<std::int32_t>(i);
            return -1;
        }
        // Months since the fiscal epoch (fiscal year 0 starts at year 0, month fiscal_start).
        int months = d.year() * 12 + static_cast<int>(d.month()) - static_cast<int>(fiscal_start_);
        return static_cast<std::int32_t>(months / months_in(unit));
    }

    /// The period of `unit` with index `i`, with its label ("FY2027-Q2" style when the fiscal year
    /// does not start in January, "2027-Q2" otherwise).
    [[nodiscard]] period period_at(std::int32_t i, period_unit unit) const {
        if (unit == period_unit::program) return {from_, to_.plus_days(1), "program"};
        if (unit == period_unit::custom) return custom_.at(static_cast<std::size_t>(i));
        int per = months_in(unit);
        int first_month = i * per + static_cast<int>(fiscal_start_);  // months since year 0, 1-based
        int y = (first_month - 1) / 12;
        unsigned m = static_cast<unsigned>((first_month - 1) % 12) + 1;
        date start(y, m, 1);
        date end = start.plus_months(per);
        // The fiscal year is named after the calendar year in which it ends.
        int fiscal_year = (i * per) / 12 + (fiscal_start_ == 1 ? 0 : 1);
        int within = ((i * per) % 12) / per + 1;
        std::string prefix = fiscal_start_ == 1 ? std::to_string(fiscal_year) : "FY" + std::to_string(fiscal_year);
        switch (unit) {
            case period_unit::month: return {start, end, std::to_string(start.year()) + "-" + detail::padded(static_cast<int>(start.month()), 2)};
            case period_unit::quarter: return {start, end, prefix + "-Q" + std::to_string(within)};
            case period_unit::half: return {start, end, prefix + "-H" + std::to_string(within)};
            default: return {start, end, prefix};
        }
    }

private:
    date from_{};
    date to_{};
    unsigned fiscal_start_ = 1;
    std::vector<period> custom_;
};

}  // namespace incentives
