#include "ui/studies_view.h"

#include "core/store/run_store.h"
#include "core/study/study_library.h"
#include "core/study/study_render.h"
#include "core/study/study_runner.h"
#include "ui/charts/chart_panel.h"
#include "ui/palette.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <qcustomplot.h>

#include <cmath>

namespace milk::ui {

namespace {

QString duration(double s) {
    if (s < 0) return QStringLiteral("?");
    const int t = static_cast<int>(std::lround(s));
    if (t < 60) return QStringLiteral("%1 s").arg(t);
    if (t < 3600) return QStringLiteral("%1 min %2 s").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(t / 3600).arg(t % 3600 / 60, 2, 10, QLatin1Char('0'));
}

QString html_error(const QString& message) {
    return QStringLiteral("<span style='color:%1'>%2</span>").arg(error_color().name(), message.toHtmlEscaped());
}

}  // namespace

// Figure 3's shape for one dataset x scenario block: x = item group, one bar per model
// (its test mean over seeds, with +- std whiskers), the metric selectable.
class StudyChart : public ChartPanel {
public:
    StudyChart() : ChartPanel(QObject::tr("Study: test metric per item group and model (mean +- std over seeds)")) {
        metric_ = new QComboBox;
        metric_->setToolTip(QObject::tr("Test metric drawn; hyper-parameters were selected on validation"));
        metric_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        controls()->addWidget(metric_);
        plot()->xAxis->setLabel(QObject::tr("item group (test new items)"));
        plot()->xAxis->grid()->setVisible(false);
        // The legend under the axis rect, in rows of four: a study has up to a dozen models.
        plot()->plotLayout()->addElement(1, 0, plot()->legend);
        plot()->plotLayout()->setRowStretchFactor(1, 0.001);
        plot()->legend->setFillOrder(QCPLegend::foColumnsFirst);
        plot()->legend->setWrap(4);
        plot()->legend->setBorderPen(Qt::NoPen);
    }
    void show_block(const StudyReport& report, int block) {
        report_ = &report;
        block_ = block;
        const QString keep = metric_->currentText();
        metric_->blockSignals(true);
        metric_->clear();
        for (const auto& m : report.study.report_metrics) metric_->addItem(QString::fromStdString(m));
        const int at = metric_->findText(keep.isEmpty() ? QString::fromStdString(report.selection_metric()) : keep);
        metric_->setCurrentIndex(at >= 0 ? at : 0);
        metric_->blockSignals(false);
        draw();
    }
    void draw() {
        plot()->clearPlottables();
        if (!report_ || block_ < 0 || block_ >= static_cast<int>(report_->blocks.size())) return replot();
        const ScenarioBlock& b = report_->blocks[static_cast<std::size_t>(block_)];
        const std::string metric = metric_->currentText().toStdString();
        plot()->yAxis->setLabel(QObject::tr("test %1").arg(metric_->currentText()));
        // Groups that any row has, in the study's order.
        std::vector<std::string> groups;
        for (const auto& g : report_->study.groups)
            for (const auto& r : b.rows)
                if (r.group(g) && !std::isnan(r.test_mean(g, metric))) {
                    groups.push_back(g);
                    break;
                }
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (std::size_t gi = 0; gi < groups.size(); ++gi) {
            double items = 0;
            for (const auto& r : b.rows)
                if (const GroupSummary* s = r.group(groups[gi])) items = std::max(items, s->n_items);
            ticker->addTick(static_cast<double>(gi),
                            QStringLiteral("%1\n(%2 items)").arg(QString::fromStdString(groups[gi])).arg(std::lround(items)));
        }
        plot()->xAxis->setTicker(ticker);
        const int n = static_cast<int>(b.rows.size());
        const double width = 0.8 / std::max(1, n);
        double top = 0;
        for (int ri = 0; ri < n; ++ri) {
            const ModelRow& row = b.rows[static_cast<std::size_t>(ri)];
            auto* bars = new QCPBars(plot()->xAxis, plot()->yAxis);
            bars->setName(QString::fromStdString(row.label));
            bars->setWidth(width * 0.92);
            bars->setBrush(study_row_color(ri));
            bars->setPen(QPen(study_row_color(ri).darker(130), 1));
            auto* whiskers = new QCPErrorBars(plot()->xAxis, plot()->yAxis);
            whiskers->removeFromLegend();
            whiskers->setPen(QPen(QColor(0x22, 0x22, 0x22), 1));
            QVector<double> xs, ys, errs;
            for (std::size_t gi = 0; gi < groups.size(); ++gi) {
                const GroupSummary* s = row.group(groups[gi]);
                if (!s) continue;
                const auto it = s->metrics.find(metric);
                if (it == s->metrics.end() || std::isnan(it->second.mean)) continue;
                xs << static_cast<double>(gi) - 0.4 + width * (ri + 0.5);
                ys << it->second.mean;
                errs << (std::isnan(it->second.std) ? 0.0 : it->second.std);
                top = std::max(top, it->second.mean + errs.back());
            }
            bars->setData(xs, ys, true);
            whiskers->setDataPlottable(bars);
            whiskers->setData(errs);
        }
        plot()->xAxis->setRange(-0.6, std::max<double>(1, static_cast<double>(groups.size())) - 0.4);
        plot()->yAxis->setRange(0, top * 1.15 + 1e-6);
        replot();
    }
    void clear() override {
        report_ = nullptr;
        draw();
    }
    QComboBox* metric_ = nullptr;

private:
    const StudyReport* report_ = nullptr;
    int block_ = -1;
};

StudiesView::StudiesView(QString db_path, QWidget* parent) : QWidget(parent), db_path_(std::move(db_path)) {
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    study_box_ = new QComboBox;
    study_box_->setObjectName(QStringLiteral("studyBox"));
    study_box_->setToolTip(tr("Ready-made studies: the paper's Tables 2-4 and Figures 3-6 (resources/studies)"));
    for (const StudyEntry& e : ready_made_studies())
        study_box_->addItem(QStringLiteral("%1: %2").arg(QString::fromStdString(e.name), QString::fromStdString(e.title)),
                            QString::fromStdString(e.name));
    open_button_ = new QPushButton(tr("Open study file..."));
    quick_ = new QCheckBox(tr("Quick"));
    quick_->setToolTip(tr("The study's demo variant: few seeds and epochs, a reduced grid (what CI runs)"));
    seeds_ = new QSpinBox;
    seeds_->setRange(0, 20);
    seeds_->setSpecialValueText(tr("study's"));
    seeds_->setPrefix(tr("seeds "));
    seeds_->setToolTip(tr("Repeats per grid point (seeds 2024, 2025, ...); the paper uses 5"));
    parallel_ = new QSpinBox;
    parallel_->setRange(1, 8);
    parallel_->setPrefix(tr("parallel "));
    parallel_->setToolTip(tr("Cells trained at the same time (each with one thread when more than one)"));
    run_button_ = new QPushButton(QIcon(QStringLiteral(":/icons/start.svg")), tr("Run"));
    run_button_->setToolTip(tr("Trains the cells the store does not hold yet, then shows the report"));
    cancel_button_ = new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), tr("Cancel"));
    cancel_button_->setToolTip(tr("Stops within one batch; finished cells stay in the store and are not trained again"));
    report_button_ = new QPushButton(tr("Show stored results"));
    write_button_ = new QPushButton(tr("Write report..."));
    write_button_->setToolTip(tr("report.md, table.csv, groups.csv, significance.csv, report.html (with SVG charts)"));
    bar->addWidget(study_box_, 1);
    bar->addWidget(open_button_);
    bar->addWidget(quick_);
    bar->addWidget(seeds_);
    bar->addWidget(parallel_);
    bar->addWidget(run_button_);
    bar->addWidget(cancel_button_);
    bar->addWidget(report_button_);
    bar->addWidget(write_button_);
    layout->addLayout(bar);
    description_ = new QLabel;
    description_->setWordWrap(true);
    layout->addWidget(description_);
    auto* progress_row = new QHBoxLayout;
    status_ = new QLabel;
    status_->setWordWrap(true);
    progress_ = new QProgressBar;
    progress_->setMaximumWidth(260);
    progress_->setFormat(QStringLiteral("%v / %m cells"));
    progress_row->addWidget(status_, 1);
    progress_row->addWidget(progress_);
    layout->addLayout(progress_row);

    auto* split = new QSplitter(Qt::Horizontal);
    tables_ = new QTextBrowser;
    tables_->setObjectName(QStringLiteral("studyTables"));
    split->addWidget(tables_);
    auto* right = new QWidget;
    auto* right_layout = new QVBoxLayout(right);
    right_layout->setContentsMargins(0, 0, 0, 0);
    block_box_ = new QComboBox;
    block_box_->setToolTip(tr("Dataset x scenario block of the report drawn in the chart"));
    right_layout->addWidget(block_box_);
    chart_ = new StudyChart;
    right_layout->addWidget(chart_, 1);
    split->addWidget(right);
    QFont small = tables_->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    tables_->setFont(small);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({900, 600});
    layout->addWidget(split, 1);

    watcher_ = new QFutureWatcher<RunOutcome>(this);
    connect(watcher_, &QFutureWatcher<RunOutcome>::finished, this, &StudiesView::on_run_done);
    connect(study_box_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i >= 0) select_study(study_box_->itemData(i).toString());
    });
    connect(open_button_, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Open study"), QString(), tr("Study (*.json)"));
        if (!file.isEmpty()) select_study(file);
    });
    connect(run_button_, &QPushButton::clicked, this, &StudiesView::run);
    connect(cancel_button_, &QPushButton::clicked, this, &StudiesView::cancel);
    connect(report_button_, &QPushButton::clicked, this, &StudiesView::show_report);
    connect(write_button_, &QPushButton::clicked, this, [this] {
        const QString dir = choose_folder_ ? choose_folder_() : QFileDialog::getExistingDirectory(this, tr("Write the report into"));
        if (!dir.isEmpty()) write_report(dir);
    });
    connect(block_box_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (report_ && i >= 0) chart_->show_block(*report_, i);
    });
    connect(chart_->metric_, &QComboBox::currentIndexChanged, this, [this] { chart_->draw(); });
    for (QSpinBox* box : {seeds_, parallel_}) connect(box, &QSpinBox::valueChanged, this, [this] { set_busy(false); });
    connect(quick_, &QCheckBox::toggled, this, [this] { set_busy(false); });

    if (study_box_->count() > 0) select_study(study_box_->itemData(0).toString());
    else show_error(tr("No ready-made studies found (searched $MILK_STUDIES_DIR, share/milk/studies, resources/studies)."));
}

