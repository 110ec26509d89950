// Output files of the command line. Every file is written to PATH.partial and renamed to PATH only
// when every output of the command is complete, so an error never leaves a half-written (or a
// mix of old and new) output behind. "-" writes to standard output instead.
#pragma once

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include <incentives/format.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/fund_accounts.hpp>
#include <incentives/points_accounts.hpp>
#include <incentives/errors.hpp>
#include <incentives/rules/credit.hpp>

namespace incentives::cli {

[[noreturn]] inline void output_failure(const std::string& path, const char* what, int err) {
    throw input_error("incentives.output.file", path + ": " + what + ": " + std::generic_category().message(err));
}

/// A buffered output file (or standard output for "-").
class sink {
public:
    explicit sink(std::string path) : path_(std::move(path)) {
        if (path_ == "-") return;
        namespace fs = std::filesystem;
        std::error_code ec;
        fs::path target = path_;
        // A symbolic link is kept: the file it names is replaced (even when it does not exist yet).
        for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(target, ec)); ++hops) {
            fs::path next = fs::read_symlink(target, ec);
            if (ec) break;
            target = next.is_absolute() ? next : target.parent_path() / next;
        }
        auto st = fs::status(target, ec);
        if (fs::is_directory(st)) throw input_error("incentives.output.file", path_ + ": is a directory");
        if (fs::exists(st) && !fs::is_regular_file(st)) {
            // A device or a pipe (/dev/null, /dev/stdout, a FIFO): written directly, never replaced.
            file_ = std::fopen(path_.c_str(), "wb");
            if (file_ == nullptr) output_failure(path_, "cannot write", errno);
            return;
        }
        target_ = target.string();
        tmp_ = target_ + ".partial";
        file_ = std::fopen(tmp_.c_str(), "wb");
        if (file_ == nullptr) output_failure(path_, "cannot write", errno);
    }
    sink(const sink&) = delete;
    sink& operator=(const sink&) = delete;
    ~sink() {
        if (file_ != nullptr) std::fclose(file_);
        if (!tmp_.empty() && !committed_) std::remove(tmp_.c_str());
    }

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    fmt::memory_buffer& buffer() noexcept { return buf_; }
    auto out() noexcept { return std::back_inserter(buf_); }
    void append(std::string_view s) { buf_.append(s.data(), s.data() + s.size()); }
    void put(char c) { buf_.push_back(c); }
    /// Writes the buffer out once it is large (standard output is written at commit).
    void maybe_flush() {
        if (file_ != nullptr && buf_.size() >= (std::size_t{4} << 20)) flush();
    }
    /// Completes the partial file (still under its temporary name).
    void finish() {
        if (file_ == nullptr) return;
        flush();
        int rc = std::fclose(file_);
        file_ = nullptr;
        if (rc != 0) output_failure(path_, "cannot write", errno);
    }
    /// Renames the partial file to its path, or writes standard output.
    void commit() {
        if (path_ != "-" && tmp_.empty()) return;  // written directly
        if (path_ == "-") {
            if (std::fwrite(buf_.data(), 1, buf_.size(), stdout) != buf_.size() || std::fflush(stdout) != 0)
                output_failure("standard output", "cannot write", errno);
            buf_.clear();
            return;
        }
        std::error_code ec;
        std::filesystem::rename(tmp_, target_, ec);
        if (ec) throw input_error("incentives.output.file", path_ + ": cannot rename " + tmp_ + ": " + ec.message());
        committed_ = true;
    }

private:
    void flush() {
        if (buf_.size() > 0 && std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size())
            output_failure(path_, "cannot write", errno);
        buf_.clear();
    }

    std::string path_, target_, tmp_;  // the path given, the file it names, the partial file
    std::FILE* file_ = nullptr;
    fmt::memory_buffer buf_;
    bool committed_ = false;
};

/// Several outputs completed together: commit() renames them all once each is written.
class output_set {
public:
    sink& open(const std::string& path) { return *files_.emplace_back(std::make_unique<sink>(path)); }
    void commit() {
        for (auto& f : files_) f->finish();
        for (auto& f : files_) f->commit();
    }

private:
    std::vector<std::unique_ptr<sink>> files_;
};

