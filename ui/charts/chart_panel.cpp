#include "ui/charts/chart_panel.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <limits>

namespace milk::ui {

ChartPanel::ChartPanel(const QString& title, QWidget* parent) : QWidget(parent), title_(title) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    auto* bar = new QHBoxLayout;
    auto* label = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()));
    bar->addWidget(label);
    bar->addStretch(1);
    controls_ = new QHBoxLayout;
    bar->addLayout(controls_);
    auto* exportButton = new QToolButton;
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(exportButton);
    menu->addAction(tr("Save as PNG or PDF..."), this, &ChartPanel::export_dialog);
    menu->addAction(tr("Copy data as CSV"), this, &ChartPanel::copy_csv);
    exportButton->setMenu(menu);
    bar->addWidget(exportButton);
    layout->addLayout(bar);

    plot_ = new QCustomPlot(this);
    plot_->setMinimumSize(260, 180);
    plot_->setNoAntialiasingOnDrag(true);
    plot_->setMouseTracking(true);
    plot_->legend->setVisible(true);
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.85);
    plot_->legend->setFont(legendFont);
    plot_->legend->setBrush(QColor(255, 255, 255, 210));
    connect(plot_, &QCustomPlot::mouseMove, this, &ChartPanel::on_mouse_move);
    layout->addWidget(plot_, 1);
}

void ChartPanel::replot() { plot_->replot(QCustomPlot::rpQueuedReplot); }

int ChartPanel::point_count() const {
    int n = 0;
    for (int i = 0; i < plot_->plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot_->plottable(i);
        if (auto* g = qobject_cast<QCPGraph*>(p)) n += g->data()->size();
        else if (auto* b = qobject_cast<QCPBars*>(p)) n += b->data()->size();
        else if (auto* c = qobject_cast<QCPCurve*>(p)) n += c->data()->size();
    }
    return n;
}

QString ChartPanel::csv() const {
    QString out = QStringLiteral("chart,axes,series,x,y\n");
    auto quote = [](QString s) {
        s.replace('"', QStringLiteral("\"\""));
        return QStringLiteral("\"%1\"").arg(s);
    };
    for (int i = 0; i < plot_->plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot_->plottable(i);
        const QString axes = p->keyAxis() ? p->keyAxis()->label() : QString();
        const QString prefix = quote(title_) + ',' + quote(axes) + ',' + quote(p->name()) + ',';
        if (auto* g = qobject_cast<QCPGraph*>(p)) {
            for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
                out += prefix + QString::number(it->key, 'g', 10) + ',' + QString::number(it->value, 'g', 10) + '\n';
        } else if (auto* b = qobject_cast<QCPBars*>(p)) {
            for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it)
                out += prefix + QString::number(it->key, 'g', 10) + ',' + QString::number(it->value, 'g', 10) + '\n';
        } else if (auto* c = qobject_cast<QCPCurve*>(p)) {
            for (auto it = c->data()->constBegin(); it != c->data()->constEnd(); ++it)
                out += prefix + QString::number(it->key, 'g', 10) + ',' + QString::number(it->value, 'g', 10) + '\n';
        }
    }
    return out;
}

void ChartPanel::copy_csv() { QApplication::clipboard()->setText(csv()); }

bool ChartPanel::save_png(const QString& file) const { return plot_->savePng(file, 0, 0, 2.0); }
bool ChartPanel::save_pdf(const QString& file) const { return plot_->savePdf(file); }

void ChartPanel::export_dialog() {
    const QString file = QFileDialog::getSaveFileName(this, tr("Export %1").arg(title_), QString(),
                                                      tr("PNG image (*.png);;PDF document (*.pdf)"));
    if (file.isEmpty()) return;
    const bool ok = file.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive) ? save_pdf(file) : save_png(file);
    if (!ok) QToolTip::showText(QCursor::pos(), tr("Could not write %1").arg(file), this);
}

QString ChartPanel::describe_point_at(const QPointF& pos, double radius) const {
    double best = radius * radius;
    QString text;
    auto consider = [&](QCPAbstractPlottable* p, double key, double value, const QString& label) {
        if (!p->keyAxis() || !p->valueAxis()) return;
        const QPointF px = p->coordsToPixels(key, value);
        const double dx = px.x() - pos.x(), dy = px.y() - pos.y();
        const double d = dx * dx + dy * dy;
        if (d < best) {
            best = d;
            text = label;
        }
    };
    for (int i = 0; i < plot_->plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot_->plottable(i);
        if (!p->visible()) continue;
        const QString xl = p->keyAxis() ? p->keyAxis()->label() : QStringLiteral("x");
        const QString yl = p->valueAxis() ? p->valueAxis()->label() : QStringLiteral("y");
        auto label = [&](double k, double v) {
            return QStringLiteral("%1\n%2 = %3\n%4 = %5").arg(p->name(), xl, QString::number(k, 'g', 6), yl,
                                                            QString::number(v, 'g', 6));
        };
        if (auto* g = qobject_cast<QCPGraph*>(p)) {
            for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
                consider(p, it->key, it->value, label(it->key, it->value));
        } else if (auto* c = qobject_cast<QCPCurve*>(p)) {
            for (auto it = c->data()->constBegin(); it != c->data()->constEnd(); ++it)
                consider(p, it->key, it->value, label(it->key, it->value));
        } else if (auto* b = qobject_cast<QCPBars*>(p)) {
            // Bars: the top of each bar (stack-aware through the base value).
            for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it) {
                const double top = it->value;
                double base = 0;
                for (QCPBars* below = b->barBelow(); below; below = below->barBelow()) {
                    auto f = below->data()->findBegin(it->key, false);
                    if (f != below->data()->constEnd() && qFuzzyCompare(f->key + 1, it->key + 1)) base += f->value;
                }
                consider(p, it->key, base + top / 2, label(it->key, it->value));
            }
        }
    }
    return text;
}

void ChartPanel::on_mouse_move(QMouseEvent* event) {
    const QString text = describe_point_at(event->position());
    if (text.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
}

}  // namespace milk::ui
