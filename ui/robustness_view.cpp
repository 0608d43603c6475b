#include "ui/robustness_view.h"

#include "core/data/dataset_source.h"
#include "core/error.h"
#include "core/store/run_store.h"
#include "ui/charts/chart_panel.h"
#include "ui/palette.h"

#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <qcustomplot.h>

#include <cmath>

namespace milk::ui {

namespace {
constexpr int kRobustnessK = 20;
QString percent(double v) { return std::isnan(v) ? QStringLiteral("-") : QStringLiteral("%1%").arg(v, 0, 'f', 1); }
QString scenario_label(const std::string& s) { return QString::fromStdString(s).toUpper(); }
}  // namespace

// Per group: the full-modality bar (light) beside the missing-modality bar (solid, group
// colour), and the relative drop written above the pair.
class RobustnessChart : public ChartPanel {
public:
    RobustnessChart() : ChartPanel(QObject::tr("Robustness: test metric per group, full vs missing modalities")) {
        metric_ = new QComboBox;
        metric_->addItems({QStringLiteral("NDCG@20"), QStringLiteral("Recall@20")});
        controls()->addWidget(metric_);
        plot()->xAxis->setLabel(QObject::tr("item group (by the FTMT mask)"));
        plot()->xAxis->grid()->setVisible(false);  // no line between a group's two bars
    }
    void show_result(const RobustnessResult& r) {
        result_ = r;
        draw();
    }
    void draw() {
        plot()->clearPlottables();
        plot()->clearItems();
        if (!result_) return replot();
        const bool ndcg = metric_->currentIndex() == 0;
        const QString metric = ndcg ? QStringLiteral("NDCG@%1").arg(result_->k) : QStringLiteral("Recall@%1").arg(result_->k);
        plot()->yAxis->setLabel(QObject::tr("test %1").arg(metric));
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        double top = 0;
        const QString full = scenario_label(result_->full_scenario), missing = scenario_label(result_->missing_scenario);
        for (std::size_t i = 0; i < result_->rows.size(); ++i) {
            const RobustnessRow& row = result_->rows[i];
            const QString group = QString::fromStdString(row.group);
            const double x = static_cast<double>(i);
            ticker->addTick(x, QStringLiteral("%1\n(%2 items)").arg(group).arg(row.n_items));
            const double a = ndcg ? row.ndcg_full : row.recall_full, b = ndcg ? row.ndcg_missing : row.recall_missing;
            const double drop = ndcg ? row.ndcg_drop_pct : row.recall_drop_pct;
            auto* full_bars = new QCPBars(plot()->xAxis, plot()->yAxis);
            full_bars->setName(QStringLiteral("%1 %2").arg(group, full));
            full_bars->setBrush(full_scenario_color(group_color(group)));
            full_bars->setPen(QPen(group_color(group), 1));
            full_bars->setWidth(0.36);
            full_bars->addData(x - 0.19, a);
            auto* missing_bars = new QCPBars(plot()->xAxis, plot()->yAxis);
            missing_bars->setName(QStringLiteral("%1 %2").arg(group, missing));
            missing_bars->setBrush(group_color(group));
            missing_bars->setPen(QPen(group_color(group).darker(130), 1));
            missing_bars->setWidth(0.36);
            missing_bars->addData(x + 0.19, b);
            if (i > 0) {
                full_bars->removeFromLegend();
                missing_bars->removeFromLegend();
            } else {
                full_bars->setName(QObject::tr("%1 (light)").arg(full));
                missing_bars->setName(QObject::tr("%1 (solid)").arg(missing));
            }
            top = std::max({top, a, b});
            auto* label = new QCPItemText(plot());
            label->position->setCoords(x, std::max(a, b));
            label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
            label->setPadding(QMargins(0, 0, 0, 4));
            label->setText(std::isnan(drop) ? QStringLiteral("drop -") : QObject::tr("drop %1").arg(percent(drop)));
            label->setColor(group_color(group).darker(120));
        }
        plot()->xAxis->setTicker(ticker);
        plot()->xAxis->setRange(-0.6, std::max<double>(1, static_cast<double>(result_->rows.size())) - 0.4);
        plot()->yAxis->setRange(0, top * 1.25 + 1e-6);
        replot();
    }
    void clear() override {
        result_.reset();
        draw();
    }
    QComboBox* metric_ = nullptr;

private:
    std::optional<RobustnessResult> result_;
};

RobustnessView::RobustnessView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    status_ = new QLabel;
    status_->setWordWrap(true);
    button_ = new QPushButton(tr("Evaluate under FTFT and FTMT"));
    button_->setToolTip(tr("Loads the run's best checkpoint and evaluates it on the test split with full modalities "
                           "(FTFT) and with missing ones (FTMT), as `milk eval --scenario` does"));
    bar->addWidget(status_, 1);
    bar->addWidget(button_);
    layout->addLayout(bar);
    auto* body = new QVBoxLayout;
    table_ = new QTableWidget;
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->setFixedHeight(table_->horizontalHeader()->sizeHint().height() * 5);  // until a result sizes it
    body->addWidget(table_);
    chart_ = new RobustnessChart;
    body->addWidget(chart_, 1);
    layout->addLayout(body, 1);
    watcher_ = new QFutureWatcher<Outcome>(this);
    connect(watcher_, &QFutureWatcher<Outcome>::finished, this, &RobustnessView::on_done);
    connect(button_, &QPushButton::clicked, this, &RobustnessView::evaluate);
    connect(chart_->metric_, &QComboBox::currentIndexChanged, this, [this] { chart_->draw(); });
    set_run(QString(), 0);
}