StudiesView::~StudiesView() {
    if (watcher_->isRunning()) {
        if (control_) control_->request_cancel();
        watcher_->waitForFinished();
    }
}

ChartPanel* StudiesView::chart() const { return chart_; }
bool StudiesView::is_running() const { return watcher_->isRunning(); }
QString StudiesView::status_text() const { return status_->text(); }
void StudiesView::set_quick(bool quick) { quick_->setChecked(quick); }
void StudiesView::set_seeds(int seeds) { seeds_->setValue(seeds); }
void StudiesView::set_parallel(int cells) { parallel_->setValue(cells); }

void StudiesView::show_error(const QString& message) {
    error_ = message;
    status_->setText(html_error(message));
}

bool StudiesView::select_study(const QString& name_or_path) {
    if (is_running()) return false;
    try {
        study_ = load_study(name_or_path.toStdString());
        error_.clear();
        // The picker names what is shown: a study file (dialog or --study FILE) joins the list.
        int at = study_box_->findData(name_or_path);
        study_box_->blockSignals(true);
        if (at < 0) {
            study_box_->addItem(QFileInfo(name_or_path).fileName(), name_or_path);
            at = study_box_->count() - 1;
        }
        study_box_->setCurrentIndex(at);
        study_box_->blockSignals(false);
        progress_->setValue(0);
        description_->setText(QStringLiteral("<b>%1</b> %2").arg(QString::fromStdString(study_->title).toHtmlEscaped(),
                                                                 QString::fromStdString(study_->description).toHtmlEscaped()));
        report_.reset();
        tables_->clear();
        block_box_->clear();
        chart_->clear();
        set_busy(false);
        return true;
    } catch (const std::exception& e) {
        study_.reset();
        show_error(QString::fromStdString(e.what()));
        set_busy(false);
        return false;
    }
}

