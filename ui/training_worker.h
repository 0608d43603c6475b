#pragma once
// The training thread (Qt's threaded Mandelbrot pattern, a batch as the unit of work):
// a QThread owns one milk::Trainer run; the trainer's listener callbacks (training
// thread) append to a mutex-guarded buffer, and a 50 ms timer on the GUI thread drains
// it, so a fast model cannot flood the event loop: batch events arrive coalesced as
// one BatchChunk (every point's loss and series, only the latest env weights).
// Stop = TrainingControl::request_cancel, Pause/Resume = set_paused (both within a batch).
#include "core/data/dataset.h"
#include "core/train/trainer.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace milk::ui {

// One batch reduced to what the charts draw.
struct BatchPoint {
    int epoch = 0, batch = 0, n_batches = 0;
    double loss = 0;
    std::vector<std::pair<std::string, double>> series;
};

// Everything that arrived since the previous drain.
struct BatchChunk {
    std::vector<BatchPoint> points;
    std::vector<std::vector<float>> env_weights;  // latest batch's environments x modalities
    std::vector<std::vector<std::vector<float>>> env_history;  // one sample per drained batch with weights (capped)
    double seconds_since_start = 0;
    double triples_per_second = 0;
    int dropped_history = 0;
};

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;  // cancels and waits, like the Mandelbrot RenderThread

    // Runs prepare_data + Trainer::run on the worker thread. Throws StateError when a run is
    // already active. `store_path` (may be empty) records the run in the RunStore.
    void start(std::shared_ptr<const Dataset> dataset, const TrainingConfig& config, const QString& store_path);
    void stop();
    void set_paused(bool paused);
    bool is_running() const;
    bool is_paused() const;
    // Blocks the caller until the thread ends (used when closing the window).
    bool wait(int msecs);

    // The last run's trainer (model + prepared data), available once it finished.
    Trainer* last_trainer() const { return running_ ? nullptr : trainer_.get(); }
    const std::optional<RunFinished>& last_result() const { return result_; }
    // Longest gap between two GUI-thread drains while running, in ms (a stall measure).
    double max_drain_gap_ms() const { return max_gap_ms_; }
    qint64 first_point_ms() const { return first_point_ms_; }

signals:
    void started(const milk::RunStarted& info);
    void batches(const milk::ui::BatchChunk& chunk);
    void epoch(const milk::EpochEvent& event);
    void finished(const milk::RunFinished& result);
    void paused_changed(bool paused);

private:
    class Listener;
    void drain();
    void on_thread_finished();

    QThread* thread_ = nullptr;
    QTimer drain_timer_;
    QElapsedTimer clock_, gap_clock_;
    std::unique_ptr<TrainingControl> control_;
    std::unique_ptr<Trainer> trainer_;
    std::unique_ptr<Listener> listener_;
    std::unique_ptr<TrainingListener> recorder_;
    std::optional<RunFinished> result_;
    bool running_ = false;
    double max_gap_ms_ = 0;
    qint64 first_point_ms_ = -1;

    // Guarded by mutex_: filled on the training thread, drained on the GUI thread.
    std::mutex mutex_;
    std::optional<RunStarted> pending_started_;
    BatchChunk pending_chunk_;
    std::vector<EpochEvent> pending_epochs_;
    std::optional<RunFinished> pending_finished_;
};

}  // namespace milk::ui
