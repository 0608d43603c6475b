#pragma once
// Shared by a long job and whoever watches it (QgsFeedback-style): cancel, pause/resume.
// The trainer checks it between batches, so Stop and Pause act within one batch.
#include <atomic>
#include <condition_variable>
#include <mutex>

namespace milk {

class TrainingControl {
public:
    void request_cancel() {
        cancel_.store(true);
        std::lock_guard lock(mutex_);
        cv_.notify_all();
    }
    bool cancel_requested() const { return cancel_.load(); }
    void set_paused(bool paused) {
        std::lock_guard lock(mutex_);
        paused_ = paused;
        cv_.notify_all();
    }
    bool paused() const {
        std::lock_guard lock(mutex_);
        return paused_;
    }
    // Blocks while paused; returns false when cancelled.
    bool wait_while_paused() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return !paused_ || cancel_.load(); });
        return !cancel_.load();
    }

private:
    std::atomic<bool> cancel_{false};
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool paused_ = false;
};

}  // namespace milk
