// Array<T>: a 64-byte aligned, uninitialized, movable buffer (std::vector zero-fills; we fill in parallel).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

namespace sg {

// Every Array allocation in the process, for tests that a loop allocates nothing.
inline std::atomic<int64_t>& array_allocations() {
  static std::atomic<int64_t> count{0};
  return count;
}

// Bytes held by the Arrays alive in the process, for tests that freed objects free their buffers.
inline std::atomic<int64_t>& array_live_bytes() {
  static std::atomic<int64_t> bytes{0};
  return bytes;
}

template <class T>
class Array {
  static_assert(std::is_trivially_copyable_v<T>, "Array holds plain data only");
  struct Free {
    std::size_t bytes = 0;
    void operator()(T* p) const {
      array_live_bytes().fetch_sub(static_cast<int64_t>(bytes), std::memory_order_relaxed);
      std::free(p);
    }
  };

 public:
  Array() = default;
  explicit Array(std::size_t n) : size_(n) {
    if (n == 0) return;
    if (n > (SIZE_MAX - 63) / sizeof(T)) throw std::bad_alloc();
    std::size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    T* p = static_cast<T*>(std::aligned_alloc(64, bytes));
    if (!p) throw std::bad_alloc();
    data_ = std::unique_ptr<T, Free>(p, Free{bytes});
    array_allocations().fetch_add(1, std::memory_order_relaxed);
    array_live_bytes().fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  }

  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return data_.get()[i]; }
  const T& operator[](std::size_t i) const { return data_.get()[i]; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }

 private:
  std::unique_ptr<T, Free> data_;
  std::size_t size_ = 0;
};

}  // namespace sg
