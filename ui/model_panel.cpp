#include "ui/model_panel.h"

#include "core/models/model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace milk::ui {

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    model_ = new QComboBox;
    for (const ModelInfo& info : model_registry()) {
        model_->addItem(QString::fromStdString(info.title.empty() ? info.name : info.title), QString::fromStdString(info.name));
        model_->setItemData(model_->count() - 1, QString::fromStdString(info.description), Qt::ToolTipRole);
    }
    layout->addWidget(model_);
    description_ = new QLabel;
    description_->setWordWrap(true);
    description_->setStyleSheet(QStringLiteral("color: #555"));
    layout->addWidget(description_);
    form_box_ = new QWidget;
    form_ = new QFormLayout(form_box_);
    form_->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(form_box_);

    training_box_ = new QWidget;
    auto* training = new QFormLayout(training_box_);
    training->setContentsMargins(0, 0, 0, 0);
    epochs_ = new QSpinBox;
    epochs_->setRange(1, 10000);
    epochs_->setValue(30);
    training->addRow(tr("Epochs"), epochs_);
    batch_ = new QSpinBox;
    batch_->setRange(1, 1 << 20);
    batch_->setValue(2048);
    batch_->setToolTip(tr("BPR triples per mini-batch (paper 5.1.4: 2048)"));
    training->addRow(tr("Batch size"), batch_);
    lr_ = new QDoubleSpinBox;
    lr_->setDecimals(5);
    lr_->setRange(1e-5, 1.0);
    lr_->setSingleStep(1e-4);
    lr_->setValue(1e-3);
    lr_->setToolTip(tr("Adam learning rate (paper 5.1.4: 0.001)"));
    training->addRow(tr("Learning rate"), lr_);
    patience_ = new QSpinBox;
    patience_->setRange(1, 1000);
    patience_->setValue(10);
    patience_->setToolTip(tr("Validation checks without improvement of NDCG@20 before early stopping"));
    training->addRow(tr("Patience"), patience_);
    eval_every_ = new QSpinBox;
    eval_every_->setRange(1, 100);
    eval_every_->setValue(1);
    training->addRow(tr("Validate every"), eval_every_);
    seed_ = new QSpinBox;
    seed_->setRange(0, 1'000'000'000);
    seed_->setValue(2024);
    seed_->setToolTip(tr("The run's one seed: scenario, initialisation, sampling and environments (same seed = same numbers)"));
    training->addRow(tr("Training seed"), seed_);
    layout->addWidget(training_box_);

    auto* buttons = new QHBoxLayout;
    start_ = new QPushButton(QIcon(QStringLiteral(":/icons/start.svg")), tr("Start"));
    pause_ = new QPushButton(QIcon(QStringLiteral(":/icons/pause.svg")), tr("Pause"));
    stop_ = new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), tr("Stop"));
    start_->setObjectName(QStringLiteral("startButton"));
    stop_->setObjectName(QStringLiteral("stopButton"));
    buttons->addWidget(start_);
    buttons->addWidget(pause_);
    buttons->addWidget(stop_);
    layout->addLayout(buttons);
    layout->addStretch(1);
    connect(start_, &QPushButton::clicked, this, &ModelPanel::start_requested);
    connect(stop_, &QPushButton::clicked, this, &ModelPanel::stop_requested);
    connect(pause_, &QPushButton::clicked, this, [this] { emit pause_toggled(!paused_); });
    connect(model_, &QComboBox::currentIndexChanged, this, &ModelPanel::rebuild_form);
    connect(seed_, &QSpinBox::valueChanged, this, &ModelPanel::seed_changed);
    set_running(false, false);
    rebuild_form();
}

QString ModelPanel::model_name() const { return model_->currentData().toString(); }

void ModelPanel::set_seed(int seed) { seed_->setValue(seed); }

