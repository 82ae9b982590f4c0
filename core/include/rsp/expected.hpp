#pragma once
// A small stand-in for C++23 std::expected: protocol failures travel as values.
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace rsp {

// The default error: a message for people, nothing secret in it.
struct Error {
  std::string message;
};

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

inline Unexpected<Error> fail(std::string message) { return {Error{std::move(message)}}; }

template <class T, class E = Error>
class Expected {
 public:
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  template <class U>
  Expected(Unexpected<U> u) : state_(std::in_place_index<1>, E(std::move(u.error))) {}

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    check();
    return std::get<0>(state_);
  }
  const T& value() const& {
    check();
    return std::get<0>(state_);
  }
  // By value: a reference into a temporary Expected would dangle (e.g. in a range-for).
  T value() && {
    check();
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  const E& error() const {
    if (has_value()) throw std::logic_error("Expected::error() on a value");
    return std::get<1>(state_);
  }

 private:
  void check() const {
    if (!has_value()) throw std::logic_error("Expected::value() on an error");
  }
  std::variant<T, E> state_;
};

// For operations that return nothing on success.
struct Ok {};
template <class E = Error>
using Status = Expected<Ok, E>;

}  // namespace rsp
