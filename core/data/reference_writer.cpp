// Writes a Dataset in the public MILK code's folder layout, atomically as a whole folder.
#include "core/data/atomic_file.h"
#include "core/data/loaders.h"
#include "core/data/npy.h"
#include "core/error.h"

#include <filesystem>
#include <string>

namespace milk {

namespace fs = std::filesystem;

namespace {

void write_split(const std::string& path, const Interactions& x) {
    AtomicFile out(path);
    std::string buf;
    buf.reserve(1 << 16);
    for (int u = 0; u < x.n_users(); ++u) {
        auto items = x.of(u);
        if (items.empty()) continue;
        buf += std::to_string(u);
        for (auto i : items) {
            buf += ' ';
            buf += std::to_string(i);
        }
        buf += '\n';
        if (buf.size() > (1 << 16) - 256) {
            out.write(buf);
            buf.clear();
        }
    }
    out.write(buf);
    out.commit();
}

// Removes the temporary folder unless the write reached the final rename.
struct TempFolder {
    std::string path;
    bool keep = false;
    ~TempFolder() {
        if (keep) return;
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

void write_reference_layout(const Dataset& ds, const std::string& folder, const MissingVariants* variants) {
    ds.validate();
    const int M = ds.n_modalities();
    if (variants) {
        if (variants->mask.size() != static_cast<std::size_t>(ds.n_items) * M)
            throw DataError(describe(folder, "availability mask", std::to_string(ds.n_items) + " x " + std::to_string(M) +
                                                                      " entries",
                                     std::to_string(variants->mask.size())));
        if (variants->imputed.size() != static_cast<std::size_t>(M))
            throw DataError(describe(folder, "imputed features", std::to_string(M) + " tables",
                                     std::to_string(variants->imputed.size())));
        for (int m = 0; m < M; ++m)
            if (variants->imputed[m].rows() != ds.n_items || variants->imputed[m].cols() != ds.modalities[m].dim())
                throw DataError(describe(folder, "imputed features of '" + ds.modalities[m].name + "'",
                                         std::to_string(ds.n_items) + " x " + std::to_string(ds.modalities[m].dim()),
                                         std::to_string(variants->imputed[m].rows()) + " x " +
                                             std::to_string(variants->imputed[m].cols())));
    }
    std::error_code ec;
    if (fs::exists(folder, ec)) {
        if (!fs::is_directory(folder, ec) || !fs::is_empty(folder, ec))
            throw IoError(describe(folder, "", "a new or empty output folder", "an existing non-empty file or folder"));
    }
    fs::path target = fs::absolute(folder, ec);
    if (target.filename().empty()) target = target.parent_path();
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw IoError(describe(target.parent_path().string(), "", "a folder that can be created", ec.message()));
    TempFolder tmp{temporary_sibling(target.string())};
    if (!fs::create_directory(tmp.path, ec) || ec)
        throw IoError(describe(tmp.path, "", "a new temporary folder", ec ? ec.message() : "it exists"));
    auto in = [&](const std::string& name) { return (fs::path(tmp.path) / name).string(); };

    write_split(in("train.txt"), ds.train);
    write_split(in("val.txt"), ds.validation);
    write_split(in("test.txt"), ds.test);
    std::vector<std::int64_t> cold;
    for (auto i : ds.new_items()) cold.push_back(i);
    write_npy(in("cold_item_index.npy"), cold);

    bool natural_missing = false;
    for (const auto& t : ds.modalities) {
        write_npy(in(t.name + "_feat.npy"), t.features);
        for (auto p : t.present) natural_missing |= (p == 0);
    }
    if (natural_missing) {
        std::vector<std::uint8_t> mask(static_cast<std::size_t>(ds.n_items) * M);
        for (int i = 0; i < ds.n_items; ++i)
            for (int m = 0; m < M; ++m) mask[static_cast<std::size_t>(i) * M + m] = ds.modalities[m].present[i] ? 1 : 0;
        write_npy_u8(in("modality_mask.npy"), mask.data(), ds.n_items, M);
    }

    if (variants) {
        auto available = [&](int i, int m) { return variants->mask[static_cast<std::size_t>(i) * M + m] != 0; };
        std::vector<std::int64_t> warm_missing, cold_missing;
        for (int i = 0; i < ds.n_items; ++i) {
            bool any = false;
            for (int m = 0; m < M; ++m) any |= !available(i, m);
            if (any) (ds.roles[i] == ItemRole::Warm ? warm_missing : cold_missing).push_back(i);
        }
        write_npy(in("warm_missing_item_index.npy"), warm_missing);
        write_npy(in("cold_missing_item_index.npy"), cold_missing);
        for (int m = 0; m < M; ++m) {
            const auto& t = ds.modalities[m];
            const auto& imp = variants->imputed[m];
            // suffix, which items' unavailable rows get the imputed row
            const struct { const char* suffix; bool warm, fresh; } kinds[3] = {
                {"_feat_missing_test.npy", false, true}, {"_feat_missing_train.npy", true, false},
                {"_feat_missing_all.npy", true, true}};
            for (const auto& k : kinds) {
                FeatureMatrix f = t.features;
                for (int i = 0; i < ds.n_items; ++i) {
                    if (available(i, m)) continue;
                    const bool warm = ds.roles[i] == ItemRole::Warm;
                    // Naturally absent rows are missing in every variant; the public code
                    // knows no mask, so they are filled everywhere.
                    const bool natural = !t.present[i];
                    if (natural || (warm && k.warm) || (!warm && k.fresh)) f.row(i) = imp.row(i);
                }
                write_npy(in(t.name + k.suffix), f);
            }
        }
    }

    if (fs::exists(target, ec)) fs::remove(target, ec);  // an empty folder, checked above
    fs::rename(tmp.path, target, ec);
    if (ec) throw IoError(describe(target.string(), "", "a rename of the finished folder " + tmp.path, ec.message()));
    tmp.keep = true;
}

}  // namespace milk
