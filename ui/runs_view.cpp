#include "ui/runs_view.h"

#include "core/store/run_store.h"
#include "ui/charts/chart_panel.h"
#include "ui/palette.h"
#include "ui/robustness_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <map>
#include <set>

namespace milk::ui {

namespace {
constexpr int kCompareK = 20;

void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) flatten(*it, prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    } else {
        out[prefix] = j.dump();
    }
}
}  // namespace

// Validation NDCG@20 (or Recall@20) of one group per epoch, one line per selected run.
class RunCurvesChart : public ChartPanel {
public:
    RunCurvesChart() : ChartPanel(QObject::tr("Selected runs: validation curves")) {
        group_ = new QComboBox;
        for (const char* g : {"overall", "complete", "missing_1", "missing_2"}) group_->addItem(QString::fromLatin1(g));
        metric_ = new QComboBox;
        metric_->addItems({QStringLiteral("ndcg"), QStringLiteral("recall")});
        controls()->addWidget(group_);
        controls()->addWidget(metric_);
        plot()->xAxis->setLabel(QObject::tr("epoch"));
    }
    void show_runs(const RunStore& store, const std::vector<std::int64_t>& ids) {
        ids_ = ids;
        plot()->clearPlottables();
        const std::string group = group_->currentText().toStdString();
        const std::string metric = metric_->currentText().toStdString();
        plot()->yAxis->setLabel(QStringLiteral("validation %1@%2 (%3)").arg(metric_->currentText()).arg(kCompareK).arg(group_->currentText()));
        for (std::size_t i = 0; i < ids.size(); ++i) {
            auto* g = plot()->addGraph();
            const RunRecord rec = store.run(ids[i]);
            g->setName(QStringLiteral("#%1 %2 %3").arg(ids[i]).arg(QString::fromStdString(rec.model), QString::fromStdString(rec.scenario)));
            g->setPen(QPen(run_color(static_cast<int>(i)), 2));
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
            for (const MetricRow& row : store.epoch_metrics(ids[i]))
                if (row.group == group && row.k == kCompareK) g->addData(row.epoch, metric == "ndcg" ? row.values.ndcg : row.values.recall);
        }
        plot()->rescaleAxes();
        plot()->yAxis->setRangeLower(0);
        replot();
    }
    void clear() override {
        plot()->clearPlottables();
        replot();
    }
    QComboBox* group_ = nullptr;
    QComboBox* metric_ = nullptr;
    std::vector<std::int64_t> ids_;
};

// Test NDCG@20 per group at each run's best epoch, runs side by side.
class RunBarsChart : public ChartPanel {
public:
    RunBarsChart() : ChartPanel(QObject::tr("Selected runs: test NDCG@20 per group")) {
        plot()->yAxis->setLabel(QObject::tr("test NDCG@20 at best epoch"));
    }
    void show_runs(const std::vector<RunSummaryRow>& rows) {
        plot()->clearPlottables();
        qDeleteAll(plot()->findChildren<QCPBarsGroup*>(Qt::FindDirectChildrenOnly));
        auto* group = new QCPBarsGroup(plot());
        QStringList groups;
        for (const RunSummaryRow& r : rows)
            for (const auto& g : r.test)
                if (!groups.contains(QString::fromStdString(g.group))) groups << QString::fromStdString(g.group);
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int i = 0; i < groups.size(); ++i) ticker->addTick(i, groups[i]);
        plot()->xAxis->setTicker(ticker);
        plot()->xAxis->setLabel(QObject::tr("item group"));
        double top = 0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            auto* bars = new QCPBars(plot()->xAxis, plot()->yAxis);
            bars->setName(QStringLiteral("#%1 %2").arg(rows[i].id).arg(QString::fromStdString(rows[i].model)));
            bars->setBrush(run_color(static_cast<int>(i)));
            bars->setPen(Qt::NoPen);
            bars->setWidth(0.8 / std::max<std::size_t>(1, rows.size()));
            for (int gi = 0; gi < groups.size(); ++gi)
                if (const auto* g = rows[i].find(groups[gi].toStdString())) {
                    bars->addData(gi, g->ndcg);
                    top = std::max(top, g->ndcg);
                }
            bars->setBarsGroup(group);
        }
        plot()->xAxis->setRange(-0.6, std::max<int>(1, static_cast<int>(groups.size())) - 0.4);
        plot()->yAxis->setRange(0, top * 1.15 + 1e-6);
        replot();
    }
    void clear() override {
        plot()->clearPlottables();
        replot();
    }
};