QString StudiesView::study_label() const { return study_box_->currentText(); }

std::optional<Study> StudiesView::effective_study() const {
    if (!study_) return std::nullopt;
    Study s = quick_->isChecked() ? study_->quick_variant() : *study_;
    if (seeds_->value() > 0) s.set_seed_count(seeds_->value());
    return s;
}

void StudiesView::set_busy(bool busy) {
    const bool running = busy || is_running();
    run_button_->setEnabled(!running && study_.has_value());
    report_button_->setEnabled(!running && study_.has_value());
    write_button_->setEnabled(!running && report_.has_value());
    cancel_button_->setEnabled(running);
    for (QWidget* w : std::initializer_list<QWidget*>{study_box_, open_button_, quick_, seeds_, parallel_}) w->setEnabled(!running);
    if (running || !study_) return;
    try {
        const Study s = *effective_study();
        const auto cells = expand_cells(s);
        if (!error_.isEmpty()) return;
        status_->setText(tr("%1 cells (%2 dataset(s) x %3 training scenario(s) x models x grid points x %4 seed(s)); "
                            "cells already in %5 are not trained again.")
                             .arg(cells.size())
                             .arg(s.datasets.size())
                             .arg(s.scenarios.size())
                             .arg(s.seeds.size())
                             .arg(QFileInfo(db_path_).fileName()));
        if (progress_->maximum() != static_cast<int>(cells.size())) {
            progress_->setRange(0, static_cast<int>(cells.size()));
            progress_->setValue(0);
        }
    } catch (const std::exception& e) {
        show_error(QString::fromStdString(e.what()));
    }
}

