#include "core/models/checkpoint.h"

#include "core/error.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace milk {

namespace {
constexpr char kMagic[8] = {'M', 'I', 'L', 'K', 'C', 'K', 'P', 'T'};
constexpr std::uint32_t kVersion = 1;

template <typename T>
void put(std::vector<std::uint8_t>& out, const T& v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
}

struct Parsed {
    nlohmann::json header;
    std::size_t payload = 0;
};

Parsed parse(const std::vector<std::uint8_t>& bytes, const std::string& source) {
    const std::size_t head = sizeof(kMagic) + sizeof(std::uint32_t) + sizeof(std::uint64_t);
    if (bytes.size() < head || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
        throw FormatError(describe(source, "header", "a MILK checkpoint (magic MILKCKPT)", "other bytes"));
    std::uint32_t version;
    std::uint64_t len;
    std::memcpy(&version, bytes.data() + 8, 4);
    std::memcpy(&len, bytes.data() + 12, 8);
    if (version != kVersion)
        throw FormatError(describe(source, "version", std::to_string(kVersion), std::to_string(version)));
    if (bytes.size() < head + len)
        throw FormatError(describe(source, "JSON header", std::to_string(len) + " bytes",
                                   std::to_string(bytes.size() - head) + " bytes (truncated)"));
    Parsed p;
    try {
        p.header = nlohmann::json::parse(bytes.begin() + head, bytes.begin() + static_cast<long>(head + len));
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(describe(source, "JSON header", "valid JSON", e.what()));
    }
    p.payload = head + len;
    return p;
}
}  // namespace

std::vector<std::uint8_t> save_checkpoint(Model& model, const nlohmann::json& meta) {
    nlohmann::json params = nlohmann::json::array();
    for (nn::Parameter* p : model.parameters())
        params.push_back({{"name", p->name}, {"rows", p->value.rows()}, {"cols", p->value.cols()}});
    nlohmann::json header = {{"model", model.name()}, {"model_params", model.config()}, {"meta", meta},
                             {"parameters", params}};
    const std::string text = header.dump();
    std::vector<std::uint8_t> out(kMagic, kMagic + sizeof(kMagic));
    put(out, kVersion);
    put(out, static_cast<std::uint64_t>(text.size()));
    out.insert(out.end(), text.begin(), text.end());
    for (nn::Parameter* p : model.parameters()) {
        const auto* data = reinterpret_cast<const std::uint8_t*>(p->value.data());
        out.insert(out.end(), data, data + p->value.size() * sizeof(float));
    }
    return out;
}

nlohmann::json checkpoint_header(const std::vector<std::uint8_t>& bytes, const std::string& source) {
    return parse(bytes, source).header;
}

void load_checkpoint(Model& model, const std::vector<std::uint8_t>& bytes, const std::string& source) {
    Parsed parsed = parse(bytes, source);
    const auto& list = parsed.header.at("parameters");
    auto params = model.parameters();
    if (list.size() != params.size())
        throw FormatError(describe(source, "parameters", std::to_string(params.size()) + " tensors for " + model.name(),
                                   std::to_string(list.size())));
    std::size_t offset = parsed.payload;
    for (std::size_t i = 0; i < params.size(); ++i) {
        nn::Parameter& p = *params[i];
        const auto rows = list[i].at("rows").get<Eigen::Index>(), cols = list[i].at("cols").get<Eigen::Index>();
        if (rows != p.value.rows() || cols != p.value.cols())
            throw FormatError(describe(source, "parameter '" + p.name + "'",
                                       std::to_string(p.value.rows()) + " x " + std::to_string(p.value.cols()),
                                       std::to_string(rows) + " x " + std::to_string(cols)));
        const std::size_t n = static_cast<std::size_t>(rows * cols) * sizeof(float);
        if (offset + n > bytes.size())
            throw FormatError(describe(source, "parameter '" + p.name + "'", std::to_string(n) + " bytes",
                                       std::to_string(bytes.size() - offset) + " bytes (truncated)"));
        std::memcpy(p.value.data(), bytes.data() + offset, n);
        offset += n;
    }
}

void write_checkpoint_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw IoError(describe(path, "", "a writable file", "cannot open '" + tmp + "' for writing"));
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            std::remove(tmp.c_str());
            throw IoError(describe(path, "", "the checkpoint written", "a write error (disk full?)"));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw IoError(describe(path, "", "a renamable file", ec.message()));
    }
}

std::vector<std::uint8_t> read_checkpoint_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(describe(path, "", "a readable checkpoint file", "no such file or no permission"));
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace milk
