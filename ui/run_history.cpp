#include "ui/run_history.h"

#include "core/store/run_store.h"

namespace milk::ui {

namespace {

class StoreRecorder : public TrainingListener {
public:
    explicit StoreRecorder(const QString& path)
        : store_(std::filesystem::path(path.toStdString())), recorder_(store_) {}
    void on_run_started(const RunStarted& e) override { recorder_.on_run_started(e); }
    void on_batch(const BatchEvent& e) override { recorder_.on_batch(e); }
    void on_epoch(const EpochEvent& e) override { recorder_.on_epoch(e); }
    void on_best_model(int epoch, const std::vector<std::uint8_t>& checkpoint) override {
        recorder_.on_best_model(epoch, checkpoint);
    }
    void on_run_finished(const RunFinished& e) override { recorder_.on_run_finished(e); }

private:
    RunStore store_;
    RunRecorder recorder_;
};

}  // namespace

std::unique_ptr<TrainingListener> make_run_recorder(const QString& db_path) {
    return std::make_unique<StoreRecorder>(db_path);
}

}  // namespace milk::ui