void ModelPanel::rebuild_form() {
    params_.clear();
    while (form_->rowCount() > 0) form_->removeRow(0);
    if (model_->currentIndex() < 0) return;
    const ModelInfo& info = model_info(model_name().toStdString());
    description_->setText(QString::fromStdString(info.description));
    // Switch defaults come from the model's own config (the registry lists keys only).
    nlohmann::json defaults = nlohmann::json::object();
    try {
        defaults = create_model(info.name, nlohmann::json::object())->config();
    } catch (const std::exception&) {
    }
    for (const HyperParameter& hp : info.hyper_parameters) {
        const QString tip = QStringLiteral("<b>%1</b> — %2<br>range [%3, %4]%5")
                                .arg(QString::fromStdString(hp.symbol).toHtmlEscaped(),
                                     QString::fromStdString(hp.description).toHtmlEscaped())
                                .arg(hp.min)
                                .arg(hp.max)
                                .arg(hp.log_scale ? tr(", log scale") : QString());
        const QString label = hp.symbol.empty() ? QString::fromStdString(hp.key)
                                                : QStringLiteral("%1 (%2)").arg(QString::fromStdString(hp.key),
                                                                                QString::fromStdString(hp.symbol));
        QWidget* editor = nullptr;
        if (hp.integer) {
            auto* box = new QSpinBox;
            box->setRange(static_cast<int>(hp.min), static_cast<int>(hp.max));
            box->setValue(static_cast<int>(hp.default_value));
            editor = box;
        } else {
            auto* box = new QDoubleSpinBox;
            const int decimals = hp.min > 0 ? std::max(2, static_cast<int>(std::ceil(-std::log10(hp.min))) + 2) : 4;
            box->setDecimals(std::min(decimals, 8));
            box->setRange(hp.min, hp.max);
            box->setSingleStep(hp.log_scale ? std::max(hp.min, hp.default_value / 10) : (hp.max - hp.min) / 100);
            box->setValue(hp.default_value);
            editor = box;
        }
        editor->setToolTip(tip);
        auto* name = new QLabel(label);
        name->setToolTip(tip);
        form_->addRow(name, editor);
        params_.insert(QString::fromStdString(hp.key), editor);
    }
    for (const auto& [key, description] : info.switches) {
        auto* box = new QCheckBox(QString::fromStdString(key));
        box->setToolTip(QString::fromStdString(description));
        if (defaults.contains(key) && defaults[key].is_boolean()) box->setChecked(defaults[key].get<bool>());
        form_->addRow(box);
        params_.insert(QString::fromStdString(key), box);
    }
}

void ModelPanel::write_to(TrainingConfig& c) const {
    c.model = model_name().toStdString();
    c.model_params = nlohmann::json::object();
    for (auto it = params_.begin(); it != params_.end(); ++it) {
        const std::string key = it.key().toStdString();
        if (auto* i = qobject_cast<QSpinBox*>(it.value())) c.model_params[key] = i->value();
        else if (auto* d = qobject_cast<QDoubleSpinBox*>(it.value())) c.model_params[key] = d->value();
        else if (auto* b = qobject_cast<QCheckBox*>(it.value())) c.model_params[key] = b->isChecked();
    }
    c.epochs = epochs_->value();
    c.batch_size = batch_->value();
    c.learning_rate = lr_->value();
    c.patience = patience_->value();
    c.eval_every = eval_every_->value();
    c.seed = static_cast<std::uint64_t>(seed_->value());
}

void ModelPanel::read_from(const TrainingConfig& c) {
    const int index = model_->findData(QString::fromStdString(c.model));
    if (index >= 0) model_->setCurrentIndex(index);
    rebuild_form();
    for (auto it = c.model_params.begin(); it != c.model_params.end(); ++it) {
        QWidget* w = params_.value(QString::fromStdString(it.key()));
        if (auto* i = qobject_cast<QSpinBox*>(w); i && it->is_number()) i->setValue(it->get<int>());
        else if (auto* d = qobject_cast<QDoubleSpinBox*>(w); d && it->is_number()) d->setValue(it->get<double>());
        else if (auto* b = qobject_cast<QCheckBox*>(w); b && it->is_boolean()) b->setChecked(it->get<bool>());
    }
    epochs_->setValue(c.epochs);
    batch_->setValue(c.batch_size);
    lr_->setValue(c.learning_rate);
    patience_->setValue(c.patience);
    eval_every_->setValue(c.eval_every);
    seed_->setValue(static_cast<int>(c.seed));
}

void ModelPanel::set_running(bool running, bool paused) {
    paused_ = paused;
    model_->setEnabled(!running);
    form_box_->setEnabled(!running);
    training_box_->setEnabled(!running);
    start_->setEnabled(!running);
    pause_->setEnabled(running);
    stop_->setEnabled(running);
    pause_->setText(paused ? tr("Resume") : tr("Pause"));
    pause_->setIcon(QIcon(paused ? QStringLiteral(":/icons/start.svg") : QStringLiteral(":/icons/pause.svg")));
    setToolTip(running ? tr("The configuration of a running training cannot be edited; stop it first.") : QString());
}

}  // namespace milk::ui
