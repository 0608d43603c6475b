#pragma once
// One colour per item group and per environment, the same in every chart and table,
// so "missing_1" is the same orange in the metric lines, the bars and the runs view.
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
// Environments e = 0 (equal weights) .. M (per-environment BPR lines).
inline QColor environment_color(int e) {
    static const QColor colors[] = {QColor(0x55, 0x55, 0x55), QColor(0x2c, 0xa0, 0x2c), QColor(0x17, 0xbe, 0xcf),
                                    QColor(0xbc, 0xbd, 0x22), QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f)};
    return colors[e % 6];
}
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
