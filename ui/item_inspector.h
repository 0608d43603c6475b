#pragma once
// Teaching: one new item under the trained model. Which modalities it has under the run's
// scenario, its score for a chosen user and its rank among all new items under the
// inference weights (Eq. 18) and, for MILK, under each environment's modality weights
// (e=0 and the last drawn cyclic shifts, Eq. 9-13). The numbers come from
// core/models/item_scores.h; this view only shows them.
#include "core/models/item_scores.h"

#include <QWidget>

#include <vector>

class QLabel;
class QSpinBox;
class QTableWidget;
class QTextBrowser;

namespace milk {
class Trainer;
}

namespace milk::ui {

class ChartPanel;
class ItemScoreChart;

class ItemInspector : public QWidget {
    Q_OBJECT
public:
    explicit ItemInspector(QWidget* parent = nullptr);
    // The finished run's trainer; it must outlive this view's use (the worker keeps it).
    void set_trainer(Trainer* trainer);
    void inspect(int item_index, int user);
    QString report_html() const;
    // What is shown: the inference score first, then one row per environment (MILK only).
    const std::vector<ItemScore>& scores() const { return scores_; }
    // Why environment rows are absent (non-MILK models), else empty.
    QString missing_reason() const { return missing_reason_; }
    QTableWidget* table() const { return table_; }
    ChartPanel* chart() const;

private:
    void update();
    Trainer* trainer_ = nullptr;
    QSpinBox* item_ = nullptr;
    QSpinBox* user_ = nullptr;
    QLabel* hint_ = nullptr;
    QTextBrowser* report_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* note_ = nullptr;
    ItemScoreChart* chart_ = nullptr;
    std::vector<ItemScore> scores_;
    QString missing_reason_;
};

}  // namespace milk::ui
