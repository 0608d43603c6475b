#include "ui/main_window.h"

#include "core/error.h"
#include "core/store/run_store.h"
#include "ui/charts/env_weight_chart.h"
#include "ui/charts/group_metrics_chart.h"
#include "ui/charts/loss_chart.h"
#include "ui/charts/variance_chart.h"
#include "ui/dataset_loader.h"
#include "ui/dataset_panel.h"
#include "ui/environment_explorer.h"
#include "ui/item_inspector.h"
#include "ui/model_panel.h"
#include "ui/runs_view.h"
#include "ui/scenario_panel.h"
#include "ui/studies_view.h"
#include "ui/training_worker.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QGridLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextBrowser>

// The resources live in the static milk_ui library: register them explicitly, or the
// linker drops their initialiser (Q_INIT_RESOURCE must be called outside a namespace).
static void init_studio_resources() { Q_INIT_RESOURCE(resources); }

namespace milk::ui {

namespace {
QString format_seconds(double s) {
    if (!(s >= 0)) return QStringLiteral("-");
    const int t = static_cast<int>(s + 0.5);
    if (t >= 3600) return QStringLiteral("%1h%2m").arg(t / 3600).arg((t % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (t >= 60) return QStringLiteral("%1m%2s").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1s").arg(t);
}

QDockWidget* make_dock(QMainWindow* window, const QString& title, const QString& name, QWidget* content) {
    auto* dock = new QDockWidget(title, window);
    dock->setObjectName(name);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    dock->setWidget(scroll);
    window->addDockWidget(Qt::LeftDockWidgetArea, dock);
    return dock;
}
}  // namespace

MainWindow::MainWindow(StudioOptions options, QWidget* parent) : QMainWindow(parent), options_(std::move(options)) {
    init_studio_resources();
    if (options_.db_path.isEmpty()) options_.db_path = QString::fromStdString(default_runs_db_path().string());
    setWindowTitle(tr("MILK Studio"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/milk.svg")));
    report_error_ = [this](const QString& title, const QString& message) { QMessageBox::critical(this, title, message); };
    confirm_close_ = [this] {
        return QMessageBox::question(this, tr("Training is running"),
                                     tr("A training run or a study is active. Stop it and close? A run stays in the history as cancelled; a study's finished cells stay in the store.")) ==
               QMessageBox::Yes;
    };

    loader_ = new DatasetLoader(this);
    worker_ = new TrainingWorker(this);

    dataset_panel_ = new DatasetPanel;
    scenario_panel_ = new ScenarioPanel;
    model_panel_ = new ModelPanel;
    QDockWidget* dataDock = make_dock(this, tr("Dataset"), QStringLiteral("datasetDock"), dataset_panel_);
    QDockWidget* scenarioDock = make_dock(this, tr("Scenario"), QStringLiteral("scenarioDock"), scenario_panel_);
    QDockWidget* modelDock = make_dock(this, tr("Model"), QStringLiteral("modelDock"), model_panel_);
    tabifyDockWidget(dataDock, scenarioDock);
    splitDockWidget(dataDock, modelDock, Qt::Vertical);
    dataDock->raise();

    tabs_ = new QTabWidget;
    auto* charts = new QWidget;
    auto* grid = new QGridLayout(charts);
    grid->setContentsMargins(2, 2, 2, 2);
    loss_chart_ = new LossChart;
    env_chart_ = new EnvWeightChart;
    variance_chart_ = new VarianceChart;
    metrics_chart_ = new GroupMetricsChart;
    grid->addWidget(loss_chart_, 0, 0);
    grid->addWidget(env_chart_, 0, 1);
    grid->addWidget(variance_chart_, 1, 0);
    grid->addWidget(metrics_chart_, 1, 1);
    tabs_->addTab(charts, tr("Training"));
    runs_view_ = new RunsView(options_.db_path);
    tabs_->addTab(runs_view_, tr("Runs"));
    explorer_ = new EnvironmentExplorer;
    tabs_->addTab(explorer_, tr("Environment explorer"));
    auto* method = new QTextBrowser;
    method->setObjectName(QStringLiteral("methodPage"));
    method->setSource(QUrl(QStringLiteral("qrc:/method.html")));
    method->setOpenLinks(false);
    connect(method, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        // Links "chart:losses" etc. jump to the chart that shows the term.
        const QString target = url.toString();
        if (target.startsWith(QLatin1String("chart:"))) {
            tabs_->setCurrentIndex(0);
            const QString name = target.mid(6);
            QWidget* chart = name == QLatin1String("losses")        ? static_cast<QWidget*>(loss_chart_)
                             : name == QLatin1String("environments") ? static_cast<QWidget*>(env_chart_)
                             : name == QLatin1String("variance")     ? static_cast<QWidget*>(variance_chart_)
                                                                     : static_cast<QWidget*>(metrics_chart_);
            chart->setFocus();
        } else if (target == QLatin1String("tab:explorer")) {
            tabs_->setCurrentWidget(explorer_);
        } else if (target == QLatin1String("tab:inspector")) {
            tabs_->setCurrentWidget(inspector_);
        }
    });
    tabs_->addTab(method, tr("Method"));
    inspector_ = new ItemInspector;
    tabs_->addTab(inspector_, tr("Item inspector"));
    studies_view_ = new StudiesView(options_.db_path);
    tabs_->addTab(studies_view_, tr("Studies"));
    // A finished study's runs belong in the history too.
    connect(studies_view_, &StudiesView::run_finished, runs_view_, [this] { runs_view_->refresh(); });
    setCentralWidget(tabs_);

    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(260);
    progress_->setTextVisible(true);
    progress_->setFormat(QString());
    status_ = new QLabel(tr("Ready"));
    statusBar()->addWidget(status_, 1);
    statusBar()->addPermanentWidget(progress_);

    build_menus();

    connect(dataset_panel_, &DatasetPanel::load_requested, this, &MainWindow::load_dataset);
    connect(dataset_panel_, &DatasetPanel::cancel_requested, loader_, &DatasetLoader::cancel);
    connect(loader_, &DatasetLoader::progress, dataset_panel_, &DatasetPanel::set_progress);
    connect(loader_, &DatasetLoader::loaded, this, &MainWindow::on_loaded);
    connect(model_panel_, &ModelPanel::start_requested, this, &MainWindow::start_training);
    connect(model_panel_, &ModelPanel::stop_requested, this, &MainWindow::stop_training);
    connect(model_panel_, &ModelPanel::pause_toggled, this, &MainWindow::set_paused);
    connect(model_panel_, &ModelPanel::seed_changed, scenario_panel_, [this](int s) { scenario_panel_->set_seed(static_cast<std::uint64_t>(s)); });
    connect(scenario_panel_, &ScenarioPanel::seed_changed, model_panel_, &ModelPanel::set_seed);
    connect(worker_, &TrainingWorker::started, this, &MainWindow::on_started);
    connect(worker_, &TrainingWorker::batches, this, &MainWindow::on_batches);
    connect(worker_, &TrainingWorker::epoch, this, &MainWindow::on_epoch);
    connect(worker_, &TrainingWorker::finished, this, &MainWindow::on_finished);
    connect(worker_, &TrainingWorker::paused_changed, this, [this] { update_running_state(); });
    resize(1500, 950);
    update_running_state();
}

MainWindow::~MainWindow() {
    if (worker_->is_running()) {
        worker_->stop();
        worker_->wait(60000);
    }
}

void MainWindow::build_menus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Load &demo dataset"), QKeySequence(tr("Ctrl+D")), this, [this] { load_dataset(QStringLiteral("preset:demo")); });
    file->addAction(tr("&Open dataset folder..."), QKeySequence::Open, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open dataset folder"));
        if (!dir.isEmpty()) load_dataset(dir);
    });
    file->addSeparator();
    file->addAction(tr("Export losses chart..."), this, [this] { loss_chart_->export_dialog(); });
    file->addAction(tr("Export metrics chart..."), this, [this] { metrics_chart_->export_dialog(); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* run = menuBar()->addMenu(tr("&Training"));
    start_action_ = run->addAction(QIcon(QStringLiteral(":/icons/start.svg")), tr("&Start"), QKeySequence(tr("Ctrl+R")), this,
                                   [this] { start_training(); });
    pause_action_ = run->addAction(QIcon(QStringLiteral(":/icons/pause.svg")), tr("&Pause / Resume"), QKeySequence(tr("Ctrl+P")),
                                   this, [this] { set_paused(!worker_->is_paused()); });
    stop_action_ = run->addAction(QIcon(QStringLiteral(":/icons/stop.svg")), tr("S&top"), QKeySequence(tr("Ctrl+.")), this,
                                  &MainWindow::stop_training);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
    view->addSeparator();
    for (int i = 0; i < tabs_->count(); ++i)
        view->addAction(tabs_->tabText(i), QKeySequence(QStringLiteral("Alt+%1").arg(i + 1)), this, [this, i] { tabs_->setCurrentIndex(i); });
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("The &method"), QKeySequence::HelpContents, this, [this] { tabs_->setCurrentIndex(3); });
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("About MILK Studio"),
                           tr("MILK Studio: new-item recommendation with missing modalities (MILK, SIGIR 2024)."));
    });
}

