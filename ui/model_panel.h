#pragma once
// Dock: the model (listed from milk::model_registry(), never hard-coded), a form generated
// from its HyperParameter ranges with tooltips citing the paper's symbols, its boolean
// switches as checkboxes, the training settings, and Start / Pause-Resume / Stop. The form
// is read-only while a run is active: a running configuration cannot be edited.
#include "core/train/training_config.h"

#include <QMap>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QSpinBox;

namespace milk::ui {

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(QWidget* parent = nullptr);
    // Fills model, model_params, epochs, batch_size, learning_rate, patience, seed, ks.
    void write_to(TrainingConfig& config) const;
    void read_from(const TrainingConfig& config);
    void set_running(bool running, bool paused);
    QString model_name() const;
    void set_seed(int seed);

signals:
    void start_requested();
    void pause_toggled(bool paused);
    void stop_requested();
    void seed_changed(int seed);

private:
    void rebuild_form();
    QComboBox* model_ = nullptr;
    QLabel* description_ = nullptr;
    QWidget* form_box_ = nullptr;
    QFormLayout* form_ = nullptr;
    QMap<QString, QWidget*> params_;  // key -> QSpinBox / QDoubleSpinBox / QCheckBox
    QSpinBox* epochs_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QDoubleSpinBox* lr_ = nullptr;
    QSpinBox* patience_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QSpinBox* eval_every_ = nullptr;
    QWidget* training_box_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* pause_ = nullptr;
    QPushButton* stop_ = nullptr;
    bool paused_ = false;
};

}  // namespace milk::ui
