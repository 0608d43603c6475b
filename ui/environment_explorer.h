#pragma once
// Teaching: how CEIM builds its environments (paper Eq. 9-12), drawn by the core's own
// CyclicMixup: pick M and the Dirichlet concentration alpha; one draw gives M environments
// by cyclic shifts, so each modality dominates exactly one of them, plus e = 0 with the
// equal weights 1/M used at inference. Draws are seeded and repeatable.
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <vector>

class QCustomPlot;
class QLabel;
class QSlider;
class QSpinBox;

namespace milk::ui {

class EnvironmentExplorer : public QWidget {
    Q_OBJECT
public:
    explicit EnvironmentExplorer(QWidget* parent = nullptr);
    void set_modalities(const QStringList& names);
    void set_parameters(int m, double alpha, std::uint64_t seed);
    // environments x modalities of the current draw (row 0 = equal weights).
    const std::vector<std::vector<double>>& environments() const { return environments_; }
    double alpha() const;

private:
    void redraw();
    QSlider* m_slider_ = nullptr;
    QSlider* alpha_slider_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QLabel* values_ = nullptr;
    QCustomPlot* current_ = nullptr;
    QCustomPlot* draws_ = nullptr;
    QStringList modalities_;
    std::vector<std::vector<double>> environments_;
};

}  // namespace milk::ui
