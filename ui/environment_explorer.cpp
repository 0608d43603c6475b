#include "ui/environment_explorer.h"

#include "core/models/milk/cyclic_mixup.h"
#include "ui/palette.h"

#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>

namespace milk::ui {

namespace {
constexpr int kDraws = 12;
// alpha on a log slider: position p in [0, 90] -> 10^(p/30 - 2), i.e. 0.01 .. 10.
double alpha_of(int position) { return std::pow(10.0, position / 30.0 - 2.0); }
int position_of(double alpha) { return static_cast<int>(std::lround((std::log10(alpha) + 2.0) * 30.0)); }

std::vector<double> to_double(const std::vector<float>& v) { return {v.begin(), v.end()}; }

void stacked(QCustomPlot* plot, const std::vector<std::vector<double>>& columns, const QStringList& names,
             const QStringList& ticks) {
    plot->clearPlottables();
    if (columns.empty()) return;
    const int m = static_cast<int>(columns.front().size());
    QCPBars* below = nullptr;
    for (int k = 0; k < m; ++k) {
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(names.value(k, QStringLiteral("modality %1").arg(k + 1)));
        bars->setBrush(modality_color(k));
        bars->setPen(QPen(modality_color(k).darker(130)));
        bars->setWidth(0.7);
        for (int c = 0; c < static_cast<int>(columns.size()); ++c) bars->addData(c, columns[c][k]);
        if (below) bars->moveAbove(below);
        below = bars;
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int c = 0; c < ticks.size(); ++c) ticker->addTick(c, ticks[c]);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setRange(-0.6, columns.size() - 0.4);
    plot->yAxis->setRange(0, 1.02);
    plot->replot();
}
}  // namespace

EnvironmentExplorer::EnvironmentExplorer(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* explanation = new QLabel(tr(
        "<b>How MILK builds its environments (CEIM, Eq. 9-12).</b> One draw <i>w</i> ~ Dirichlet(&alpha;) over the M modalities is "
        "turned into M environments by cyclic shifts: each environment rotates the previous one by one position (Eq. 11), so the "
        "largest weight lands on a different modality in each environment and <b>every modality dominates exactly one "
        "environment</b>. The model must then rank well whichever modality it leans on, which is what a new item missing "
        "that modality needs. Environment <i>e</i> = 0 keeps the equal weights 1/M: it is the inference mix (Eq. 18), so "
        "training always also optimises what is used at test time. Small &alpha; gives peaked draws (one modality dominates "
        "strongly); large &alpha; gives nearly equal weights and weak invariance pressure."));
    explanation->setWordWrap(true);
    layout->addWidget(explanation);
    auto* controls = new QGridLayout;
    m_slider_ = new QSlider(Qt::Horizontal);
    m_slider_->setRange(2, 5);
    m_slider_->setValue(3);
    alpha_slider_ = new QSlider(Qt::Horizontal);
    alpha_slider_->setRange(0, 90);
    alpha_slider_->setValue(position_of(0.1));
    alpha_slider_->setToolTip(tr("Dirichlet concentration alpha (log scale 0.01 .. 10; MILK's default 0.1)"));
    seed_ = new QSpinBox;
    seed_->setRange(0, 1'000'000);
    seed_->setValue(2024);
    auto* redraw_button = new QPushButton(tr("New draw"));
    values_ = new QLabel;
    controls->addWidget(new QLabel(tr("modalities M")), 0, 0);
    controls->addWidget(m_slider_, 0, 1);
    controls->addWidget(new QLabel(tr("concentration alpha")), 0, 2);
    controls->addWidget(alpha_slider_, 0, 3);
    controls->addWidget(new QLabel(tr("seed")), 0, 4);
    controls->addWidget(seed_, 0, 5);
    controls->addWidget(redraw_button, 0, 6);
    controls->addWidget(values_, 1, 0, 1, 7);
    layout->addLayout(controls);
    auto* plots = new QHBoxLayout;
    current_ = new QCustomPlot;
    current_->setMinimumSize(300, 260);
    current_->xAxis->setLabel(tr("environment of one draw (e = 0: equal weights)"));
    current_->yAxis->setLabel(tr("modality weight"));
    current_->legend->setVisible(true);
    draws_ = new QCustomPlot;
    draws_->setMinimumSize(300, 260);
    draws_->xAxis->setLabel(tr("successive draws w ~ Dir(alpha) (environment e = 1)"));
    draws_->yAxis->setLabel(tr("modality weight"));
    plots->addWidget(current_, 1);
    plots->addWidget(draws_, 1);
    layout->addLayout(plots, 1);
    connect(m_slider_, &QSlider::valueChanged, this, &EnvironmentExplorer::redraw);
    connect(alpha_slider_, &QSlider::valueChanged, this, &EnvironmentExplorer::redraw);
    connect(seed_, &QSpinBox::valueChanged, this, &EnvironmentExplorer::redraw);
    connect(redraw_button, &QPushButton::clicked, this, [this] { seed_->setValue(seed_->value() + 1); });
    redraw();
}

double EnvironmentExplorer::alpha() const { return alpha_of(alpha_slider_->value()); }

void EnvironmentExplorer::set_modalities(const QStringList& names) {
    modalities_ = names;
    if (!names.isEmpty()) m_slider_->setValue(std::clamp(static_cast<int>(names.size()), 2, 5));
    redraw();
}

void EnvironmentExplorer::set_parameters(int m, double alpha, std::uint64_t seed) {
    m_slider_->setValue(m);
    alpha_slider_->setValue(position_of(alpha));
    seed_->setValue(static_cast<int>(seed));
    redraw();
}

void EnvironmentExplorer::redraw() {
    const int m = m_slider_->value();
    const double a = alpha();
    // The core's own environment builder (CEIM, Eq. 9-11), seeded: same seed = same draws.
    milk::Rng rng(static_cast<std::uint64_t>(seed_->value()));
    EnvironmentStrategy strategy;
    strategy.alpha = a;
    CyclicMixup mixup(m, strategy);
    environments_.clear();
    for (const auto& row : mixup.next(rng)) environments_.push_back(to_double(row));
    const std::vector<double> w = environments_.size() > 1 ? environments_[1] : environments_.front();
    QStringList ticks{tr("e=0\n(equal)")};
    for (int e = 1; e < static_cast<int>(environments_.size()); ++e) ticks << QStringLiteral("e=%1").arg(e);
    QStringList names = modalities_.size() == m ? modalities_ : QStringList{};
    stacked(current_, environments_, names, ticks);
    std::vector<std::vector<double>> draws{w};
    QStringList drawTicks{QStringLiteral("1")};
    for (int d = 2; d <= kDraws; ++d) {
        draws.push_back(to_double(sample_dirichlet(m, a, rng)));
        drawTicks << QString::number(d);
    }
    stacked(draws_, draws, names, drawTicks);
    QString text = tr("M = %1, alpha = %2; this draw w = (").arg(m).arg(a, 0, 'f', 2);
    for (int k = 0; k < m; ++k) text += (k ? QStringLiteral(", ") : QString()) + QString::number(w[k], 'f', 3);
    values_->setText(text + QStringLiteral(")"));
}

}  // namespace milk::ui
