// Reading a large events CSV in chunks of rows, so that memory stays bounded and the engine can add
// each chunk while the next one is parsed.
//
// The file is read in blocks and cut after the last complete row (outside quotes) of each block; each
// chunk is parsed into columns (io::parse_event_table) with the header in front of it and the file's
// row and line numbers, so that every message names the place in the file, as a whole-file read
// would. Returns are held aside as text, to be added after every sale of the file.
#pragma once

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <incentives/errors.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/model.hpp>

namespace incentives::cli {

/// The message of an incentives::error without its "[code] " prefix.
inline std::string_view message_of(const error& e) {
    std::string_view what = e.what();
    if (!what.empty() && what.front() == '[')
        if (auto close = what.find("] "); close != std::string_view::npos) return what.substr(close + 2);
    return what;
}

/// Reads a leading unsigned number from `s` into `n`; returns the number of digits read.
inline std::size_t leading_number(std::string_view s, std::uint64_t& n) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    return ec == std::errc() ? static_cast<std::size_t>(end - s.data()) : 0;
}

/// One chunk of events with its place in the file.
struct event_chunk {
    io::event_table table;          ///< the chunk's rows as columns; its returns held aside as text
    std::uint64_t rows_before = 0;  ///< data rows of the file before this chunk
    std::uint64_t bytes_done = 0;   ///< bytes of the file read up to the end of this chunk
};

class event_chunks {
public:
    explicit event_chunks(std::string path, std::size_t block = std::size_t{8} << 20)
        : path_(std::move(path)), block_(block) {
        file_.reset(std::fopen(path_.c_str(), "rb"));
        if (!file_) fail_io("cannot open");
        if (std::fseek(file_.get(), 0, SEEK_END) == 0) {
            long size = std::ftell(file_.get());
            if (size > 0) size_ = static_cast<std::uint64_t>(size);
            std::rewind(file_.get());
        }
    }

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }

    /// The next chunk of rows; std::nullopt at the end. The first call always returns a chunk (which
    /// may be empty), so that an empty file or a bad header is reported.
    std::optional<event_chunk> next() {
        if (done_) return std::nullopt;
        std::size_t cut = 0;
        for (;;) {
            if (!eof_) fill();
            if (!header_found_) find_header();
            if (eof_) {
                cut = buf_.size();
                break;
            }
            if (header_found_) {
                cut = find_cut(header_len_if_first());
                if (cut > 0) break;
            }
            grow_ = true;  // one row longer than a block: read more before cutting
        }
        if (eof_) done_ = true;
        if (!first_ && cut == 0) return std::nullopt;

        event_chunk out;
        out.rows_before = rows_;
        std::string_view rows(buf_.data(), cut);
        io::table_options options;
        options.first_row = rows_ + 1;
        options.hold_returns = true;
        if (first_) {
            out.table = io::parse_event_table(std::string(rows), path_, std::move(options));  // the header is part of the text
            std::size_t h = std::min(header_len_, cut);
            next_line_ = header_lines_ + 1 + static_cast<std::uint64_t>(std::count(rows.begin() + static_cast<std::ptrdiff_t>(h), rows.end(), '\n'));
        } else {
            std::string text;
            text.reserve(header_.size() + rows.size());
            text.append(header_).append(rows);
            options.first_line = next_line_;
            out.table = io::parse_event_table(std::move(text), path_, std::move(options));
            next_line_ += static_cast<std::uint64_t>(std::count(rows.begin(), rows.end(), '\n'));
        }
        first_ = false;
        consumed_ += cut;
        buf_.erase(0, cut);
        rows_ += out.table.rows() + out.table.held_returns().row_numbers.size();
        out.table.type_values();  // on the reader's thread when there are two: the parse overlaps the adds
        out.bytes_done = consumed_;
        return out;
    }

    /// The header row of the file, with its line break.
    [[nodiscard]] const std::string& header() const noexcept { return header_; }