void StudiesView::run() {
    if (is_running() || !study_) return;
    std::optional<Study> study;
    try {
        study = effective_study();
        (void)expand_cells(*study);  // model names and parameters, before any thread starts
    } catch (const std::exception& e) {
        show_error(QString::fromStdString(e.what()));
        return;
    }
    error_.clear();
    control_ = std::make_unique<TrainingControl>();
    StudyRunOptions options;
    options.store = db_path_.toStdString();
    options.parallel = parallel_->value();
    options.control = control_.get();
    // Called from the runner's threads: copied into the GUI thread's queue; dropped by Qt
    // if this view is gone.
    options.on_event = [this](const StudyEvent& e) {
        QMetaObject::invokeMethod(this, [this, e] { on_event(e); }, Qt::QueuedConnection);
    };
    status_->setText(tr("Starting %1...").arg(QString::fromStdString(study->name)));
    watcher_->setFuture(QtConcurrent::run([study = *study, options]() -> RunOutcome {
        RunOutcome out;
        try {
            const StudyRunSummary s = run_study(study, options);
            out.cells = s.cells;
            out.trained = s.trained;
            out.from_store = s.from_store;
            out.failed = s.failed;
            out.cancelled = s.cancelled;
            out.seconds = s.seconds;
            for (const auto& f : s.failures) out.failures << QString::fromStdString(f);
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        }
        return out;
    }));
    set_busy(true);
}

void StudiesView::cancel() {
    if (!is_running() || !control_) return;
    control_->request_cancel();
    status_->setText(tr("Cancelling: running cells stop within one batch..."));
}