RunsView::RunsView(const QString& db_path, QWidget* parent) : QWidget(parent), db_path_(db_path) {
    confirm_delete_ = [this](int n) {
        return QMessageBox::question(this, tr("Delete runs"),
                                     tr("Delete %1 run(s) and everything recorded for them? This cannot be undone.").arg(n)) ==
               QMessageBox::Yes;
    };
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    filter_ = new QLineEdit;
    filter_->setPlaceholderText(tr("Filter runs (any column, e.g. milk, ftmt, interrupted)"));
    filter_->setClearButtonEnabled(true);
    auto* refresh_button = new QPushButton(tr("Refresh"));
    auto* remove = new QPushButton(tr("Delete..."));
    bar->addWidget(filter_, 1);
    bar->addWidget(refresh_button);
    bar->addWidget(remove);
    layout->addLayout(bar);

    model_ = new QStandardItemModel(this);
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSourceModel(model_);
    proxy_->setFilterKeyColumn(-1);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy_->setSortRole(Qt::UserRole);
    table_ = new QTableView;
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->verticalHeader()->setVisible(false);

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(table_);
    auto* compare = new QWidget;
    auto* compareLayout = new QHBoxLayout(compare);
    compareLayout->setContentsMargins(0, 0, 0, 0);
    curves_ = new RunCurvesChart;
    bars_ = new RunBarsChart;
    compareLayout->addWidget(curves_, 3);
    compareLayout->addWidget(bars_, 3);
    auto* diffBox = new QWidget;
    auto* diffLayout = new QVBoxLayout(diffBox);
    diffLayout->setContentsMargins(0, 0, 0, 0);
    diff_only_ = new QCheckBox(tr("Differences only"));
    diff_only_->setChecked(true);
    diff_ = new QTextBrowser;
    diffLayout->addWidget(diff_only_);
    diffLayout->addWidget(diff_, 1);
    compareLayout->addWidget(diffBox, 2);
    details_ = new QTabWidget;
    details_->addTab(compare, tr("Compare selected runs"));
    robustness_ = new RobustnessView;
    details_->addTab(robustness_, tr("Robustness: FTFT vs FTMT (Figure 5)"));
    splitter->addWidget(details_);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);

    connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
    connect(refresh_button, &QPushButton::clicked, this, &RunsView::refresh);
    connect(remove, &QPushButton::clicked, this, &RunsView::delete_selected);
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsView::update_comparison);
    connect(diff_only_, &QCheckBox::toggled, this, &RunsView::update_comparison);
    connect(curves_->group_, &QComboBox::currentIndexChanged, this, &RunsView::update_comparison);
    connect(curves_->metric_, &QComboBox::currentIndexChanged, this, &RunsView::update_comparison);
    refresh();
}

ChartPanel* RunsView::curves_chart() const { return curves_; }
ChartPanel* RunsView::bars_chart() const { return bars_; }
int RunsView::row_count() const { return model_->rowCount(); }

void RunsView::refresh() {
    const std::vector<std::int64_t> keep = selected_ids();
    model_->clear();
    QStringList headers{tr("id"), tr("model"), tr("dataset"), tr("scenario"), tr("seed"), tr("best epoch"), tr("Recall@20"),
                        tr("NDCG@20")};
    const QStringList groups{QStringLiteral("complete"), QStringLiteral("missing_1"), QStringLiteral("missing_2")};
    for (const QString& g : groups) headers << tr("NDCG@20 %1").arg(g);
    headers << tr("duration") << tr("status") << tr("created (UTC)");
    model_->setHorizontalHeaderLabels(headers);
    error_.clear();
    std::vector<RunSummaryRow> rows;
    try {
        RunStore store(std::filesystem::path(db_path_.toStdString()));
        rows = store.list_runs({}, kCompareK);
    } catch (const std::exception& e) {
        error_ = QString::fromStdString(e.what());
        model_->appendRow(new QStandardItem(tr("Cannot read the run store: %1").arg(error_)));
        return;
    }
    for (const RunSummaryRow& r : rows) {
        QList<QStandardItem*> items;
        auto text = [&](const QString& s) {
            auto* item = new QStandardItem(s);
            item->setData(s, Qt::UserRole);
            items << item;
        };
        auto number = [&](double v, int decimals, bool present = true) {
            auto* item = new QStandardItem(present ? QString::number(v, 'f', decimals) : QStringLiteral("-"));
            item->setData(present ? v : -1.0, Qt::UserRole);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            items << item;
        };
        number(static_cast<double>(r.id), 0);
        items.back()->setData(static_cast<qlonglong>(r.id), Qt::UserRole + 1);
        text(QString::fromStdString(r.model));
        text(QString::fromStdString(r.dataset));
        text(QString::fromStdString(r.scenario));
        number(static_cast<double>(r.seed), 0);
        number(r.best_epoch, 0);
        const auto* overall = r.find("overall");
        number(overall ? overall->recall : 0, 4, overall != nullptr);
        number(overall ? overall->ndcg : 0, 4, overall != nullptr);
        for (const QString& g : groups) {
            const auto* group = r.find(g.toStdString());
            number(group ? group->ndcg : 0, 4, group != nullptr);
            items.back()->setForeground(group_color(g));
        }
        number(r.seconds, 1);
        items.back()->setText(QStringLiteral("%1 s").arg(r.seconds, 0, 'f', 1));
        text(QString::fromStdString(r.status));
        if (r.status == "interrupted" || r.status == "failed") items.back()->setForeground(error_color());
        text(QString::fromStdString(r.created_at));
        model_->appendRow(items);
    }
    table_->sortByColumn(0, Qt::DescendingOrder);
    select_ids(keep);
}

