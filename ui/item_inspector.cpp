#include "ui/item_inspector.h"

#include "core/models/milk/milk_model.h"
#include "core/train/trainer.h"
#include "ui/charts/chart_panel.h"
#include "ui/palette.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace milk::ui {

namespace {
QColor row_color(const ItemScore& s) {
    if (s.label.rfind("e=", 0) == 0) return environment_color(std::stoi(s.label.substr(2)));
    return inference_color();
}
// Exactly as tall as its rows, so the chart below gets the rest of the space.
void fit_table_height(QTableWidget* table) {
    int h = table->horizontalHeader()->sizeHint().height() + 2 * table->frameWidth() + 2;
    for (int r = 0; r < table->rowCount(); ++r) h += table->rowHeight(r);
    if (table->horizontalScrollBar()->isVisible()) h += table->horizontalScrollBar()->height();
    table->setFixedHeight(h);
}
QString row_label(const ItemScore& s) {
    return s.label == "inference" ? QObject::tr("inference (Eq. 18)") : QString::fromStdString(s.label);
}
}  // namespace

// The item's score under each weighting, one bar per row of the table, with its rank.
class ItemScoreChart : public ChartPanel {
public:
    ItemScoreChart() : ChartPanel(QObject::tr("Item score per environment")) {
        plot()->yAxis->setLabel(QObject::tr("score <u_i, z_j> (Eq. 13)"));
        plot()->xAxis->setLabel(QObject::tr("weights (environment e, or inference)"));
        plot()->legend->setVisible(false);
        plot()->xAxis->grid()->setVisible(false);  // no line through the bars
    }
    void show_scores(const std::vector<ItemScore>& scores, int n_candidates) {
        clear_items();
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        double lo = 0, hi = 0;
        for (std::size_t i = 0; i < scores.size(); ++i) {
            const ItemScore& s = scores[i];
            ticker->addTick(static_cast<double>(i), row_label(s));
            auto* bars = new QCPBars(plot()->xAxis, plot()->yAxis);
            bars->setName(row_label(s));
            bars->setBrush(row_color(s));
            bars->setPen(QPen(row_color(s).darker(130)));
            bars->setWidth(0.6);
            bars->addData(static_cast<double>(i), s.score);
            lo = std::min<double>(lo, s.score);
            hi = std::max<double>(hi, s.score);
            auto* label = new QCPItemText(plot());
            label->position->setCoords(static_cast<double>(i), s.score);
            label->setPositionAlignment(s.score >= 0 ? (Qt::AlignHCenter | Qt::AlignBottom) : (Qt::AlignHCenter | Qt::AlignTop));
            label->setText(QObject::tr("rank %1/%2").arg(s.rank).arg(n_candidates));
            label->setPadding(QMargins(0, 2, 0, 2));
        }
        plot()->xAxis->setTicker(ticker);
        plot()->xAxis->setRange(-0.6, std::max<double>(1, static_cast<double>(scores.size())) - 0.4);
        const double span = std::max(1e-6, hi - lo);
        plot()->yAxis->setRange(lo - (lo < 0 ? 0.18 * span : 0), hi + 0.18 * span);
        replot();
    }
    void clear() override {
        clear_items();
        replot();
    }

private:
    void clear_items() {
        plot()->clearPlottables();
        plot()->clearItems();
    }
};

ItemInspector::ItemInspector(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    hint_ = new QLabel(tr("Train a model first: the inspector uses the finished run's model."));
    hint_->setWordWrap(true);
    layout->addWidget(hint_);
    auto* splitter = new QSplitter(Qt::Horizontal);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto* form = new QFormLayout;
    item_ = new QSpinBox;
    item_->setToolTip(tr("Index into the new items (validation-new and test-new, ascending id)"));
    user_ = new QSpinBox;
    user_->setToolTip(tr("User id; the first user with a test interaction is chosen at the start"));
    form->addRow(tr("New item #"), item_);
    form->addRow(tr("User"), user_);
    leftLayout->addLayout(form);
    report_ = new QTextBrowser;
    leftLayout->addWidget(report_, 1);
    splitter->addWidget(left);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    table_ = new QTableWidget;
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    rightLayout->addWidget(table_);
    note_ = new QLabel;
    note_->setWordWrap(true);
    rightLayout->addWidget(note_);
    chart_ = new ItemScoreChart;
    rightLayout->addWidget(chart_, 1);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);

    connect(item_, &QSpinBox::valueChanged, this, &ItemInspector::update);
    connect(user_, &QSpinBox::valueChanged, this, &ItemInspector::update);
    setEnabled(false);
}

ChartPanel* ItemInspector::chart() const { return chart_; }

void ItemInspector::set_trainer(Trainer* trainer) {
    trainer_ = trainer;
    setEnabled(trainer_ != nullptr);
    if (!trainer_) return;
    const Dataset& ds = *trainer_->data().dataset;
    const QSignalBlocker block_item(item_), block_user(user_);
    item_->setRange(0, std::max(0, static_cast<int>(ds.new_items().size()) - 1));
    user_->setRange(0, std::max(0, ds.n_users - 1));
    // Start with a user and one of their test items, so the rank is meaningful; preferably an
    // item that misses a modality under the scenario, the case the method is about.
    const std::vector<std::int32_t> candidates = ds.new_items();
    const AvailabilityMask& mask = trainer_->data().mask;
    int best_user = -1;
    std::int32_t best_item = -1;
    for (int u = 0; u < ds.n_users; ++u) {
        for (std::int32_t j : ds.test.of(u)) {
            if (best_user < 0 || (mask.missing_count(j) > 0 && mask.missing_count(best_item) == 0)) {
                best_user = u;
                best_item = j;
            }
        }
        if (best_user >= 0 && mask.missing_count(best_item) > 0) break;
    }
    if (best_user >= 0) {
        user_->setValue(best_user);
        const auto it = std::lower_bound(candidates.begin(), candidates.end(), best_item);
        if (it != candidates.end() && *it == best_item) item_->setValue(static_cast<int>(it - candidates.begin()));
    }
    hint_->setText(tr("Model: <b>%1</b> from the last finished run. A score is the dot product of the user's embedding "
                      "and the item's fused content embedding; the rank is among all new items (ties: lower id first, "
                      "as in evaluation).")
                       .arg(QString::fromStdString(trainer_->model().name())));
    update();
}

