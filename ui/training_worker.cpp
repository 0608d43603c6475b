#include "ui/training_worker.h"

#include "core/error.h"
#include "ui/run_history.h"

#include <exception>

namespace milk::ui {

namespace {
constexpr int kDrainIntervalMs = 50;
constexpr std::size_t kMaxEnvHistoryPerChunk = 64;
}  // namespace

// Runs on the training thread: copies what the GUI needs under the mutex and returns.
class TrainingWorker::Listener : public TrainingListener {
public:
    explicit Listener(TrainingWorker& owner) : owner_(owner) {}
    void on_run_started(const RunStarted& info) override {
        std::lock_guard lock(owner_.mutex_);
        owner_.pending_started_ = info;
    }
    void on_batch(const BatchEvent& e) override {
        std::lock_guard lock(owner_.mutex_);
        BatchChunk& c = owner_.pending_chunk_;
        c.points.push_back(BatchPoint{e.epoch, e.batch, e.n_batches, e.loss, e.series});
        if (!e.env_weights.empty()) {
            c.env_weights = e.env_weights;
            if (c.env_history.size() < kMaxEnvHistoryPerChunk) c.env_history.push_back(e.env_weights);
            else ++c.dropped_history;
        }
        c.seconds_since_start = e.seconds_since_start;
        c.triples_per_second = e.triples_per_second;
    }
    void on_epoch(const EpochEvent& e) override {
        std::lock_guard lock(owner_.mutex_);
        owner_.pending_epochs_.push_back(e);
    }
    void on_run_finished(const RunFinished& r) override {
        std::lock_guard lock(owner_.mutex_);
        owner_.pending_finished_ = r;
    }

private:
    TrainingWorker& owner_;
};

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {
    drain_timer_.setInterval(kDrainIntervalMs);
    connect(&drain_timer_, &QTimer::timeout, this, &TrainingWorker::drain);
}

TrainingWorker::~TrainingWorker() {
    if (thread_) {
        if (control_) {
            control_->request_cancel();
        }
        thread_->wait();
        delete thread_;
    }
}

void TrainingWorker::start(std::shared_ptr<const Dataset> dataset, const TrainingConfig& config,
                           const QString& store_path) {
    if (running_) throw StateError("a training run is already active; stop it before starting another");
    if (!dataset) throw StateError("no dataset is loaded");
    if (thread_) {
        thread_->wait();
        delete thread_;
        thread_ = nullptr;
    }
    trainer_.reset();
    recorder_.reset();
    result_.reset();
    {
        std::lock_guard lock(mutex_);
        pending_started_.reset();
        pending_chunk_ = BatchChunk{};
        pending_epochs_.clear();
        pending_finished_.reset();
    }
    control_ = std::make_unique<TrainingControl>();
    listener_ = std::make_unique<Listener>(*this);
    if (!store_path.isEmpty()) recorder_ = make_run_recorder(store_path);  // may throw IoError

    running_ = true;
    max_gap_ms_ = 0;
    first_point_ms_ = -1;
    clock_.start();
    gap_clock_.start();
    TrainingConfig cfg = config;
    thread_ = QThread::create([this, dataset, cfg]() {
        RunFinished failed;
        failed.status = RunStatus::Failed;
        try {
            PreparedData data = prepare_data(dataset, cfg);
            auto trainer = std::make_unique<Trainer>(cfg, std::move(data));
            trainer->add_listener(listener_.get());
            if (recorder_) trainer->add_listener(recorder_.get());
            Trainer* t = trainer.get();
            {
                std::lock_guard lock(mutex_);
                trainer_ = std::move(trainer);
            }
            RunFinished r = t->run(*control_);
            std::lock_guard lock(mutex_);
            if (!pending_finished_) pending_finished_ = r;
            return;
        } catch (const Cancelled&) {
            failed.status = RunStatus::Cancelled;
            failed.message = "cancelled by the user";
        } catch (const std::exception& e) {
            failed.message = e.what();
        }
        std::lock_guard lock(mutex_);
        pending_finished_ = failed;
    });
    connect(thread_, &QThread::finished, this, &TrainingWorker::on_thread_finished);
    thread_->start();
    drain_timer_.start();
}

void TrainingWorker::stop() {
    if (control_) control_->request_cancel();
}

void TrainingWorker::set_paused(bool paused) {
    if (!control_ || !running_) return;
    if (control_->paused() == paused) return;
    control_->set_paused(paused);
    emit paused_changed(paused);
}

bool TrainingWorker::is_running() const { return running_; }
bool TrainingWorker::is_paused() const { return control_ && control_->paused(); }

bool TrainingWorker::wait(int msecs) {
    if (!thread_) return true;
    bool done = thread_->wait(QDeadlineTimer(msecs));
    if (done) on_thread_finished();
    return done;
}

void TrainingWorker::drain() {
    const double gap = static_cast<double>(gap_clock_.restart());
    if (running_ && gap > max_gap_ms_) max_gap_ms_ = gap;

    std::optional<RunStarted> started_info;
    BatchChunk chunk;
    std::vector<EpochEvent> epochs;
    std::optional<RunFinished> finished_info;
    {
        std::lock_guard lock(mutex_);
        started_info.swap(pending_started_);
        std::swap(chunk, pending_chunk_);
        std::swap(epochs, pending_epochs_);
        finished_info.swap(pending_finished_);
    }
    if (started_info) emit started(*started_info);
    if (!chunk.points.empty()) {
        if (first_point_ms_ < 0) first_point_ms_ = clock_.elapsed();
        emit batches(chunk);
    }
    for (const EpochEvent& e : epochs) emit epoch(e);
    if (finished_info) result_ = finished_info;
}

void TrainingWorker::on_thread_finished() {
    if (!running_) return;
    drain();
    drain_timer_.stop();
    running_ = false;
    recorder_.reset();  // closes the store's recorder on the GUI thread, after the run
    if (!result_) {
        RunFinished r;
        r.status = RunStatus::Failed;
        r.message = "the training thread ended without a result";
        result_ = r;
    }
    emit finished(*result_);
}

}  // namespace milk::ui
