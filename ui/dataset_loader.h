#pragma once
// Loads a dataset off the GUI thread (QtConcurrent) with progress and cancel, using the
// core's load_dataset and LoadOptions; the result or the core's error message comes back
// as a signal on the GUI thread.
#include "core/data/dataset.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace milk::ui {

struct LoadResult {
    std::shared_ptr<const Dataset> dataset;
    QString spec;
    QString error;  // the core's message when loading failed
    bool cancelled = false;
    double seconds = 0;
};

class DatasetLoader : public QObject {
    Q_OBJECT
public:
    explicit DatasetLoader(QObject* parent = nullptr);
    ~DatasetLoader() override;  // cancels and waits

    // "preset:demo" or a folder; a load already running is cancelled first.
    void load(const QString& spec);
    void cancel();
    bool is_loading() const;

signals:
    void progress(double fraction, const QString& message);
    void loaded(const milk::ui::LoadResult& result);

private:
    QFutureWatcher<LoadResult> watcher_;
    std::shared_ptr<std::atomic<bool>> cancel_;
};

}  // namespace milk::ui
