#include "ui/scenario_panel.h"

#include "core/error.h"
#include "core/scenario/imputer.h"
#include "ui/palette.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFormLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSaveFile>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

namespace milk::ui {

namespace {
const ScenarioKind kKinds[] = {ScenarioKind::FTFT, ScenarioKind::FTMT, ScenarioKind::MTMT, ScenarioKind::Mixed,
                               ScenarioKind::Custom};
const char* kKindNames[] = {"ftft", "ftmt", "mtmt", "mixed", "custom"};
const char* kKindTips[] = {
    "Full training, full test: every modality available everywhere (natural gaps only)",
    "Full training, missing test: new items lose modalities at evaluation",
    "Missing training, missing test: warm and new items both lose modalities",
    "Mixed: new items missing one or two modalities (needs M >= 3)",
    "Custom: your own fraction of items losing k modalities, per split"};
const char* kSplits[] = {"warm", "validation", "test"};
}  // namespace

ScenarioPanel::ScenarioPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    kind_ = new QComboBox;
    for (int i = 0; i < 5; ++i) {
        kind_->addItem(QString::fromLatin1(kKindNames[i]).toUpper(), QString::fromLatin1(kKindNames[i]));
        kind_->setItemData(i, tr(kKindTips[i]), Qt::ToolTipRole);
    }
    kind_->setCurrentIndex(1);
    form->addRow(tr("Scenario"), kind_);
    imputer_ = new QComboBox;
    for (const char* name : {"mean", "zero", "map"}) imputer_->addItem(QString::fromLatin1(name));
    imputer_->setToolTip(tr("How removed features are filled: warm-item mean (paper default), zeros, or a ridge map from present modalities"));
    form->addRow(tr("Imputer"), imputer_);
    seed_ = new QSpinBox;
    seed_->setRange(0, 1'000'000'000);
    seed_->setValue(2024);
    seed_->setToolTip(tr("The run's one seed (TrainingConfig::seed): it also decides which modalities the scenario removes"));
    form->addRow(tr("Seed"), seed_);
    layout->addLayout(form);
    rates_box_ = new QWidget;
    rates_ = new QGridLayout(rates_box_);
    rates_->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(rates_box_);
    error_ = new QLabel;
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: %1").arg(error_color().name()));
    layout->addWidget(error_);
    table_ = new QTableWidget(0, 0);
    table_->verticalHeader()->setVisible(true);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->setMaximumHeight(110);
    table_->setToolTip(tr("Items per split in each group: complete, missing 1 modality, missing 2, ..."));
    layout->addWidget(table_);
    chart_ = new QCustomPlot;
    chart_->setMinimumHeight(150);
    chart_->yAxis->setLabel(tr("items missing it"));
    chart_->legend->setVisible(true);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    chart_->legend->setFont(small);
    layout->addWidget(chart_, 1);

    connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
        rebuild_rates();
        update_preview();
        emit changed();
    });
    connect(seed_, &QSpinBox::valueChanged, this, [this](int v) {
        emit seed_changed(v);
        update_preview();
        emit changed();
    });
    connect(imputer_, &QComboBox::currentIndexChanged, this, &ScenarioPanel::changed);
}

void ScenarioPanel::set_dataset(std::shared_ptr<const Dataset> dataset) {
    dataset_ = std::move(dataset);
    rebuild_rates();
    update_preview();
}

void ScenarioPanel::rebuild_rates() {
    for (QDoubleSpinBox* b : rate_boxes_) b->deleteLater();
    rate_boxes_.clear();
    while (QLayoutItem* item = rates_->takeAt(0)) {
        if (item->widget()) item->widget()->deleteLater();
        delete item;
    }
    const bool custom = kind_->currentData().toString() == QLatin1String("custom");
    rates_box_->setVisible(custom);
    if (!custom || !dataset_) return;
    const int m = dataset_->n_modalities();
    ScenarioSpec base = ScenarioSpec::preset(ScenarioKind::FTMT, static_cast<std::uint64_t>(seed_->value()));
    rates_->addWidget(new QLabel(tr("fraction losing k modalities")), 0, 0, 1, m);
    for (int k = 1; k < m; ++k) rates_->addWidget(new QLabel(QStringLiteral("k=%1").arg(k)), 1, k);
    for (int s = 0; s < 3; ++s) {
        rates_->addWidget(new QLabel(tr(kSplits[s])), s + 2, 0);
        const MissingRates& r = s == 0 ? base.warm : (s == 1 ? base.validation : base.test);
        for (int k = 1; k < m; ++k) {
            auto* box = new QDoubleSpinBox;
            box->setRange(0, 1);
            box->setSingleStep(0.05);
            box->setDecimals(2);
            box->setValue(k - 1 < static_cast<int>(r.fraction_missing_k.size()) ? r.fraction_missing_k[k - 1] : 0.0);
            box->setToolTip(tr("Fraction of %1 items that lose exactly %2 modality(ies)").arg(tr(kSplits[s])).arg(k));
            connect(box, &QDoubleSpinBox::valueChanged, this, [this] {
                update_preview();
                emit changed();
            });
            rates_->addWidget(box, s + 2, k);
            rate_boxes_.push_back(box);
        }
    }
}

ScenarioSpec ScenarioPanel::spec() const {
    const int index = kind_->currentIndex();
    const auto seed = static_cast<std::uint64_t>(seed_->value());
    if (kKinds[index] != ScenarioKind::Custom) return ScenarioSpec::preset(kKinds[index], seed);
    ScenarioSpec s;
    s.kind = ScenarioKind::Custom;
    s.seed = seed;
    const int per_split = dataset_ ? dataset_->n_modalities() - 1 : 0;
    for (int split = 0; split < 3; ++split) {
        MissingRates& r = split == 0 ? s.warm : (split == 1 ? s.validation : s.test);
        for (int k = 0; k < per_split && split * per_split + k < static_cast<int>(rate_boxes_.size()); ++k)
            r.fraction_missing_k.push_back(rate_boxes_[split * per_split + k]->value());
    }
    return s;
}