std::vector<std::int64_t> RunsView::selected_ids() const {
    std::vector<std::int64_t> ids;
    if (!table_->selectionModel()) return ids;
    for (const QModelIndex& index : table_->selectionModel()->selectedRows(0)) {
        const QVariant id = proxy_->data(index, Qt::UserRole + 1);
        if (id.isValid()) ids.push_back(id.toLongLong());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

void RunsView::select_ids(const std::vector<std::int64_t>& ids) {
    QItemSelection selection;
    for (int row = 0; row < proxy_->rowCount(); ++row) {
        const QModelIndex index = proxy_->index(row, 0);
        const QVariant id = proxy_->data(index, Qt::UserRole + 1);
        if (id.isValid() && std::find(ids.begin(), ids.end(), id.toLongLong()) != ids.end())
            selection.select(index, proxy_->index(row, proxy_->columnCount() - 1));
    }
    table_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    update_comparison();
}

void RunsView::delete_selected() {
    const std::vector<std::int64_t> ids = selected_ids();
    if (ids.empty()) return;
    if (confirm_delete_ && !confirm_delete_(static_cast<int>(ids.size()))) return;
    try {
        RunStore store(std::filesystem::path(db_path_.toStdString()));
        for (std::int64_t id : ids) store.delete_run(id);
    } catch (const std::exception& e) {
        error_ = QString::fromStdString(e.what());
        QMessageBox::warning(this, tr("Delete runs"), error_);
    }
    refresh();
}

QString RunsView::config_diff_html() const { return diff_->toHtml(); }

void RunsView::update_comparison() {
    const std::vector<std::int64_t> ids = selected_ids();
    robustness_->set_run(db_path_, ids.size() == 1 ? ids.front() : 0);
    if (ids.empty()) {
        curves_->clear();
        bars_->clear();
        diff_->setHtml(tr("<p>Select one or more runs to compare their validation curves, per-group test bars and configurations.</p>"));
        return;
    }
    try {
        RunStore store(std::filesystem::path(db_path_.toStdString()));
        curves_->show_runs(store, ids);
        std::vector<RunSummaryRow> rows;
        for (const RunSummaryRow& r : store.list_runs({}, kCompareK))
            if (std::find(ids.begin(), ids.end(), r.id) != ids.end()) rows.push_back(r);
        bars_->show_runs(rows);
        std::vector<std::map<std::string, std::string>> configs;
        std::set<std::string> keys;
        for (std::int64_t id : ids) {
            std::map<std::string, std::string> flat;
            flatten(store.run(id).config, "", flat);
            for (const auto& [k, v] : flat) keys.insert(k);
            configs.push_back(std::move(flat));
        }
        QString html = QStringLiteral("<table border=1 cellspacing=0 cellpadding=2><tr><th>key</th>");
        for (std::int64_t id : ids) html += QStringLiteral("<th>#%1</th>").arg(id);
        html += QStringLiteral("</tr>");
        int shown = 0;
        for (const std::string& key : keys) {
            std::set<std::string> values;
            for (const auto& c : configs) values.insert(c.count(key) ? c.at(key) : std::string("(absent)"));
            if (diff_only_->isChecked() && values.size() < 2) continue;
            ++shown;
            html += QStringLiteral("<tr><td>%1</td>").arg(QString::fromStdString(key).toHtmlEscaped());
            for (const auto& c : configs)
                html += QStringLiteral("<td>%1</td>").arg(QString::fromStdString(c.count(key) ? c.at(key) : "(absent)").toHtmlEscaped());
            html += QStringLiteral("</tr>");
        }
        html += QStringLiteral("</table>");
        if (shown == 0) html = tr("<p>The selected runs have identical configurations.</p>");
        diff_->setHtml(html);
    } catch (const std::exception& e) {
        diff_->setHtml(QStringLiteral("<p style='color:%1'>%2</p>").arg(error_color().name(), QString::fromStdString(e.what()).toHtmlEscaped()));
    }
}

}  // namespace milk::ui
