#include "ui/dataset_panel.h"

#include "core/data/dataset_source.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace milk::ui {

DatasetPanel::DatasetPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Built-in presets (double-click to load):")));
    presets_ = new QListWidget;
    for (const std::string& name : preset_names()) presets_->addItem(QStringLiteral("preset:%1").arg(QString::fromStdString(name)));
    presets_->setMaximumHeight(70);
    layout->addWidget(presets_);
    connect(presets_, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { emit load_requested(item->text()); });
    auto* row = new QHBoxLayout;
    open_ = new QPushButton(tr("Open folder..."));
    open_->setToolTip(tr("A folder in the reference, MMRec or generic layout (detected)"));
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setEnabled(false);
    row->addWidget(open_);
    row->addWidget(cancel_);
    layout->addLayout(row);
    connect(open_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open dataset folder"));
        if (!dir.isEmpty()) emit load_requested(dir);
    });
    connect(cancel_, &QPushButton::clicked, this, &DatasetPanel::cancel_requested);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setTextVisible(true);
    progress_->setVisible(false);
    layout->addWidget(progress_);
    summary_ = new QLabel(tr("No dataset loaded."));
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary_->setWordWrap(true);
    layout->addWidget(summary_);
    modalities_ = new QTableWidget(0, 3);
    modalities_->setHorizontalHeaderLabels({tr("modality"), tr("dim"), tr("missing")});
    modalities_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    modalities_->setToolTip(tr("Dimension and natural missing rate (before any scenario) of each modality"));
    modalities_->verticalHeader()->setVisible(false);
    modalities_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    modalities_->setMaximumHeight(110);
    layout->addWidget(modalities_);
    layout->addStretch(1);
}

void DatasetPanel::set_loading(bool loading, const QString& spec) {
    progress_->setVisible(loading);
    progress_->setValue(0);
    progress_->setFormat(loading ? tr("loading %1...").arg(spec) : QString());
    cancel_->setEnabled(loading);
    open_->setEnabled(!loading);
    presets_->setEnabled(!loading);
}

void DatasetPanel::set_progress(double fraction, const QString& message) {
    progress_->setValue(static_cast<int>(fraction * 1000));
    progress_->setFormat(QStringLiteral("%p% ") + message);
}

void DatasetPanel::set_dataset(std::shared_ptr<const Dataset> ds, const QString& spec) {
    spec_ = spec;
    set_loading(false);
    if (!ds) return;
    const auto n_warm = ds->items_with_role(ItemRole::Warm).size();
    const auto n_val = ds->items_with_role(ItemRole::ValidationNew).size();
    const auto n_test = ds->items_with_role(ItemRole::TestNew).size();
    const double interactions = static_cast<double>(ds->train.size() + ds->validation.size() + ds->test.size());
    const double density = ds->n_users > 0 && ds->n_items > 0 ? interactions / (double(ds->n_users) * ds->n_items) : 0;
    QString html = QStringLiteral("<b>%1</b><br><small>%2</small><table cellspacing=2>").arg(
        QString::fromStdString(ds->name).toHtmlEscaped(), spec.toHtmlEscaped());
    auto row = [&](const QString& k, const QString& v) { html += QStringLiteral("<tr><td>%1</td><td align=right>%2</td></tr>").arg(k, v); };
    row(tr("users"), QString::number(ds->n_users));
    row(tr("items (warm / val-new / test-new)"), QStringLiteral("%1 (%2 / %3 / %4)").arg(ds->n_items).arg(n_warm).arg(n_val).arg(n_test));
    row(tr("interactions train / val / test"),
        QStringLiteral("%1 / %2 / %3").arg(ds->train.size()).arg(ds->validation.size()).arg(ds->test.size()));
    row(tr("density"), QString::number(density * 100, 'f', 3) + QStringLiteral(" %"));
    row(tr("modalities"), QString::number(ds->n_modalities()));
    html += QStringLiteral("</table>");
    summary_->setText(html);
    modalities_->setRowCount(ds->n_modalities());
    for (int m = 0; m < ds->n_modalities(); ++m) {
        const ModalityTable& t = ds->modalities[m];
        modalities_->setItem(m, 0, new QTableWidgetItem(QString::fromStdString(t.name)));
        modalities_->setItem(m, 1, new QTableWidgetItem(QString::number(t.dim())));
        modalities_->setItem(m, 2, new QTableWidgetItem(QString::number(t.missing_rate() * 100, 'f', 1) + QStringLiteral(" %")));
    }
}

}  // namespace milk::ui
