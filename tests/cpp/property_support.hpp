// What the property tests of the ledger stages share: seeded dice whose numbers are the same on every
// machine (std::mt19937_64's output is fixed by the standard; bounds by modulo, no <random>
// distribution), the settings read from the environment, and a run of events shuffled into 1-3
// batches with snapshot()/restore() between them on 2 threads (the determinism property).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <incentives/incentives.hpp>

namespace property_support {

struct dice {
    std::mt19937_64 bits;
    explicit dice(std::uint64_t seed) : bits(seed) {}
    std::uint64_t below(std::uint64_t n) { return bits() % n; }
    int in(int lo, int hi) { return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1))); }  // [lo, hi]
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class T>
    T pick(std::initializer_list<T> v) {
        return *(v.begin() + below(v.size()));
    }
    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[below(v.size())];
    }
    template <class T>
    void shuffle(std::vector<T>& v) {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
    }
};

inline std::uint64_t setting(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

/// `events` shuffled, split at 0-2 random cuts into batches added to an engine restored from the
/// previous one's snapshot each time, 2 threads; the run on 2 threads. Sales stay before the other
/// events (a return must come in a batch after its sale's, or with it).
inline incentives::result shuffled_run(dice& r, const std::shared_ptr<const incentives::program>& prog,
                                       const std::shared_ptr<const incentives::catalog>& cat, std::vector<incentives::event> events) {
    using incentives::engine;
    r.shuffle(events);
    std::stable_partition(events.begin(), events.end(), [](const incentives::event& e) { return e.kind == "sale"; });
    std::vector<std::size_t> cut = {r.below(events.size() + 1), r.below(events.size() + 1)};
    cut.resize(r.below(3));
    std::sort(cut.begin(), cut.end());
    cut.push_back(events.size());
    std::string bytes;
    std::size_t from = 0;
    for (std::size_t k = 0; k < cut.size(); ++k) {
        engine e = k == 0 ? engine(prog, cat) : engine::restore(*prog, *cat, bytes);
        e.add(std::vector<incentives::event>(events.begin() + static_cast<std::ptrdiff_t>(from), events.begin() + static_cast<std::ptrdiff_t>(cut[k])), 2);
        from = cut[k];
        if (k + 1 == cut.size()) return e.run({.threads = 2});
        bytes = e.snapshot();
    }
    return {};
}

}  // namespace property_support
