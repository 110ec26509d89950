// An optional value kept on the heap: the size of a pointer when absent, with value semantics (a copy
// copies the value, == compares values). For large members that are mostly absent, such as the trace
// of a payout line when the run did not ask for traces.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace incentives::detail {

template <class T>
class boxed {
public:
    boxed() = default;
    boxed(T value) : p_(std::make_unique<T>(std::move(value))) {}  // NOLINT: implicit, like std::optional
    boxed(const boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    boxed(boxed&&) noexcept = default;
    boxed& operator=(const boxed& o) {
        p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    boxed& operator=(boxed&&) noexcept = default;
    boxed& operator=(T value) {
        p_ = std::make_unique<T>(std::move(value));
        return *this;
    }
    ~boxed() = default;

    T& emplace() {
        p_ = std::make_unique<T>();
        return *p_;
    }
    void reset() noexcept { p_.reset(); }
    [[nodiscard]] bool has_value() const noexcept { return p_ != nullptr; }
    explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] T& value() {
        if (!p_) throw std::bad_optional_access();
        return *p_;
    }
    [[nodiscard]] const T& value() const {
        if (!p_) throw std::bad_optional_access();
        return *p_;
    }
    T& operator*() noexcept { return *p_; }
    const T& operator*() const noexcept { return *p_; }
    T* operator->() noexcept { return p_.get(); }
    const T* operator->() const noexcept { return p_.get(); }

    friend bool operator==(const boxed& a, const boxed& b) { return a.p_ ? (b.p_ && *a.p_ == *b.p_) : !b.p_; }

private:
    std::unique_ptr<T> p_;
};

}  // namespace incentives::detail