void MainWindow::show_error(const QString& title, const QString& message) {
    status_->setText(title + QStringLiteral(": ") + message);
    emit error_shown(message);
    if (report_error_) report_error_(title, message);
}

void MainWindow::load_dataset(const QString& spec) {
    dataset_panel_->set_loading(true, spec);
    status_->setText(tr("Loading %1...").arg(spec));
    loader_->load(spec);
}

void MainWindow::on_loaded(const LoadResult& result) {
    if (result.cancelled) {
        dataset_panel_->set_loading(false);
        status_->setText(tr("Loading cancelled"));
        emit dataset_ready(false);
        return;
    }
    if (!result.error.isEmpty()) {
        dataset_panel_->set_loading(false);
        show_error(tr("Could not load %1").arg(result.spec), result.error);
        emit dataset_ready(false);
        return;
    }
    dataset_ = result.dataset;
    last_dataset_ = result.spec;
    dataset_panel_->set_dataset(dataset_, result.spec);
    scenario_panel_->set_dataset(dataset_);
    QStringList names;
    for (const ModalityTable& m : dataset_->modalities) names << QString::fromStdString(m.name);
    env_chart_->set_modalities(names);
    explorer_->set_modalities(names);
    status_->setText(tr("Loaded %1 in %2 s").arg(result.spec).arg(result.seconds, 0, 'f', 2));
    emit dataset_ready(true);
    if (autostart_) {
        autostart_ = false;
        start_training();
    }
}

