#pragma once
// Dock: choose a built-in preset or open a folder (any supported layout), load it off the
// GUI thread with progress and cancel, and show a Table-1-like summary plus each modality's
// dimension and natural missing rate.
#include "core/data/dataset.h"

#include <QWidget>

#include <memory>

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace milk::ui {

class DatasetPanel : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPanel(QWidget* parent = nullptr);
    void set_dataset(std::shared_ptr<const Dataset> dataset, const QString& spec);
    void set_loading(bool loading, const QString& spec = {});
    void set_progress(double fraction, const QString& message);
    QString current_spec() const { return spec_; }

signals:
    void load_requested(const QString& spec);
    void cancel_requested();

private:
    QListWidget* presets_ = nullptr;
    QPushButton* open_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* summary_ = nullptr;
    QTableWidget* modalities_ = nullptr;
    QString spec_;
};

}  // namespace milk::ui