RobustnessView::~RobustnessView() {
    // The job captures no pointer to this view, but wait so it never outlives the window.
    if (watcher_->isRunning()) watcher_->waitForFinished();
}

ChartPanel* RobustnessView::chart() const { return chart_; }
bool RobustnessView::is_running() const { return watcher_->isRunning(); }
bool RobustnessView::can_evaluate() const { return id_ != 0 && has_checkpoint_ && !is_running(); }

void RobustnessView::set_run(const QString& db_path, std::int64_t id) {
    if (db_path == db_path_ && id == id_ && id != 0 && has_checkpoint_) return;  // keep the shown result
    db_path_ = db_path;
    id_ = id;
    has_checkpoint_ = false;
    result_.reset();
    error_.clear();
    table_->clear();
    table_->setRowCount(0);
    table_->setColumnCount(0);
    chart_->clear();
    if (id_ == 0) {
        status_->setText(tr("Select one finished run to see how much it loses when test items miss modalities "
                            "(the paper's Figure 5)."));
    } else {
        try {
            RunStore store(std::filesystem::path(db_path_.toStdString()));
            const RunRecord rec = store.run(id_);
            const auto checkpoint = store.checkpoint(id_);
            has_checkpoint_ = checkpoint.has_value() && rec.status != "running";
            run_label_ = tr("#%1 %2 trained under %3").arg(id_).arg(QString::fromStdString(rec.model), scenario_label(rec.scenario));
            status_->setText(has_checkpoint_ ? tr("Run %1: best checkpoint of epoch %2.").arg(run_label_).arg(checkpoint->epoch)
                                             : tr("Run %1 has no checkpoint (status %2): nothing to evaluate.")
                                                   .arg(run_label_, QString::fromStdString(rec.status)));
        } catch (const std::exception& e) {
            error_ = QString::fromStdString(e.what());
            status_->setText(error_);
        }
    }
    button_->setEnabled(can_evaluate());
}