TrainingConfig MainWindow::current_config() const {
    TrainingConfig c;
    c.dataset = dataset_panel_->current_spec().isEmpty() ? std::string("preset:demo") : dataset_panel_->current_spec().toStdString();
    c.imputer = scenario_panel_->imputer().toStdString();
    model_panel_->write_to(c);
    return c;
}

void MainWindow::apply_config(const TrainingConfig& c) {
    model_panel_->read_from(c);
    scenario_panel_->set_imputer(QString::fromStdString(c.imputer));
    scenario_panel_->set_scenario(QString::fromStdString(c.scenario));
    scenario_panel_->set_seed(c.seed);
}

bool MainWindow::start_training() {
    if (worker_->is_running()) return false;
    if (!dataset_) {
        show_error(tr("No dataset"), tr("Load a dataset before starting a training run."));
        return false;
    }
    try {
        TrainingConfig c = current_config();
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        c.scenario = scenario_panel_->scenario_text(dir.isEmpty() ? QDir::tempPath() : dir).toStdString();
        c.validate();
        loss_chart_->clear();
        env_chart_->clear();
        variance_chart_->clear();
        metrics_chart_->clear();
        metrics_chart_->set_ks(c.ks, c.select_k);
        total_epochs_ = c.epochs;
        n_batches_ = 0;
        run_label_ = QStringLiteral("%1 / %2 / %3").arg(QString::fromStdString(c.model), QString::fromStdString(c.dataset),
                                                         QString::fromStdString(c.scenario));
        worker_->start(dataset_, c, options_.db_path);
    } catch (const std::exception& e) {
        show_error(tr("Cannot start training"), QString::fromStdString(e.what()));
        return false;
    }
    status_->setText(tr("Preparing %1...").arg(run_label_));
    update_running_state();
    return true;
}

void MainWindow::stop_training() {
    if (!worker_->is_running()) return;
    worker_->stop();
    status_->setText(tr("Stopping after the current batch..."));
}

void MainWindow::set_paused(bool paused) {
    worker_->set_paused(paused);
    if (worker_->is_running()) status_->setText(paused ? tr("Paused (the current batch finished)") : tr("Resumed"));
}

bool MainWindow::is_training() const { return worker_->is_running(); }

void MainWindow::update_running_state() {
    const bool running = worker_->is_running();
    const bool paused = worker_->is_paused();
    model_panel_->set_running(running, paused);
    scenario_panel_->setEnabled(!running);
    dataset_panel_->setEnabled(!running);
    start_action_->setEnabled(!running);
    pause_action_->setEnabled(running);
    stop_action_->setEnabled(running);
}