void StudiesView::on_event(const StudyEvent& e) {
    if (!is_running()) return;  // a late event of a finished study
    progress_->setRange(0, std::max(1, e.total));
    progress_->setValue(e.done);
    QString what;
    switch (e.kind) {
    case StudyEvent::Kind::CellStarted: what = tr("started"); break;
    case StudyEvent::Kind::Epoch: what = tr("epoch %1/%2").arg(e.epoch).arg(e.epochs); break;
    case StudyEvent::Kind::CellFinished: what = tr("finished"); break;
    case StudyEvent::Kind::CellFromStore: what = tr("taken from the store"); break;
    case StudyEvent::Kind::CellFailed: what = tr("failed: %1").arg(QString::fromStdString(e.message)); break;
    case StudyEvent::Kind::CellCancelled: what = tr("cancelled"); break;
    }
    if (control_ && control_->cancel_requested()) return;  // keep "Cancelling..." visible
    status_->setText(tr("%1 / %2 cells (%3 trained, %4 from the store, %5 failed), %6 elapsed, ETA %7 | %8: %9")
                         .arg(e.done)
                         .arg(e.total)
                         .arg(e.trained)
                         .arg(e.from_store)
                         .arg(e.failed)
                         .arg(duration(e.elapsed_seconds), duration(e.eta_seconds), QString::fromStdString(e.cell), what));
}

void StudiesView::on_run_done() {
    const RunOutcome out = watcher_->result();
    set_busy(false);
    if (!out.error.isEmpty()) {
        show_error(out.error);
        emit run_finished(false);
        return;
    }
    progress_->setRange(0, std::max(1, out.cells));
    progress_->setValue(out.trained + out.from_store);
    show_report();
    QString summary = tr("%1: %2 cells, %3 trained, %4 from the store, %5 failed, in %6.")
                          .arg(out.cancelled ? tr("Cancelled (run again to resume)") : tr("Done"))
                          .arg(out.cells)
                          .arg(out.trained)
                          .arg(out.from_store)
                          .arg(out.failed)
                          .arg(duration(out.seconds));
    if (!out.failures.isEmpty()) {
        error_ = out.failures.join(QLatin1Char('\n'));
        summary += QLatin1Char(' ') + html_error(out.failures.first());
    }
    if (report_) status_->setText(summary);
    emit run_finished(!out.cancelled && out.failed == 0);
}

void StudiesView::show_report() {
    const std::optional<Study> study = effective_study();
    if (!study || is_running()) {
        emit report_shown(false);
        return;
    }
    try {
        RunStore store{std::filesystem::path(db_path_.toStdString())};
        report_ = build_report(*study, collect_outcomes(*study, store));
    } catch (const std::exception& e) {
        report_.reset();
        show_error(QString::fromStdString(e.what()));
        set_busy(false);
        emit report_shown(false);
        return;
    }
    tables_->setMarkdown(QString::fromStdString(render_markdown(*report_)));
    refresh_blocks();
    status_->setText(tr("%1 of %2 results are in the store; hyper-parameters selected by validation %3 only.")
                         .arg(report_->found_results)
                         .arg(report_->expected_results)
                         .arg(QString::fromStdString(report_->selection_metric())));
    set_busy(false);
    emit report_shown(true);
}

void StudiesView::refresh_blocks() {
    block_box_->blockSignals(true);
    block_box_->clear();
    for (const ScenarioBlock& b : report_->blocks)
        block_box_->addItem(QStringLiteral("%1, %2").arg(QString::fromStdString(b.dataset), QString::fromStdString(b.scenario)));
    block_box_->blockSignals(false);
    if (report_->blocks.empty()) chart_->clear();
    else chart_->show_block(*report_, 0);
}

bool StudiesView::write_report(const QString& dir) {
    if (!report_) return false;
    try {
        const auto files = write_report_files(*report_, std::filesystem::path(dir.toStdString()));
        // The chart as PNG beside the report's SVG ones (the core has no raster renderer).
        const QString png = QDir(dir).filePath(QStringLiteral("chart.png"));
        chart_->save_png(png);
        status_->setText(tr("Wrote %1 files and chart.png to %2").arg(files.size()).arg(dir));
        return true;
    } catch (const std::exception& e) {
        show_error(QString::fromStdString(e.what()));
        return false;
    }
}

}  // namespace milk::ui
