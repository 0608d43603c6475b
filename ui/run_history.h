#pragma once
// The GUI's link to the RunStore: a recorder for the training thread (its own RunStore
// connection, as the store's threading contract asks) that forwards every trainer event
// to milk::RunRecorder, so a run survives closing the window or a crash.
#include "core/train/training_events.h"

#include <QString>

#include <memory>

namespace milk::ui {

// Opens `db_path` (creating it) and returns a listener that records one run into it.
// Throws milk::IoError / FormatError / StateError from the store.
std::unique_ptr<TrainingListener> make_run_recorder(const QString& db_path);

}  // namespace milk::ui