void MainWindow::on_started(const RunStarted& info) {
    n_batches_ = info.n_batches_per_epoch;
    status_->setText(tr("Training %1: %2 triples, %3 batches per epoch")
                         .arg(run_label_)
                         .arg(info.n_train_triples)
                         .arg(info.n_batches_per_epoch));
}

void MainWindow::on_batches(const BatchChunk& chunk) {
    loss_chart_->add_batches(chunk);
    env_chart_->add_batches(chunk);
    variance_chart_->add_batches(chunk);
    const BatchPoint& last = chunk.points.back();
    const int n = std::max(1, last.n_batches);
    const double done = ((last.epoch - 1) + static_cast<double>(last.batch) / n) / std::max(1, total_epochs_);
    progress_->setValue(static_cast<int>(done * 1000));
    const double eta = done > 0 ? chunk.seconds_since_start * (1 - done) / done : -1;
    progress_->setFormat(QStringLiteral("epoch %1/%2 · batch %3/%4").arg(last.epoch).arg(total_epochs_).arg(last.batch).arg(n));
    status_->setText(tr("%1 · ETA %2 (upper bound) · %3 triples/s · %4 elapsed")
                         .arg(run_label_, format_seconds(eta))
                         .arg(chunk.triples_per_second, 0, 'f', 0)
                         .arg(format_seconds(chunk.seconds_since_start)));
}

void MainWindow::on_epoch(const EpochEvent& e) {
    loss_chart_->add_epoch(e);
    variance_chart_->add_epoch(e);
    if (e.validation) metrics_chart_->add_validation(e.epoch, *e.validation);
}

void MainWindow::on_finished(const RunFinished& r) {
    if (r.test) metrics_chart_->set_test(r.best_epoch, *r.test);
    progress_->setValue(r.status == RunStatus::Finished || r.status == RunStatus::EarlyStopped ? 1000 : progress_->value());
    progress_->setFormat(QString::fromLatin1(to_string(r.status)));
    QString text = tr("Run %1: %2 after %3 epochs in %4; best epoch %5")
                       .arg(QString::fromLatin1(to_string(r.status)))
                       .arg(run_label_)
                       .arg(r.epochs_run)
                       .arg(format_seconds(r.seconds))
                       .arg(r.best_epoch);
    if (r.test) text += tr(" · test NDCG@20 %1").arg(r.test->metric("overall", "ndcg", 20), 0, 'f', 4);
    status_->setText(text);
    update_running_state();
    runs_view_->refresh();
    if (Trainer* t = worker_->last_trainer()) inspector_->set_trainer(t);
    if (r.status == RunStatus::Failed) show_error(tr("Training failed"), QString::fromStdString(r.message));
    emit training_finished(r);
}

void MainWindow::save_settings() {
    std::unique_ptr<QSettings> s = options_.settings_file.isEmpty()
                                       ? std::make_unique<QSettings>()
                                       : std::make_unique<QSettings>(options_.settings_file, QSettings::IniFormat);
    s->setValue(QStringLiteral("window/geometry"), saveGeometry());
    s->setValue(QStringLiteral("window/state"), saveState());
    s->setValue(QStringLiteral("dataset/last"), last_dataset_);
    TrainingConfig c = current_config();
    c.scenario = QString(scenario_panel_->spec().name().c_str()).toStdString();
    s->setValue(QStringLiteral("training/config"), QString::fromStdString(c.to_json().dump()));
    s->sync();
}

void MainWindow::restore_settings() {
    std::unique_ptr<QSettings> s = options_.settings_file.isEmpty()
                                       ? std::make_unique<QSettings>()
                                       : std::make_unique<QSettings>(options_.settings_file, QSettings::IniFormat);
    restoreGeometry(s->value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s->value(QStringLiteral("window/state")).toByteArray());
    last_dataset_ = s->value(QStringLiteral("dataset/last")).toString();
    const QString json = s->value(QStringLiteral("training/config")).toString();
    if (json.isEmpty()) return;
    try {
        apply_config(TrainingConfig::from_json(nlohmann::json::parse(json.toStdString()), "settings"));
    } catch (const std::exception& e) {
        status_->setText(tr("Ignored the saved configuration: %1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (worker_->is_running() || studies_view_->is_running()) {
        if (!confirm_close_ || !confirm_close_()) {
            event->ignore();
            return;
        }
        studies_view_->cancel();  // its destructor waits; finished cells stay in the store
        if (worker_->is_running()) {
            worker_->set_paused(false);
            worker_->stop();
            status_->setText(tr("Stopping the run..."));
            worker_->wait(60000);
        }
    }
    save_settings();
    event->accept();
}

}  // namespace milk::ui
