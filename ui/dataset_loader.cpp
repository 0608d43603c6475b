#include "ui/dataset_loader.h"

#include "core/data/dataset_source.h"
#include "core/error.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QtConcurrent/QtConcurrent>

namespace milk::ui {

DatasetLoader::DatasetLoader(QObject* parent) : QObject(parent) {
    connect(&watcher_, &QFutureWatcher<LoadResult>::finished, this, [this] {
        if (watcher_.isCanceled()) return;
        emit loaded(watcher_.result());
    });
}

DatasetLoader::~DatasetLoader() {
    cancel();
    watcher_.waitForFinished();
}

void DatasetLoader::load(const QString& spec) {
    if (watcher_.isRunning()) {
        cancel();
        watcher_.waitForFinished();
    }
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancel_flag = cancel_;
    QPointer<DatasetLoader> self(this);
    const std::string text = spec.toStdString();
    watcher_.setFuture(QtConcurrent::run([self, cancel_flag, text, spec]() {
        LoadResult result;
        result.spec = spec;
        QElapsedTimer clock;
        clock.start();
        LoadOptions options;
        options.cancel = cancel_flag.get();
        options.progress = [self](double fraction, const std::string& message) {
            // Called on the loading thread: re-post queued to the GUI thread.
            const QString msg = QString::fromStdString(message);
            if (self) {
                QMetaObject::invokeMethod(self.data(), [self, fraction, msg] {
                    if (self) emit self->progress(fraction, msg);
                }, Qt::QueuedConnection);
            }
        };
        try {
            auto ds = std::make_shared<Dataset>(load_dataset(text, options));
            result.dataset = std::move(ds);
        } catch (const Cancelled&) {
            result.cancelled = true;
        } catch (const std::exception& e) {
            result.error = QString::fromStdString(e.what());
        }
        result.seconds = static_cast<double>(clock.elapsed()) / 1000.0;
        return result;
    }));
}

void DatasetLoader::cancel() {
    if (cancel_) cancel_->store(true);
}

bool DatasetLoader::is_loading() const { return watcher_.isRunning(); }

}  // namespace milk::ui
