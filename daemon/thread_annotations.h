// Clang's thread-safety analysis (-Wthread-safety) for the few places where
// a second thread shares state with the loop: a Mutex that the analysis
// knows as a capability, a scoped lock for it, and the attribute macros.
// Under g++ the attributes expand to nothing and Mutex is a plain
// std::mutex; the analysis only runs in the clang build.
//
// Any thread. Mutex is neither copyable nor movable.
#pragma once

#include <mutex>

#if defined(__clang__)
#define JOBTRACK_THREAD_ATTRIBUTE(x) __attribute__((x))
#else
#define JOBTRACK_THREAD_ATTRIBUTE(x)
#endif

#define CAPABILITY(x) JOBTRACK_THREAD_ATTRIBUTE(capability(x))
#define SCOPED_CAPABILITY JOBTRACK_THREAD_ATTRIBUTE(scoped_lockable)
#define GUARDED_BY(x) JOBTRACK_THREAD_ATTRIBUTE(guarded_by(x))
#define REQUIRES(...) JOBTRACK_THREAD_ATTRIBUTE(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) JOBTRACK_THREAD_ATTRIBUTE(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) JOBTRACK_THREAD_ATTRIBUTE(acquire_capability(__VA_ARGS__))
#define RELEASE(...) JOBTRACK_THREAD_ATTRIBUTE(release_capability(__VA_ARGS__))

namespace jobtrack {

// std::mutex as a capability. lock()/unlock() also make it BasicLockable,
// so std::condition_variable_any can wait on it.
class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }

 private:
  std::mutex mutex_;
};

// Holds a Mutex for a scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() { mutex_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
};

}  // namespace jobtrack
