// A progress line on stderr for long commands: shown once a command has run for two seconds, redrawn
// a few times a second, erased when done. Silent when stderr is not a terminal.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include <fmt/format.h>

#include <unistd.h>

namespace incentives::cli {

class progress {
public:
    using clock = std::chrono::steady_clock;

    /// Draws only when `enabled` and stderr is a terminal.
    explicit progress(bool enabled = true) : start_(clock::now()) {
        if (enabled && ::isatty(STDERR_FILENO) == 1) thread_ = std::thread([this] { loop(); });
    }
    progress(const progress&) = delete;
    progress& operator=(const progress&) = delete;
    ~progress() { stop(); }

    /// Starts a phase: a label and, when known, the amount of work (`bytes` formats it as sizes).
    void phase(std::string label, std::uint64_t total = 0, bool bytes = false) {
        std::lock_guard lock(mutex_);
        label_ = std::move(label);
        total_ = total;
        bytes_ = bytes;
        done_.store(0, std::memory_order_relaxed);
        count_.store(0, std::memory_order_relaxed);
    }
    /// Work done in the current phase (out of its total).
    void set(std::uint64_t done) noexcept { done_.store(done, std::memory_order_relaxed); }
    /// A count shown next to the fraction, e.g. events read so far.
    void set_count(std::uint64_t n, const char* what) noexcept {
        count_.store(n, std::memory_order_relaxed);
        count_what_.store(what, std::memory_order_relaxed);
    }
    /// Stops drawing and erases the line; call before printing anything else.
    void stop() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
        if (drawn_) {
            std::fputs("\r\033[K", stderr);
            std::fflush(stderr);
        }
    }

private:
    void loop() {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; }))
            if (clock::now() - start_ >= std::chrono::seconds(2)) draw();
    }

    static std::string size(std::uint64_t bytes) {
        if (bytes >= (1ull << 30)) return fmt::format("{:.1f} GB", static_cast<double>(bytes) / (1ull << 30));
        return fmt::format("{:.1f} MB", static_cast<double>(bytes) / (1ull << 20));
    }

    void draw() {  // with mutex_ held
        static constexpr const char* spin = "|/-\\";
        const std::uint64_t done = done_.load(std::memory_order_relaxed);
        std::string line = fmt::format("{} {}", spin[ticks_++ % 4], label_);
        if (total_ > 0) {
            std::uint64_t shown = done < total_ ? done : total_;
            line += bytes_ ? fmt::format(" {} / {}", size(shown), size(total_)) : fmt::format(" {} / {}", shown, total_);
            line += fmt::format(" ({}%)", shown * 100 / total_);
        }
        if (std::uint64_t n = count_.load(std::memory_order_relaxed); n > 0)
            line += fmt::format(", {} {}", n, count_what_.load(std::memory_order_relaxed));
        auto elapsed = std::chrono::duration<double>(clock::now() - start_).count();
        line += fmt::format("  {:.0f}s", elapsed);
        fmt::print(stderr, "\r\033[K{}", line);
        std::fflush(stderr);
        drawn_ = true;
    }

    clock::time_point start_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool drawn_ = false;
    unsigned ticks_ = 0;
    std::string label_;
    std::uint64_t total_ = 0;
    bool bytes_ = false;
    std::atomic<std::uint64_t> done_{0};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<const char*> count_what_{"events"};
};

}  // namespace incentives::cli