QString ScenarioPanel::scenario_text(const QString& custom_dir) const {
    const QString kind = kind_->currentData().toString();
    if (kind != QLatin1String("custom")) return kind;
    QDir().mkpath(custom_dir);
    const QString path = QDir(custom_dir).filePath(QStringLiteral("custom-scenario.json"));
    QSaveFile file(path);  // temp file + rename
    if (!file.open(QIODevice::WriteOnly)) throw IoError(describe(path.toStdString(), "", "a writable file", "open failed"));
    file.write(QByteArray::fromStdString(spec().to_json().dump(2)));
    if (!file.commit()) throw IoError(describe(path.toStdString(), "", "a successful write", "rename failed"));
    return path;
}

QString ScenarioPanel::imputer() const { return imputer_->currentText(); }
std::uint64_t ScenarioPanel::seed() const { return static_cast<std::uint64_t>(seed_->value()); }

void ScenarioPanel::set_scenario(const QString& text) {
    const int index = kind_->findData(text.toLower());
    if (index >= 0) {
        kind_->setCurrentIndex(index);
        return;
    }
    // A JSON file: load it as CUSTOM with its rates.
    try {
        ScenarioSpec s = ScenarioSpec::parse(text.toStdString(), seed());
        kind_->setCurrentIndex(4);
        const int per_split = dataset_ ? dataset_->n_modalities() - 1 : 0;
        for (int split = 0; split < 3; ++split) {
            const MissingRates& r = split == 0 ? s.warm : (split == 1 ? s.validation : s.test);
            for (int k = 0; k < per_split && k < static_cast<int>(r.fraction_missing_k.size()); ++k)
                if (split * per_split + k < static_cast<int>(rate_boxes_.size()))
                    rate_boxes_[split * per_split + k]->setValue(r.fraction_missing_k[k]);
        }
    } catch (const std::exception&) {
        // An unreadable saved scenario falls back to the default; the preview shows the state.
    }
}

void ScenarioPanel::set_imputer(const QString& text) {
    const int index = imputer_->findText(text);
    if (index >= 0) imputer_->setCurrentIndex(index);
}

void ScenarioPanel::set_seed(std::uint64_t seed) { seed_->setValue(static_cast<int>(seed)); }

void ScenarioPanel::update_preview() {
    counts_.clear();
    preview_error_.clear();
    error_->clear();
    table_->clear();
    chart_->clearPlottables();
    qDeleteAll(chart_->findChildren<QCPBarsGroup*>(Qt::FindDirectChildrenOnly));
    if (!dataset_) {
        chart_->replot();
        return;
    }
    ScenarioSummary summary;
    try {
        const AvailabilityMask mask = apply_scenario(*dataset_, spec());
        summary = summarize(*dataset_, mask);
    } catch (const std::exception& e) {
        preview_error_ = QString::fromStdString(e.what());
        error_->setText(preview_error_);
        table_->setRowCount(0);
        chart_->replot();
        return;
    }
    int max_k = 0;
    for (const auto& row : summary.rows) max_k = std::max<int>(max_k, static_cast<int>(row.count_missing_k.size()));
    table_->setRowCount(static_cast<int>(summary.rows.size()));
    table_->setColumnCount(max_k);
    QStringList headers, splits;
    for (int k = 0; k < max_k; ++k) headers << (k == 0 ? tr("complete") : tr("missing %1").arg(k));
    table_->setHorizontalHeaderLabels(headers);
    for (int r = 0; r < static_cast<int>(summary.rows.size()); ++r) {
        const auto& row = summary.rows[r];
        splits << QString::fromStdString(row.split);
        counts_.push_back(row.count_missing_k);
        for (int k = 0; k < static_cast<int>(row.count_missing_k.size()); ++k) {
            auto* item = new QTableWidgetItem(QString::number(row.count_missing_k[k]));
            item->setForeground(group_color(k + 1).darker(110));
            table_->setItem(r, k, item);
        }
    }
    table_->setVerticalHeaderLabels(splits);

    // Which modality is missing how often: bars per split, grouped by modality.
    auto* group = new QCPBarsGroup(chart_);
    const int m = dataset_->n_modalities();
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int k = 0; k < m; ++k) ticker->addTick(k, QString::fromStdString(dataset_->modalities[k].name));
    chart_->xAxis->setTicker(ticker);
    double top = 1;
    for (int r = 0; r < static_cast<int>(summary.rows.size()); ++r) {
        auto* bars = new QCPBars(chart_->xAxis, chart_->yAxis);
        bars->setName(splits[r]);
        bars->setBrush(split_color(splits[r]));
        bars->setPen(Qt::NoPen);
        bars->setWidth(0.25);
        QVector<double> keys, values;
        for (int k = 0; k < static_cast<int>(summary.rows[r].missing_per_modality.size()); ++k) {
            keys << k;
            values << summary.rows[r].missing_per_modality[k];
            top = std::max<double>(top, summary.rows[r].missing_per_modality[k]);
        }
        bars->setData(keys, values, true);
        bars->setBarsGroup(group);
    }
    chart_->xAxis->setRange(-0.6, m - 0.4);
    chart_->yAxis->setRange(0, top * 1.15);
    chart_->replot();
}

}  // namespace milk::ui
