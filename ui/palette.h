#pragma once
// Every colour the studio draws with, in one place: one colour per item group, per
// modality, per environment, per split and per compared run, the same in every chart and
// table, so "missing_1" is the same orange in the metric lines, the bars, the runs view and
// the robustness view, and environment e=2 the same indigo in the loss chart and the
// item inspector. Concepts get disjoint colours where they meet on one screen (groups vs
// splits in the scenario panel, environments vs modalities in the inspector).
#include <QColor>
#include <QString>

namespace milk::ui {

// Groups in the order the core reports them: overall, complete, missing_1, missing_2, ...
inline QColor group_color(int index) {
    static const QColor colors[] = {QColor(0x33, 0x33, 0x33), QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                                    QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b)};
    return colors[index % 6];
}
// "overall" -> 0, "complete" -> 1, "missing_k" -> k + 1.
inline int group_index(const QString& group) {
    if (group == QLatin1String("overall")) return 0;
    if (group == QLatin1String("complete")) return 1;
    if (group.startsWith(QLatin1String("missing_"))) return group.mid(8).toInt() + 1;
    return 5;
}
inline QColor group_color(const QString& group) { return group_color(group_index(group)); }

// Modalities (stacked bars of environment weights): image, text, audio, ...
inline QColor modality_color(int m) {
    static const QColor colors[] = {QColor(0x2c, 0xa0, 0x2c), QColor(0x17, 0xbe, 0xcf), QColor(0xbc, 0xbd, 0x22),
                                    QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f)};
    return colors[m % 5];
}
// Environments e = 0 (equal weights) .. M (per-environment BPR lines, inspector rows).
// Not the modality colours: environment e=1 is not "modality 0's" environment (which
// modality dominates it depends on the draw).
inline QColor environment_color(int e) {
    static const QColor colors[] = {QColor(0x55, 0x55, 0x55), QColor(0x8c, 0x6d, 0x31), QColor(0x39, 0x3b, 0x79),
                                    QColor(0xad, 0x49, 0x4a), QColor(0x63, 0x79, 0x39), QColor(0x7b, 0x41, 0x73)};
    return colors[e % 6];
}
// The inference fusion (Eq. 18): same weights as e=0, drawn darker to tell them apart.
inline QColor inference_color() { return QColor(0x11, 0x11, 0x11); }
// Dirichlet draws in the environment history (simplex scatter, theta histogram).
inline QColor draw_color(int alpha = 255) {
    QColor c(0x39, 0x3b, 0x79);
    c.setAlpha(alpha);
    return c;
}

// Splits in the scenario preview: warm (train), validation-new, test-new.
inline QColor split_color(int index) {
    static const QColor colors[] = {QColor(0xb4, 0xb4, 0xb4), QColor(0x6b, 0x6e, 0xcf), QColor(0xce, 0x6d, 0xbd)};
    return colors[index % 3];
}
inline QColor split_color(const QString& split) {
    if (split.startsWith(QLatin1String("val"))) return split_color(1);
    if (split.startsWith(QLatin1String("test"))) return split_color(2);
    return split_color(0);
}

// Runs compared side by side (curves and bars of the selected runs), by selection order.
inline QColor run_color(int index) {
    static const QColor colors[] = {QColor(0x1b, 0x9e, 0x77), QColor(0xd9, 0x5f, 0x02), QColor(0x75, 0x70, 0xb3),
                                    QColor(0xe7, 0x29, 0x8a), QColor(0x66, 0xa6, 0x1e), QColor(0xe6, 0xab, 0x02),
                                    QColor(0xa6, 0x76, 0x1d), QColor(0x66, 0x66, 0x66)};
    return colors[index % 8];
}

// Rows of a study (models, or grid points of a sensitivity study): a dozen distinct colours,
// since Table 2 compares twelve systems side by side.
inline QColor study_row_color(int index) {
    static const QColor colors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                                    QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                    QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f), QColor(0xbc, 0xbd, 0x22),
                                    QColor(0x17, 0xbe, 0xcf), QColor(0x39, 0x3b, 0x79), QColor(0x11, 0x11, 0x11)};
    return colors[index % 12];
}

// Scenarios in the robustness view: full modalities drawn light, missing ones solid.
inline QColor full_scenario_color(const QColor& group) { return group.lighter(165); }

// Errors and failed / interrupted runs.
inline QColor error_color() { return QColor(0xb0, 0x00, 0x20); }
inline QColor muted_color() { return QColor(0x80, 0x80, 0x80); }

// Generic series (losses): a stable colour per name.
inline QColor series_color(const QString& name) {
    if (name == QLatin1String("loss")) return QColor(0x00, 0x00, 0x00);
    if (name == QLatin1String("bpr_mean")) return QColor(0x1f, 0x77, 0xb4);
    if (name == QLatin1String("variance")) return QColor(0xd6, 0x27, 0x28);
    if (name == QLatin1String("align")) return QColor(0x94, 0x67, 0xbd);
    if (name.startsWith(QLatin1String("env_"))) return environment_color(name.mid(4).toInt());
    static const QColor others[] = {QColor(0x8c, 0x56, 0x4b), QColor(0xff, 0x7f, 0x0e), QColor(0x7f, 0x7f, 0x7f)};
    return others[qHash(name) % 3];
}

}  // namespace milk::ui