/// A CSV field, quoted when it needs to be (RFC 4180).
inline void csv_field(sink& s, std::string_view v) {
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
        s.append(v);
        return;
    }
    s.put('"');
    for (char c : v) {
        if (c == '"') s.put('"');
        s.put(c);
    }
    s.put('"');
}

inline void write_payouts(sink& s, const result& r) {
    s.append("rule,beneficiary_type,beneficiary,partner,period,kind,currency,amount,reverses,returned_by\n");
    for (const auto& l : r.lines) {
        csv_field(s, l.rule);
        fmt::format_to(s.out(), ",{},", rules::to_string(l.beneficiary_type));
        csv_field(s, l.beneficiary);
        s.put(',');
        csv_field(s, l.partner);
        fmt::format_to(s.out(), ",{},{},{},{},", l.period, to_string(l.kind), l.currency, l.amount);
        if (l.why) csv_field(s, l.why->reverses);
        s.put(',');
        if (l.why) csv_field(s, l.why->returned_by);
        s.put('\n');
        s.maybe_flush();
    }
}

/// One row per payout line with its trace; steps are "what: before -> after" joined with " | ",
/// event ids are joined with ";".
inline void write_traces(sink& s, const result& r) {
    s.append("rule,version,beneficiary,period,measure,base,baseline,tier,rate,amount_before,steps,note,events,event_ids,"
             "beneficiary_type,kind,amount,reverses,returned_by\n");
    std::string joined;
    for (const auto& l : r.lines) {
        static const trace none{};
        const trace& t = l.why ? *l.why : none;
        csv_field(s, l.rule);
        s.put(',');
        csv_field(s, t.version);
        s.put(',');
        csv_field(s, l.beneficiary);
        fmt::format_to(s.out(), ",{},", l.period);
        csv_field(s, t.measure);
        fmt::format_to(s.out(), ",{},", t.base);
        if (t.baseline) fmt::format_to(s.out(), "{}", *t.baseline);
        s.put(',');
        csv_field(s, t.tier);
        s.put(',');
        if (t.rate) fmt::format_to(s.out(), "{}", *t.rate);
        fmt::format_to(s.out(), ",{},", t.amount_before);
        joined.clear();
        for (std::size_t i = 0; i < t.steps.size(); ++i)
            fmt::format_to(std::back_inserter(joined), "{}{}: {} -> {}", i ? " | " : "", t.steps[i].what, t.steps[i].before,
                           t.steps[i].after);
        csv_field(s, joined);
        s.put(',');
        csv_field(s, t.note);
        fmt::format_to(s.out(), ",{},", t.events);
        joined.clear();
        for (std::size_t i = 0; i < t.event_ids.size(); ++i) {
            if (i) joined += ';';
            joined += t.event_ids[i];
        }
        csv_field(s, joined);
        fmt::format_to(s.out(), ",{},{},{},", rules::to_string(l.beneficiary_type), to_string(l.kind), l.amount);
        csv_field(s, t.reverses);
        s.put(',');
        csv_field(s, t.returned_by);
        s.put('\n');
        s.maybe_flush();
    }
}

/// One row per delta line: what a run pays now against what was paid (restate()); `corrects` joins
/// the references of the paid lines with ";".
inline void write_deltas(sink& s, const std::vector<delta_line>& deltas) {
    s.append("rule,beneficiary_type,beneficiary,partner,period,period_start,currency,paid,now,delta,corrects\n");
    std::string joined;
    for (const auto& d : deltas) {
        csv_field(s, d.rule);
        fmt::format_to(s.out(), ",{},", rules::to_string(d.beneficiary_type));
        csv_field(s, d.beneficiary);
        s.put(',');
        csv_field(s, d.partner);
        fmt::format_to(s.out(), ",{},{},{},{},{},{},", d.period, d.period_start.to_string(), d.currency, d.paid, d.now, d.delta);
        joined.clear();
        for (std::size_t i = 0; i < d.corrects.size(); ++i) (joined += i ? ";" : "") += d.corrects[i];
        csv_field(s, joined);
        s.put('\n');
        s.maybe_flush();
    }
}