void RobustnessView::evaluate() {
    if (!can_evaluate()) return;
    button_->setEnabled(false);
    status_->setText(tr("Evaluating %1 under FTFT and FTMT...").arg(run_label_));
    error_.clear();
    const std::string db = db_path_.toStdString();
    const std::int64_t id = id_;
    pending_id_ = id;
    auto dataset = dataset_;
    const std::string spec = dataset_spec_;
    watcher_->setFuture(QtConcurrent::run([db, id, dataset, spec]() -> Outcome {
        Outcome out;
        try {
            RunStore store{std::filesystem::path(db)};  // this thread's own connection
            const auto checkpoint = store.checkpoint(id);
            if (!checkpoint) throw StateError("run " + std::to_string(id) + ": no checkpoint");
            const TrainingConfig config = config_of_checkpoint(checkpoint->blob, "run " + std::to_string(id));
            out.dataset = dataset && spec == config.dataset ? dataset : std::make_shared<const Dataset>(load_dataset(config.dataset));
            out.dataset_spec = config.dataset;
            out.result = evaluate_robustness(checkpoint->blob, out.dataset, kRobustnessK);
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        }
        return out;
    }));
}

void RobustnessView::on_done() {
    Outcome out = watcher_->result();
    if (out.dataset) {
        dataset_ = out.dataset;
        dataset_spec_ = out.dataset_spec;
    }
    if (pending_id_ != id_) {  // the selection changed meanwhile: the result is not for the shown run
        button_->setEnabled(can_evaluate());
        emit finished(false);
        return;
    }
    result_ = std::move(out.result);
    error_ = out.error;
    if (result_) {
        status_->setText(tr("Run %1, test split: FTFT = every modality present, FTMT = the scenario removes some; "
                            "drop = (FTFT - FTMT) / FTFT. Evaluated in %2 s.")
                             .arg(run_label_)
                             .arg(result_->full.seconds + result_->missing.seconds, 0, 'f', 2));
        show_result();
    } else {
        status_->setText(QStringLiteral("<span style='color:%1'>%2</span>").arg(error_color().name(), error_.toHtmlEscaped()));
    }
    button_->setEnabled(can_evaluate());
    emit finished(result_.has_value());
}

void RobustnessView::show_result() {
    const RobustnessResult& r = *result_;
    const QString full = scenario_label(r.full_scenario), missing = scenario_label(r.missing_scenario);
    const QStringList headers{tr("group"),
                              tr("items"),
                              tr("NDCG@%1 %2").arg(r.k).arg(full),
                              tr("NDCG@%1 %2").arg(r.k).arg(missing),
                              tr("NDCG drop"),
                              tr("Recall@%1 %2").arg(r.k).arg(full),
                              tr("Recall@%1 %2").arg(r.k).arg(missing),
                              tr("Recall drop")};
    table_->clear();
    table_->setColumnCount(static_cast<int>(headers.size()));
    table_->setHorizontalHeaderLabels(headers);
    table_->setRowCount(static_cast<int>(r.rows.size()));
    for (int i = 0; i < static_cast<int>(r.rows.size()); ++i) {
        const RobustnessRow& row = r.rows[static_cast<std::size_t>(i)];
        const QString group = QString::fromStdString(row.group);
        auto* name = new QTableWidgetItem(group);
        name->setForeground(group_color(group));
        name->setData(Qt::DecorationRole, group_color(group));
        table_->setItem(i, 0, name);
        const QStringList cells{QString::number(row.n_items),       QString::number(row.ndcg_full, 'f', 4),
                                QString::number(row.ndcg_missing, 'f', 4), percent(row.ndcg_drop_pct),
                                QString::number(row.recall_full, 'f', 4),  QString::number(row.recall_missing, 'f', 4),
                                percent(row.recall_drop_pct)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(i, c + 1, item);
        }
    }
    int h = table_->horizontalHeader()->sizeHint().height() + 2 * table_->frameWidth() + 2;
    for (int i = 0; i < table_->rowCount(); ++i) h += table_->rowHeight(i);
    table_->setFixedHeight(h);
    chart_->show_result(r);
}

}  // namespace milk::ui
