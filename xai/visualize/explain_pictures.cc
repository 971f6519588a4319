#include "xai/visualize/explain_pictures.h"

#include <cctype>
#include <filesystem>

#include "xai/base/json_shape.h"
#include "xai/explain/explain_xrai.h"
#include "xai/rest/vertex_explain.h"
#include "xai/visualize/visualize.h"

namespace xai {
namespace {

std::string FileSafe(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return out;
}

// The metadata's visualization settings as the JSON object Vertex accepts.
Json VisualizationJson(const InputMetadata& md) {
  if (!md.visualization) return nullptr;
  const Visualization& v = *md.visualization;
  Json out = Json::object();
  if (!v.type.empty()) out["type"] = v.type;
  if (!v.polarity.empty()) out["polarity"] = v.polarity;
  if (!v.color_map.empty()) out["colorMap"] = v.color_map;
  if (v.clip_percent_upperbound) out["clipPercentUpperbound"] = *v.clip_percent_upperbound;
  if (v.clip_percent_lowerbound) out["clipPercentLowerbound"] = *v.clip_percent_lowerbound;
  if (!v.overlay_type.empty()) out["overlayType"] = v.overlay_type;
  return out;
}

// Bars of one feature: a number, or one per element of a (nested) array.
void AddBars(const PictureFeature& f, std::vector<std::pair<std::string, double>>* bars) {
  if (!f.folded.is_array()) {
    bars->emplace_back(f.name, f.folded.get<double>());
    return;
  }
  std::vector<Json> flat = NestedListLeaves(f.folded);
  const auto& names = f.md->index_feature_mapping;
  for (size_t e = 0; e < flat.size(); ++e) {
    std::string label = e < names.size() ? names[e] : f.name + "[" + std::to_string(e) + "]";
    bars->emplace_back(label, flat[e].get<double>());
  }
}

}  // namespace

StatusOr<std::vector<std::string>> WritePictures(const std::string& dir, const std::vector<PictureFeature>& features,
                                                 int64_t i, int64_t k, const std::string& method,
                                                 const std::string& title) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::FailedPreconditionError("--visualize: cannot create directory " + dir + ": " + ec.message());
  std::string stem = dir + "/instance" + std::to_string(i) + "_output" + std::to_string(k);
  std::vector<std::string> written;
  std::vector<std::pair<std::string, double>> bars;
  for (const PictureFeature& f : features) {
    std::optional<ImageLayout> layout = ImageLayoutOf(*f.value, *f.md);
    if (!layout) {
      AddBars(f, &bars);
      continue;
    }
    XAI_ASSIGN_OR_RETURN(VisualizationSettings settings, ResolveVisualization(VisualizationJson(*f.md), method));
    int64_t per = f.value->row_size();
    std::string path = stem + "_" + FileSafe(f.name) + ".png";
    XAI_RETURN_IF_ERROR(WriteImageOverlayPng(path, f.value->data<float>() + i * per,
                                             f.attribution->data<float>() + i * per, layout->height, layout->width,
                                             layout->channels, layout->channels, settings));
    written.push_back(path);
  }
  if (!bars.empty()) {
    XAI_RETURN_IF_ERROR(WriteBarChartSvg(stem + ".svg", bars, title));
    XAI_RETURN_IF_ERROR(WriteBarChartPng(stem + ".png", bars));
    written.push_back(stem + ".svg");
    written.push_back(stem + ".png");
  }
  return written;
}

StatusOr<std::vector<std::string>> WriteExplainPictures(const std::string& dir, const ExplainRun& run,
                                                        const std::string& output_name, const std::string& method) {
  std::vector<std::string> written;
  for (size_t r = 0; r < run.output_index.size(); ++r) {
    for (size_t i = 0; i < run.output_index[r].size(); ++i) {
      int64_t k = run.output_index[r][i];
      std::vector<PictureFeature> pictures;
      for (const auto& f : run.features) {
        api::FeatureAttribution unnamed = f.shown[r][i];  // bars take the elements as a list
        unnamed.element_names.clear();
        pictures.push_back({f.key, f.md, &f.value, &f.attributions[r], FeatureAttributionJson(unnamed)});
      }
      std::string title = "output '" + output_name + "' index " + std::to_string(k) + ": instance " + std::to_string(i);
      XAI_ASSIGN_OR_RETURN(std::vector<std::string> paths,
                           WritePictures(dir, pictures, static_cast<int64_t>(i), k, method, title));
      written.insert(written.end(), paths.begin(), paths.end());
    }
  }
  return written;
}

}  // namespace xai
