#pragma once
// A model's parameters plus the JSON that rebuilds it (model name, hyper-parameters,
// training config), as bytes: "MILKCKPT", u32 version, u64 JSON length, JSON, then each
// parameter's float32 values in the order the JSON lists them (name, rows, cols).
#include "core/models/model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace milk {

std::vector<std::uint8_t> save_checkpoint(Model& model, const nlohmann::json& meta);
// Restores parameter values; FormatError when the bytes are truncated or the shapes differ.
void load_checkpoint(Model& model, const std::vector<std::uint8_t>& bytes, const std::string& source);
// The JSON header alone: {"model", "model_params", "meta", "parameters": [...]}.
nlohmann::json checkpoint_header(const std::vector<std::uint8_t>& bytes, const std::string& source);

void write_checkpoint_file(const std::string& path, const std::vector<std::uint8_t>& bytes);  // atomic
std::vector<std::uint8_t> read_checkpoint_file(const std::string& path);

}  // namespace milk