private:
    struct closer {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };

    [[noreturn]] void fail_io(const char* what) const {
        int err = errno;
        throw input_error("incentives.input.file", path_ + ": " + what + ": " + std::generic_category().message(err));
    }

    void fill() {
        std::size_t want = grow_ ? std::max(block_, buf_.size()) : block_;
        grow_ = false;
        if (size_ > 0 && size_ >= read_) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, size_ - read_ + 1));
        std::size_t old = buf_.size();
        buf_.resize(old + want);
        std::size_t got = std::fread(buf_.data() + old, 1, want, file_.get());
        buf_.resize(old + got);
        read_ += got;
        if (got < want) {
            if (std::ferror(file_.get())) fail_io("cannot read");
            eof_ = true;
        }
    }

    /// Finds the end of the header row (the first line break outside quotes).
    void find_header() {
        bool quoted = false;
        for (std::size_t i = 0; i < buf_.size(); ++i) {
            char c = buf_[i];
            if (c == '"') quoted = !quoted;
            else if (c == '\n' && !quoted) {
                header_len_ = i + 1;
                header_.assign(buf_, 0, header_len_);
                header_lines_ = static_cast<std::uint64_t>(std::count(header_.begin(), header_.end(), '\n'));
                next_line_ = header_lines_ + 1;
                header_found_ = true;
                return;
            }
        }
        grow_ = true;
    }

    [[nodiscard]] std::size_t header_len_if_first() const noexcept { return first_ ? header_len_ : 0; }

    /// The position after the last line break (outside quotes) that ends a non-empty row, searching
    /// from `start` (the start of a row); 0 when there is none. Empty lines are left for the next
    /// chunk, where they are reported as they would be in a whole-file read.
    [[nodiscard]] std::size_t find_cut(std::size_t start) const {
        const char* b = buf_.data();
        const std::size_t n = buf_.size();
        auto non_empty = [&](std::size_t row_start, std::size_t nl) {
            return nl > row_start && !(nl == row_start + 1 && b[row_start] == '\r');
        };
        std::size_t cut = 0, row_start = start;
        if (std::memchr(b + start, '"', n - start) == nullptr) {
            for (const char* p = b + start; (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(b + n - p)))) != nullptr; ++p) {
                auto nl = static_cast<std::size_t>(p - b);
                if (non_empty(row_start, nl)) cut = nl + 1;
                row_start = nl + 1;
            }
            return cut;
        }
        bool quoted = false;
        for (std::size_t i = start; i < n; ++i) {
            char c = b[i];
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\n' && !quoted) {
                if (non_empty(row_start, i)) cut = i + 1;
                row_start = i + 1;
            }
        }
        return cut;
    }

    std::string path_;
    std::size_t block_;
    std::unique_ptr<std::FILE, closer> file_;
    std::uint64_t size_ = 0;
    std::string buf_;       // unparsed bytes, starting at a row (or at the header)
    std::string header_;    // the header row with its line break
    std::size_t header_len_ = 0;
    std::uint64_t header_lines_ = 1;
    std::uint64_t next_line_ = 2;  // line in the file of the first row of the next chunk
    std::uint64_t rows_ = 0;
    std::uint64_t consumed_ = 0;
    std::uint64_t read_ = 0;
    bool header_found_ = false;
    bool first_ = true;
    bool eof_ = false;
    bool done_ = false;
    bool grow_ = false;
};

/// Feeds every chunk of `src` to `consume(chunk)`. With `parallel`, the next chunk is parsed on a
/// second thread while `consume` works on the current one. `parse_seconds` receives the time spent
/// parsing (on whichever thread), for timings.
template <class Consume>
void for_each_chunk(event_chunks& src, bool parallel, Consume&& consume, double& parse_seconds) {
    using clock = std::chrono::steady_clock;
    auto timed_next = [&]() {
        auto t0 = clock::now();
        auto c = src.next();
        parse_seconds += std::chrono::duration<double>(clock::now() - t0).count();
        return c;
    };
    if (!parallel) {
        while (auto c = timed_next()) consume(*c);
        return;
    }
    std::mutex m;
    std::condition_variable cv;
    std::optional<event_chunk> slot;  // one chunk parsed ahead
    bool finished = false, stop = false;
    std::exception_ptr failure;
    std::thread reader([&] {
        try {
            for (;;) {
                auto c = timed_next();
                std::unique_lock lock(m);
                cv.wait(lock, [&] { return !slot || stop; });
                if (stop) return;
                if (!c) break;
                slot = std::move(c);
                cv.notify_all();
            }
        } catch (...) {
            std::lock_guard lock(m);
            failure = std::current_exception();
        }
        std::lock_guard lock(m);
        finished = true;
        cv.notify_all();
    });
    auto halt = [&] {
        {
            std::lock_guard lock(m);
            stop = true;
        }
        cv.notify_all();
        reader.join();
    };
    try {
        for (;;) {
            std::optional<event_chunk> c;
            {
                std::unique_lock lock(m);
                cv.wait(lock, [&] { return slot.has_value() || finished; });
                if (slot) {
                    c = std::move(slot);
                    slot.reset();
                    cv.notify_all();
                } else if (failure) {
                    std::rethrow_exception(failure);
                } else {
                    break;
                }
            }
            consume(*c);
        }
    } catch (...) {
        halt();
        throw;
    }
    reader.join();
}

}  // namespace incentives::cli
