// Bytes out and in: the little-endian, length-prefixed encoding of snapshots (snapshot.hpp), partial
// runs (partial.hpp) and the Python package's pickled catalogs. Reading past the end, or a length
// longer than what is left, is an input_error, never a read out of bounds.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <incentives/errors.hpp>

namespace incentives {

namespace detail {

/// Byte writer and reader for snapshots (little-endian, length-prefixed strings).
class bytes_out {
public:
    template <class T>
    void pod(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        out_.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void str(std::string_view s) {
        pod<std::uint64_t>(s.size());
        out_.append(s);
    }
    template <class T>
    void pods(const std::vector<T>& v) {
        pod<std::uint64_t>(v.size());
        if (!v.empty()) out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    [[nodiscard]] std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class bytes_in {
public:
    explicit bytes_in(std::string_view in) : in_(in) {}
    template <class T>
    T pod() {
        T v;
        need(sizeof v);
        std::memcpy(&v, in_.data() + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }
    std::string str() {
        auto n = pod<std::uint64_t>();
        need(n);
        std::string s(in_.substr(pos_, n));
        pos_ += n;
        return s;
    }
    template <class T>
    std::vector<T> pods() {
        auto n = pod<std::uint64_t>();
        if (n > in_.size() / sizeof(T) + 1) corrupt();
        need(n * sizeof(T));
        std::vector<T> v(n);
        if (n) std::memcpy(v.data(), in_.data() + pos_, n * sizeof(T));
        pos_ += n * sizeof(T);
        return v;
    }
    [[nodiscard]] bool done() const noexcept { return pos_ == in_.size(); }
    [[noreturn]] static void corrupt() {
        throw input_error("incentives.input.snapshot", "the snapshot is truncated or corrupt");
    }

private:
    void need(std::size_t n) const {
        if (n > in_.size() - pos_) corrupt();
    }
    std::string_view in_;
    std::size_t pos_ = 0;
};

}  // namespace detail

}  // namespace incentives