/// One row per ledger entry (engine/ledger.hpp), in replay order.
inline void write_ledger(sink& s, const result& r) {
    s.append("entry,account,fund,partner,date,kind,amount,balance_after,reserved_after,available_after,event,consumes,"
             "reservation,expires,reason\n");
    for (const auto& e : r.ledger) {
        fmt::format_to(s.out(), "{},", e.number);
        csv_field(s, e.account());
        s.put(',');
        csv_field(s, e.fund);
        s.put(',');
        csv_field(s, e.partner);
        fmt::format_to(s.out(), ",{},{},{},{},{},{},", e.on.to_string(), to_string(e.kind), e.amount, e.balance_after,
                       e.reserved_after, e.available_after);
        csv_field(s, e.event);
        s.put(',');
        if (e.consumes) fmt::format_to(s.out(), "{}", e.consumes);
        s.put(',');
        if (e.reservation) fmt::format_to(s.out(), "{}", e.reservation);
        s.put(',');
        if (e.expires) s.append(e.expires->to_string());
        s.put(',');
        csv_field(s, e.reason);
        s.put('\n');
        s.maybe_flush();
    }
}

/// One row per step of a registered deal (engine/deals.hpp), in replay order.
inline void write_deals(sink& s, const result& r) {
    s.append("entry,registration,partner,customer,date,kind,amount,until,event,reason\n");
    for (const auto& d : r.deals) {
        fmt::format_to(s.out(), "{},", d.number);
        csv_field(s, d.registration);
        s.put(',');
        csv_field(s, d.partner);
        s.put(',');
        csv_field(s, d.customer);
        fmt::format_to(s.out(), ",{},{},{},", d.on.to_string(), to_string(d.kind), d.amount);
        if (d.until) s.append(d.until->to_string());
        s.put(',');
        csv_field(s, d.event);
        s.put(',');
        csv_field(s, d.reason);
        s.put('\n');
        s.maybe_flush();
    }
}

/// One row per step of a referral program (engine/referrals.hpp), in replay order.
inline void write_referrals(sink& s, const result& r) {
    s.append("entry,referral,customer,partner,date,kind,amount,until,event,touch,reverses,reason\n");
    for (const auto& x : r.referrals) {
        fmt::format_to(s.out(), "{},", x.number);
        csv_field(s, x.referral);
        s.put(',');
        csv_field(s, x.customer);
        s.put(',');
        csv_field(s, x.partner);
        fmt::format_to(s.out(), ",{},{},{},", x.on.to_string(), to_string(x.kind), x.amount);
        if (x.until) s.append(x.until->to_string());
        s.put(',');
        csv_field(s, x.event);
        s.put(',');
        csv_field(s, x.touch);
        s.put(',');
        if (x.reverses) fmt::format_to(s.out(), "{}", x.reverses);
        s.put(',');
        csv_field(s, x.reason);
        s.put('\n');
        s.maybe_flush();
    }
}

/// One row per entry of the points' ledger (engine/points.hpp), in replay order.
inline void write_points(sink& s, const result& r) {
    s.append("entry,date,kind,holder_type,holder,partner,points,lot,from_lot,balance_after,available_after,available_on,expires,event,"
             "item,reason\n");
    for (const auto& e : r.points) {
        fmt::format_to(s.out(), "{},{},{},{},", e.number, e.on.to_string(), to_string(e.kind), rules::to_string(e.holder_type));
        csv_field(s, e.holder);
        s.put(',');
        csv_field(s, e.partner);
        fmt::format_to(s.out(), ",{},", e.points);
        if (e.lot) fmt::format_to(s.out(), "{}", e.lot);
        s.put(',');
        if (e.from_lot) fmt::format_to(s.out(), "{}", e.from_lot);
        fmt::format_to(s.out(), ",{},{},", e.balance_after, e.available_after);
        if (e.available_on) s.append(e.available_on->to_string());
        s.put(',');
        if (e.expires) s.append(e.expires->to_string());
        s.put(',');
        csv_field(s, e.event);
        s.put(',');
        csv_field(s, e.item);
        s.put(',');
        csv_field(s, e.reason);
        s.put('\n');
        s.maybe_flush();
    }
}

