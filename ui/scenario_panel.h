#pragma once
// Dock: the missing-modality scenario (FTFT / FTMT / MTMT / MIXED / CUSTOM with its
// per-split rates), the imputer and the seed, with a live preview computed by the core's
// apply_scenario + summarize: item group counts per split and how often each modality is
// missing. CUSTOM specs are written to a JSON file so TrainingConfig stays a plain string.
#include "core/data/dataset.h"
#include "core/scenario/scenario.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace milk::ui {

class ScenarioPanel : public QWidget {
    Q_OBJECT
public:
    explicit ScenarioPanel(QWidget* parent = nullptr);
    void set_dataset(std::shared_ptr<const Dataset> dataset);
    // The spec as the widgets describe it (throws ConfigError for an invalid custom spec).
    ScenarioSpec spec() const;
    // What goes into TrainingConfig::scenario: a preset name or a JSON file path written now.
    QString scenario_text(const QString& custom_dir) const;
    QString imputer() const;
    std::uint64_t seed() const;
    void set_scenario(const QString& text);
    void set_imputer(const QString& text);
    void set_seed(std::uint64_t seed);
    // Counts of the current preview (rows: warm, validation, test; columns: k = 0..M-1).
    std::vector<std::vector<int>> preview_counts() const { return counts_; }
    QString preview_error() const { return preview_error_; }

signals:
    void changed();
    void seed_changed(int seed);

private:
    void rebuild_rates();
    void update_preview();
    std::shared_ptr<const Dataset> dataset_;
    QComboBox* kind_ = nullptr;
    QComboBox* imputer_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QGridLayout* rates_ = nullptr;
    QWidget* rates_box_ = nullptr;
    std::vector<QDoubleSpinBox*> rate_boxes_;  // split-major: warm k=1.., validation, test
    QTableWidget* table_ = nullptr;
    QCustomPlot* chart_ = nullptr;
    QLabel* error_ = nullptr;
    std::vector<std::vector<int>> counts_;
    QString preview_error_;
    QString custom_path_;
};

}  // namespace milk::ui
