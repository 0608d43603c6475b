#pragma once
// A QCustomPlot with the actions every chart shares: export PNG / PDF, copy the plotted
// data as CSV, and a tooltip with the exact value of the point nearest the mouse.
#include <QString>
#include <QWidget>

class QCustomPlot;
class QHBoxLayout;
class QMouseEvent;

namespace milk::ui {

class ChartPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChartPanel(const QString& title, QWidget* parent = nullptr);
    QCustomPlot* plot() const { return plot_; }
    QString title() const { return title_; }
    // Tidy CSV of every graph and bar series: plot,series,x,y.
    virtual QString csv() const;
    bool save_png(const QString& file) const;
    bool save_pdf(const QString& file) const;
    // Number of data points currently drawn (for tests and the status line).
    int point_count() const;
    // "name: x = ..., y = ..." of the point within `radius` pixels of pos, or empty.
    QString describe_point_at(const QPointF& pos, double radius = 24) const;
    virtual void clear() = 0;

public slots:
    void copy_csv();
    void export_dialog();

protected:
    // Controls (sliders, toggles) of the concrete chart go here, left of the export button.
    QHBoxLayout* controls() const { return controls_; }
    void replot();

private:
    void on_mouse_move(QMouseEvent* event);
    QString title_;
    QCustomPlot* plot_ = nullptr;
    QHBoxLayout* controls_ = nullptr;
};

}  // namespace milk::ui