/// One row per lot as the run leaves it: where every point went.
inline void write_lots(sink& s, const result& r) {
    s.append("lot,holder_type,holder,partner,source,earned_on,available_on,expires,earned,reinstated,redeemed,reversed,expired,left,state\n");
    for (const auto& l : r.lots) {
        fmt::format_to(s.out(), "{},{},", l.number, rules::to_string(l.holder_type));
        csv_field(s, l.holder);
        s.put(',');
        csv_field(s, l.partner);
        s.put(',');
        csv_field(s, l.source);
        fmt::format_to(s.out(), ",{},{},{},{},{},{},{},{},{},{}\n", l.earned_on.to_string(), l.available_on.to_string(),
                       l.expires ? l.expires->to_string() : std::string(), l.earned, l.reinstated, l.redeemed, l.reversed, l.expired,
                       l.left, to_string(l.state));
        s.maybe_flush();
    }
}

/// One row per status level change.
inline void write_levels(sink& s, const result& r) {
    s.append("change,date,holder_type,holder,partner,previous,level,direction,measure,window,reason\n");
    for (const auto& c : r.levels) {
        fmt::format_to(s.out(), "{},{},{},", c.number, c.on.to_string(), rules::to_string(c.holder_type));
        csv_field(s, c.holder);
        s.put(',');
        csv_field(s, c.partner);
        s.put(',');
        csv_field(s, c.previous);
        s.put(',');
        csv_field(s, c.level);
        fmt::format_to(s.out(), ",{},{},", c.up ? "up" : "down", c.measure);
        csv_field(s, c.window);
        s.put(',');
        csv_field(s, c.reason);
        s.put('\n');
        s.maybe_flush();
    }
}

/// The KPI plan's report: one row per KPI and month.
inline void write_kpis(sink& s, const std::vector<kpi_row>& rows) {
    s.append("kpi,month,actual,target,cumulative_actual,cumulative_target,attainment,light,of,ratio\n");
    for (const auto& k : rows) {
        csv_field(s, k.kpi);
        fmt::format_to(s.out(), ",{},{},{},{},{},{},{},", k.month, k.actual, k.target, k.cumulative_actual, k.cumulative_target,
                       k.attainment ? k.attainment->to_string() : std::string(), k.light);
        csv_field(s, k.of);
        fmt::format_to(s.out(), ",{}\n", k.ratio ? k.ratio->to_string() : std::string());
        s.maybe_flush();
    }
}

/// The engagement and ROI report: one row per segment, then "all".
inline void write_roi(sink& s, const std::vector<roi_row>& rows) {
    s.append("segment,partners,participating,active,participation_rate,active_rate,sales,baseline,incremental,cost,cost_share,"
             "incremental_margin,roi,control_partners\n");
    auto opt = [](const std::optional<decimal>& d) { return d ? d->to_string() : std::string(); };
    for (const auto& x : rows) {
        csv_field(s, x.segment);
        fmt::format_to(s.out(), ",{},{},{},{},{},{},{},{},{},{},{},{},{}\n", x.partners, x.participating, x.active, x.participation_rate,
                       x.active_rate, x.sales, opt(x.baseline), opt(x.incremental), x.cost, opt(x.cost_share), opt(x.incremental_margin),
                       opt(x.roi), x.control_partners);
    }
}

/// One row per competitor, round and contest (a board, or the rank history).
inline void write_standings(sink& s, const std::vector<contest_standing>& rows) {
    s.append("contest,round,through,league,position,rank,tied,competitor_type,competitor,partner,eligible,score,gap_to_next,gap_to_cut,"
             "winner,prize,step_prize,item,why\n");
    for (const auto& st : rows) {
        csv_field(s, st.contest);
        s.put(',');
        csv_field(s, st.round);
        fmt::format_to(s.out(), ",{},", st.through.to_string());
        csv_field(s, st.league);
        fmt::format_to(s.out(), ",{},{},{},{},", st.position ? std::to_string(st.position) : std::string(),
                       st.position ? st.rank.to_string() : std::string(), st.tied, rules::to_string(st.competitor_type));
        csv_field(s, st.competitor);
        s.put(',');
        csv_field(s, st.partner);
        fmt::format_to(s.out(), ",{},{},{},{},{},{},{},", st.eligible ? "yes" : "no", st.score,
                       st.gap_to_next ? st.gap_to_next->to_string() : std::string(), st.gap_to_cut ? st.gap_to_cut->to_string() : std::string(),
                       st.winner ? "yes" : "no", st.prize, st.step_prize);
        csv_field(s, st.item);
        s.put(',');
        csv_field(s, st.why);
        s.put('\n');
        s.maybe_flush();
    }
}