void ItemInspector::inspect(int item_index, int user) {
    {
        const QSignalBlocker block_item(item_), block_user(user_);
        item_->setValue(item_index);
        user_->setValue(user);
    }
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
    const int M = ds.n_modalities();

    // Which modalities the item has under the run's scenario.
    QString html = QStringLiteral("<h3>Item %1 (%2)</h3>").arg(item).arg(QString::fromLatin1(to_string(ds.roles[item])));
    const QString group = QString::fromStdString(group_name(data.mask.missing_count(item)));
    html += tr("<p>Scenario <b>%1</b>; group <b style='color:%2'>%3</b></p><ul>")
                .arg(QString::fromStdString(data.scenario.name()), group_color(group).name(), group);
    for (int m = 0; m < M; ++m) {
        const bool natural = ds.modalities[m].present[item] != 0;
        const bool available = data.mask.at(item, m);
        html += QStringLiteral("<li><span style='color:%1'>&#9632;</span> %2: %3</li>")
                    .arg(modality_color(m).name(), QString::fromStdString(ds.modalities[m].name),
                         available ? tr("available")
                                   : (natural ? tr("<b>removed by the scenario</b> (imputed)") : tr("<b>naturally missing</b> (imputed)")));
    }
    html += QStringLiteral("</ul>");
    const auto positives = ds.test.of(user);
    const auto vpositives = ds.validation.of(user);
    const bool relevant = std::binary_search(positives.begin(), positives.end(), item) ||
                          std::binary_search(vpositives.begin(), vpositives.end(), item);
    html += relevant ? tr("<p>User %1 <b>did interact</b> with this item (a hit if ranked in the top K).</p>").arg(user)
                     : tr("<p>User %1 did not interact with this item.</p>").arg(user);

    // The numbers, from the core.
    scores_.clear();
    missing_reason_.clear();
    const Model& model = trainer_->model();
    const auto* milk = dynamic_cast<const MilkModel*>(&model);
    try {
        scores_.push_back(inference_item_score(model, data.features, user, item, candidates));
        if (milk) {
            int first = 0;
            const auto envs = environments_to_inspect(*milk, first);
            for (auto& s : environment_item_scores(*milk, data.features, user, item, candidates, envs, first))
                scores_.push_back(std::move(s));
            if (milk->last_environments().empty())
                missing_reason_ = tr("No batch was trained in this session, so only e=0 (equal weights) is shown.");
        } else {
            missing_reason_ = tr("%1 fuses the modalities with its own learned layers, not with per-modality weights "
                                 "theta: it has no environments, so only its inference score and rank exist.")
                                  .arg(QString::fromStdString(model.name()));
        }
    } catch (const std::exception& e) {
        missing_reason_ = QString::fromStdString(e.what());
    }
    report_->setHtml(html);

    // Table: label, one weight column per modality (MILK), score, rank.
    QStringList headers{tr("weights")};
    if (milk)
        for (int m = 0; m < M; ++m) headers << tr("theta %1").arg(QString::fromStdString(ds.modalities[m].name));
    headers << tr("score") << tr("rank of %1").arg(candidates.size());
    table_->clear();
    table_->setColumnCount(static_cast<int>(headers.size()));
    table_->setHorizontalHeaderLabels(headers);
    table_->setRowCount(static_cast<int>(scores_.size()));
    for (int r = 0; r < static_cast<int>(scores_.size()); ++r) {
        const ItemScore& s = scores_[static_cast<std::size_t>(r)];
        int c = 0;
        auto* label = new QTableWidgetItem(row_label(s));
        label->setForeground(row_color(s));
        label->setData(Qt::DecorationRole, row_color(s));
        table_->setItem(r, c++, label);
        if (milk)
            for (int m = 0; m < M; ++m) {
                // Inference fuses with equal weights (Eq. 18), like e=0.
                const double w = s.weights.empty() ? 1.0 / M : s.weights[static_cast<std::size_t>(m)];
                auto* item_w = new QTableWidgetItem(QString::number(w, 'f', 3));
                item_w->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                table_->setItem(r, c++, item_w);
            }
        auto* score = new QTableWidgetItem(QString::number(static_cast<double>(s.score), 'f', 4));
        score->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table_->setItem(r, c++, score);
        auto* rank = new QTableWidgetItem(QString::number(s.rank));
        rank->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table_->setItem(r, c++, rank);
    }
    fit_table_height(table_);
    note_->setText(missing_reason_.isEmpty()
                       ? tr("e=0 keeps equal weights; e=1..M are the last batch's Dirichlet draw and its cyclic shifts, "
                            "so each modality dominates one environment. A robust model ranks the item similarly in all.")
                       : missing_reason_);
    chart_->show_scores(scores_, static_cast<int>(candidates.size()));
}

}  // namespace milk::ui
