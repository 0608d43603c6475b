#pragma once
// Teaching: one new item under the trained model. Which modalities it has under the run's
// scenario, its score for a chosen user under the inference weights (Model::item_embeddings,
// Eq. 18) and its rank among all new items. Per-environment scores need a model API that
// does not exist yet (see the TODO in the source).
#include <QWidget>

class QLabel;
class QSpinBox;
class QTextBrowser;

namespace milk {
class Trainer;
}

namespace milk::ui {

class ItemInspector : public QWidget {
    Q_OBJECT
public:
    explicit ItemInspector(QWidget* parent = nullptr);
    // The finished run's trainer; it must outlive this view's use (the worker keeps it).
    void set_trainer(Trainer* trainer);
    QString report_html() const;
    void inspect(int item_index, int user);

private:
    void update();
    Trainer* trainer_ = nullptr;
    QSpinBox* item_ = nullptr;
    QSpinBox* user_ = nullptr;
    QLabel* hint_ = nullptr;
    QTextBrowser* report_ = nullptr;
};

}  // namespace milk::ui
