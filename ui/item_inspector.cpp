#include "ui/item_inspector.h"

#include "core/train/trainer.h"
#include "ui/palette.h"

#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace milk::ui {

ItemInspector::ItemInspector(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    hint_ = new QLabel(tr("Train a model first: the inspector uses the finished run's model."));
    hint_->setWordWrap(true);
    layout->addWidget(hint_);
    auto* form = new QFormLayout;
    item_ = new QSpinBox;
    item_->setToolTip(tr("Index into the new items (validation-new and test-new, ascending id)"));
    user_ = new QSpinBox;
    form->addRow(tr("New item #"), item_);
    form->addRow(tr("User"), user_);
    layout->addLayout(form);
    report_ = new QTextBrowser;
    layout->addWidget(report_, 1);
    connect(item_, &QSpinBox::valueChanged, this, &ItemInspector::update);
    connect(user_, &QSpinBox::valueChanged, this, &ItemInspector::update);
    setEnabled(false);
}

void ItemInspector::set_trainer(Trainer* trainer) {
    trainer_ = trainer;
    setEnabled(trainer_ != nullptr);
    if (!trainer_) return;
    const Dataset& ds = *trainer_->data().dataset;
    item_->setRange(0, std::max(0, static_cast<int>(ds.new_items().size()) - 1));
    user_->setRange(0, std::max(0, ds.n_users - 1));
    // Start with a user who has a test interaction, so the rank is meaningful.
    for (int u = 0; u < ds.n_users; ++u)
        if (!ds.test.of(u).empty()) {
            user_->setValue(u);
            break;
        }
    hint_->setText(tr("Model: %1. Scores are dot products of the user's and the item's embeddings (Eq. 18: equal "
                      "modality weights at inference).")
                       .arg(QString::fromStdString(trainer_->model().name())));
    update();
}

void ItemInspector::inspect(int item_index, int user) {
    item_->setValue(item_index);
    user_->setValue(user);
    update();
}

QString ItemInspector::report_html() const { return report_->toHtml(); }

void ItemInspector::update() {
    if (!trainer_) return;
    const PreparedData& data = trainer_->data();
    const Dataset& ds = *data.dataset;
    const std::vector<std::int32_t> candidates = ds.new_items();
    if (candidates.empty()) return;
    const int index = std::clamp(item_->value(), 0, static_cast<int>(candidates.size()) - 1);
    const std::int32_t item = candidates[static_cast<std::size_t>(index)];
    const int user = user_->value();
    QString html = QStringLiteral("<h3>Item %1 (%2)</h3>").arg(item).arg(QString::fromLatin1(to_string(ds.roles[item])));
    const int missing = data.mask.missing_count(item);
    const QString group = QString::fromStdString(group_name(missing));
    html += QStringLiteral("<p>Group under the scenario: <b style='color:%1'>%2</b></p><ul>").arg(group_color(group).name(), group);
    for (int m = 0; m < ds.n_modalities(); ++m) {
        const bool natural = ds.modalities[m].present[item] != 0;
        const bool available = data.mask.at(item, m);
        html += QStringLiteral("<li>%1: %2</li>")
                    .arg(QString::fromStdString(ds.modalities[m].name),
                         available ? tr("available")
                                   : (natural ? tr("<b>removed by the scenario</b> (imputed)") : tr("<b>naturally missing</b> (imputed)")));
    }
    html += QStringLiteral("</ul>");
    const Model& model = trainer_->model();
    const nn::Matrix users = model.user_embeddings();
    const nn::Matrix items = model.item_embeddings(data.features, candidates);
    const Eigen::VectorXf u = users.row(user).transpose();
    std::vector<std::pair<float, std::int32_t>> scored;
    scored.reserve(candidates.size());
    float score = 0;
    for (std::int32_t j : candidates) {
        const float s = items.row(j).dot(u.transpose());
        scored.emplace_back(s, j);
        if (j == item) score = s;
    }
    const auto rank = 1 + std::count_if(scored.begin(), scored.end(), [&](const auto& p) { return p.first > score; });
    const auto positives = ds.test.of(user);
    const auto vpositives = ds.validation.of(user);
    const bool relevant = std::binary_search(positives.begin(), positives.end(), item) ||
                          std::binary_search(vpositives.begin(), vpositives.end(), item);
    html += tr("<p>User %1: score under the inference weights (equal 1/M, Eq. 18) = <b>%2</b>; rank <b>%3</b> of %4 new "
               "items%5.</p>")
                .arg(user)
                .arg(static_cast<double>(score), 0, 'g', 6)
                .arg(rank)
                .arg(candidates.size())
                .arg(relevant ? tr(" — this user did interact with the item") : QString());
    // TODO(model API): per-environment scores need Model to expose item embeddings under
    // given modality weights (e.g. item_embeddings_weighted(features, items, weights)); the
    // current contract only offers the inference weights.
    html += tr("<p><i>Per-environment scores are not shown: the model interface only exposes the inference "
               "weights.</i></p>");
    report_->setHtml(html);
}

}  // namespace milk::ui