/// One row per points holder as of a day.
inline void write_points_balances(sink& s, const std::vector<points_balance>& balances) {
    s.append("holder_type,holder,partner,as_of,balance,pending,available,debt,expiring_30,expiring_60,expiring_90\n");
    for (const auto& b : balances) {
        fmt::format_to(s.out(), "{},", rules::to_string(b.holder_type));
        csv_field(s, b.holder);
        s.put(',');
        csv_field(s, b.partner);
        fmt::format_to(s.out(), ",{},{},{},{},{},{},{},{}\n", b.as_of.to_string(), b.balance, b.pending, b.available, b.debt,
                       b.expiring_30, b.expiring_60, b.expiring_90);
        s.maybe_flush();
    }
}

/// One row per fund account as of a day: balance, reserved, available and the ageing buckets.
inline void write_balances(sink& s, const std::vector<fund_balance>& balances) {
    s.append("fund,partner,as_of,balance,reserved,available,expiring_30,expiring_60,expiring_90\n");
    for (const auto& b : balances) {
        csv_field(s, b.fund);
        s.put(',');
        csv_field(s, b.partner);
        fmt::format_to(s.out(), ",{},{},{},{},{},{},{}\n", b.as_of.to_string(), b.balance, b.reserved, b.available, b.expiring_30,
                       b.expiring_60, b.expiring_90);
        s.maybe_flush();
    }
}

/// One row per beneficiary and period: the exact sum of its lines and the amount payable.
inline void write_statements(sink& s, const result& r) {
    s.append("beneficiary_type,beneficiary,partner,period,period_start,currency,exact,amount\n");
    for (const auto& st : r.statements) {
        fmt::format_to(s.out(), "{},", rules::to_string(st.beneficiary_type));
        csv_field(s, st.beneficiary);
        s.put(',');
        csv_field(s, st.partner);
        fmt::format_to(s.out(), ",{},{},{},{},{}\n", st.period, st.period_start.to_string(), st.currency, st.exact, st.amount);
        s.maybe_flush();
    }
}

/// The files `run` writes (an empty path: not written), in the order of its options. The Python entry
/// (`python -m incentives run`) writes the same files with the same functions.
struct run_files {
    std::string out, traces, statements, ledger, balances, deals, referrals, points, lots, points_balances, levels, contests, kpis, roi;
};

/// Opens and writes every file named in `f` into `outs` (the caller commits them together); balances
/// are as of `as_of`. Traces need a result run with traces.
inline void write_run_files(output_set& outs, const run_files& f, const result& r, date as_of) {
    if (!f.out.empty()) write_payouts(outs.open(f.out), r);
    if (!f.traces.empty()) write_traces(outs.open(f.traces), r);
    if (!f.statements.empty()) write_statements(outs.open(f.statements), r);
    if (!f.ledger.empty()) write_ledger(outs.open(f.ledger), r);
    if (!f.deals.empty()) write_deals(outs.open(f.deals), r);
    if (!f.referrals.empty()) write_referrals(outs.open(f.referrals), r);
    if (!f.points.empty()) write_points(outs.open(f.points), r);
    if (!f.lots.empty()) write_lots(outs.open(f.lots), r);
    if (!f.levels.empty()) write_levels(outs.open(f.levels), r);
    if (!f.contests.empty()) write_standings(outs.open(f.contests), r.contests);
    if (!f.kpis.empty()) write_kpis(outs.open(f.kpis), r.kpis);
    if (!f.roi.empty()) write_roi(outs.open(f.roi), r.roi);
    if (!f.points_balances.empty()) write_points_balances(outs.open(f.points_balances), points_balances(r.points, as_of));
    if (!f.balances.empty()) write_balances(outs.open(f.balances), fund_balances(r.ledger, as_of));
}

}  // namespace incentives::cli
