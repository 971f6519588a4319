#include "xai/validation/tfma_schema.h"

#include <cctype>
#include <cstdlib>
#include <iostream>
#include <set>
#include <vector>

#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/wrappers.pb.h"

namespace xai::tfma {
namespace {

namespace pb = google::protobuf;

// Field names and numbers of TFMA's config.proto, metrics_for_slice.proto and
// validation_result.proto (see shared/reference/tfma.md §1–2), in a small
// subset of .proto syntax: enum, message, oneof, repeated, map<,>, reserved.
// Only the messages xai reads or writes are listed.
constexpr const char* kSchema = R"(
enum MetricDirection { UNKNOWN = 0; LOWER_IS_BETTER = 1; HIGHER_IS_BETTER = 2; }
enum ConfidenceIntervalMethod { UNKNOWN_CONFIDENCE_INTERVAL_METHOD = 0; POISSON_BOOTSTRAP = 1; JACKKNIFE = 2; }

message RepeatedInt32Value { repeated int32 values = 1; }
message RepeatedStringValue { repeated string values = 1; }

message PaddingOptions {
  oneof label_padding { int64 label_int_padding = 1; float label_float_padding = 2; }
  oneof prediction_padding { int64 prediction_int_padding = 3; float prediction_float_padding = 4; }
}

message ModelSpec {
  string name = 2;
  string model_type = 12;
  string signature_name = 3;
  repeated string preprocessing_function_names = 13;
  string label_key = 5;
  map<string, string> label_keys = 6;
  string prediction_key = 7;
  map<string, string> prediction_keys = 8;
  string example_weight_key = 9;
  map<string, string> example_weight_keys = 10;
  bool is_baseline = 11;
  PaddingOptions padding_options = 14;
  int32 inference_batch_size = 15;
}

message SlicingSpec {
  repeated string feature_keys = 1;
  map<string, string> feature_values = 2;
  string slice_keys_sql = 3;
}

message CrossSlicingSpec {
  SlicingSpec baseline_spec = 1;
  repeated SlicingSpec slicing_specs = 2;
}

message AggregationOptions {
  oneof type { bool micro_average = 1; bool macro_average = 2; bool weighted_macro_average = 3; }
  map<int32, float> class_weights = 4;
  RepeatedInt32Value top_k_list = 5;
}

message BinarizationOptions {
  RepeatedInt32Value class_ids = 4;
  RepeatedInt32Value k_list = 5;
  RepeatedInt32Value top_k_list = 6;
}

message ExampleWeightOptions { bool weighted = 1; bool unweighted = 2; }

message GenericChangeThreshold {
  DoubleValue absolute = 1;
  DoubleValue relative = 2;
  MetricDirection direction = 3;
}

message GenericValueThreshold {
  DoubleValue lower_bound = 1;
  DoubleValue upper_bound = 2;
}

message MetricThreshold {
  oneof validate_absolute { GenericValueThreshold value_threshold = 1; }
  oneof validate_relative { GenericChangeThreshold change_threshold = 2; }
}

message PerSliceMetricThreshold {
  repeated SlicingSpec slicing_specs = 1;
  MetricThreshold threshold = 2;
}
message PerSliceMetricThresholds { repeated PerSliceMetricThreshold thresholds = 1; }

message CrossSliceMetricThreshold {
  repeated CrossSlicingSpec cross_slicing_specs = 1;
  MetricThreshold threshold = 2;
}
message CrossSliceMetricThresholds { repeated CrossSliceMetricThreshold thresholds = 1; }

message MetricConfig {
  string class_name = 1;
  string module = 2;
  string config = 3;
  MetricThreshold threshold = 4;
  repeated PerSliceMetricThreshold per_slice_thresholds = 5;
  repeated CrossSliceMetricThreshold cross_slice_thresholds = 6;
}

message MetricsSpec {
  repeated MetricConfig metrics = 1;
  repeated string model_names = 2;
  repeated string output_names = 3;
  map<string, float> output_weights = 10;
  BinarizationOptions binarize = 4;
  AggregationOptions aggregate = 6;
  ExampleWeightOptions example_weights = 11;
  string query_key = 5;
  map<string, MetricThreshold> thresholds = 7;
  map<string, PerSliceMetricThresholds> per_slice_thresholds = 8;
  map<string, CrossSliceMetricThresholds> cross_slice_thresholds = 9;
}

message ConfidenceIntervalOptions { ConfidenceIntervalMethod method = 1; }

message Options {
  BoolValue include_default_metrics = 1;
  BoolValue compute_confidence_intervals = 2;
  ConfidenceIntervalOptions confidence_intervals = 9;
  Int32Value min_slice_size = 3;
  RepeatedStringValue disabled_outputs = 7;
  reserved 4, 5, 6, 8;
}

message EvalConfig {
  repeated ModelSpec model_specs = 2;
  repeated SlicingSpec slicing_specs = 4;
  repeated CrossSlicingSpec cross_slicing_specs = 8;
  repeated MetricsSpec metrics_specs = 5;
  Options options = 6;
  repeated MetricsSpec metrics_spec = 1005;
  reserved 1, 3, 7;
}

message EvalRun {
  EvalConfig eval_config = 1;
  string version = 2;
  string data_location = 3;
  string file_format = 4;
  map<string, string> model_locations = 5;
}

message SubKey { Int32Value class_id = 1; Int32Value k = 2; Int32Value top_k = 3; }

message AggregationType {
  oneof type { bool micro_average = 1; bool macro_average = 2; bool weighted_macro_average = 3; }
}

message MetricKey {
  string name = 1;
  string model_name = 4;
  string output_name = 2;
  SubKey sub_key = 3;
  AggregationType aggregation_type = 6;
  BoolValue example_weighted = 7;
  bool is_diff = 5;
}

message SingleSliceKey {
  string column = 1;
  oneof kind { bytes bytes_value = 2; float float_value = 3; int64 int64_value = 4; }
}
message SliceKey { repeated SingleSliceKey single_slice_keys = 1; }
message CrossSliceKey { SliceKey baseline_slice_key = 1; SliceKey comparison_slice_key = 2; }

message MetricValue {
  oneof type { DoubleValue double_value = 1; bytes bytes_value = 6; string debug_message = 10; }
  reserved 8, 14;
}

message MetricKeyAndValue { MetricKey key = 1; MetricValue value = 2; }

message MetricsForSlice {
  oneof slicing_spec_oneof { SliceKey slice_key = 1; CrossSliceKey cross_slice_key = 3; }
  repeated MetricKeyAndValue metric_keys_and_values = 51;
  map<string, MetricValue> metrics = 2;
  reserved 53;
}

message ValidationFailure {
  MetricKey metric_key = 1;
  MetricThreshold metric_threshold = 2;
  MetricValue metric_value = 3;
  string message = 4;
}

message MetricsValidationForSlice {
  oneof slice_key_oneof { SliceKey slice_key = 2; CrossSliceKey cross_slice_key = 4; }
  repeated ValidationFailure failures = 3;
}

message SlicingDetails {
  oneof slicing_spec_oneof { SlicingSpec slicing_spec = 1; CrossSlicingSpec cross_slicing_spec = 3; }
  int32 num_matching_slices = 2;
}

message ValidationDetails { repeated SlicingDetails slicing_details = 1; }

message ValidationResult {
  bool validation_ok = 1;
  bool missing_thresholds = 6;
  repeated MetricsValidationForSlice metric_validations_per_slice = 2;
  repeated SlicingSpec missing_slices = 3;
  repeated CrossSlicingSpec missing_cross_slices = 5;
  ValidationDetails validation_details = 4;
  bool rubber_stamp = 7;
}
)";

constexpr const char* kPackage = "tensorflow_model_analysis";

// Splits the schema into identifiers/numbers and single punctuation marks.
std::vector<std::string> Tokenize(const std::string& text) {
  std::vector<std::string> tokens;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') {
      size_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_' ||
                                 text[j] == '-'))
        ++j;
      tokens.push_back(text.substr(i, j - i));
      i = j;
    } else {
      tokens.push_back(std::string(1, c));
      ++i;
    }
  }
  return tokens;
}

class SchemaParser {
 public:
  SchemaParser(std::vector<std::string> tokens, pb::FileDescriptorProto* file)
      : t_(std::move(tokens)), file_(file) {
    for (size_t i = 0; i + 1 < t_.size(); ++i)
      if (t_[i] == "enum") enums_.insert(t_[i + 1]);
  }

  void Parse() {
    while (pos_ < t_.size()) {
      std::string kind = Next();
      if (kind == "enum") ParseEnum();
      else if (kind == "message") ParseMessage();
      else Die("expected enum or message, got " + kind);
    }
  }

 private:
  std::string Next() {
    if (pos_ >= t_.size()) Die("unexpected end of schema");
    return t_[pos_++];
  }
  void Expect(const std::string& token) {
    std::string got = Next();
    if (got != token) Die("expected '" + token + "', got '" + got + "'");
  }
  [[noreturn]] static void Die(const std::string& why) {
    std::cerr << "xai: internal error in the TFMA schema: " << why << "\n";
    std::abort();
  }

  void ParseEnum() {
    pb::EnumDescriptorProto* e = file_->add_enum_type();
    e->set_name(Next());
    Expect("{");
    while (t_[pos_] != "}") {
      pb::EnumValueDescriptorProto* v = e->add_value();
      v->set_name(Next());
      Expect("=");
      v->set_number(std::atoi(Next().c_str()));
      Expect(";");
    }
    Expect("}");
  }

  void ParseMessage() {
    pb::DescriptorProto* m = file_->add_message_type();
    m->set_name(Next());
    Expect("{");
    while (t_[pos_] != "}") {
      if (t_[pos_] == "reserved") {
        while (Next() != ";") {
        }
      } else if (t_[pos_] == "oneof") {
        ++pos_;
        int index = m->oneof_decl_size();
        m->add_oneof_decl()->set_name(Next());
        Expect("{");
        while (t_[pos_] != "}") ParseField(m, index);
        Expect("}");
      } else {
        ParseField(m, -1);
      }
    }
    Expect("}");
  }

  void ParseField(pb::DescriptorProto* m, int oneof_index) {
    pb::FieldDescriptorProto* f = m->add_field();
    f->set_label(pb::FieldDescriptorProto::LABEL_OPTIONAL);
    std::string type = Next();
    if (type == "repeated") {
      f->set_label(pb::FieldDescriptorProto::LABEL_REPEATED);
      type = Next();
    }
    if (type == "map") {
      Expect("<");
      std::string key = Next();
      Expect(",");
      std::string value = Next();
      Expect(">");
      f->set_name(Next());
      AddMapEntry(m, f, key, value);
    } else {
      SetType(f, type);
      f->set_name(Next());
    }
    Expect("=");
    f->set_number(std::atoi(Next().c_str()));
    Expect(";");
    if (oneof_index >= 0) f->set_oneof_index(oneof_index);
  }

  void AddMapEntry(pb::DescriptorProto* m, pb::FieldDescriptorProto* f, const std::string& key,
                   const std::string& value) {
    std::string entry_name;
    bool upper = true;
    for (char c : f->name()) {
      if (c == '_') { upper = true; continue; }
      entry_name += upper ? static_cast<char>(std::toupper(c)) : c;
      upper = false;
    }
    entry_name += "Entry";
    pb::DescriptorProto* entry = m->add_nested_type();
    entry->set_name(entry_name);
    entry->mutable_options()->set_map_entry(true);
    pb::FieldDescriptorProto* k = entry->add_field();
    k->set_name("key");
    k->set_number(1);
    k->set_label(pb::FieldDescriptorProto::LABEL_OPTIONAL);
    SetType(k, key);
    pb::FieldDescriptorProto* v = entry->add_field();
    v->set_name("value");
    v->set_number(2);
    v->set_label(pb::FieldDescriptorProto::LABEL_OPTIONAL);
    SetType(v, value);
    f->set_label(pb::FieldDescriptorProto::LABEL_REPEATED);
    f->set_type(pb::FieldDescriptorProto::TYPE_MESSAGE);
    f->set_type_name("." + std::string(kPackage) + "." + m->name() + "." + entry_name);
  }

  void SetType(pb::FieldDescriptorProto* f, const std::string& type) {
    using F = pb::FieldDescriptorProto;
    static const std::pair<const char*, F::Type> kScalars[] = {
        {"string", F::TYPE_STRING}, {"bytes", F::TYPE_BYTES}, {"bool", F::TYPE_BOOL},
        {"double", F::TYPE_DOUBLE}, {"float", F::TYPE_FLOAT}, {"int32", F::TYPE_INT32},
        {"int64", F::TYPE_INT64}};
    for (const auto& [name, t] : kScalars) {
      if (type == name) {
        f->set_type(t);
        return;
      }
    }
    if (type == "DoubleValue" || type == "BoolValue" || type == "Int32Value" || type == "Int64Value") {
      f->set_type(F::TYPE_MESSAGE);
      f->set_type_name(".google.protobuf." + type);
      return;
    }
    f->set_type(enums_.count(type) ? F::TYPE_ENUM : F::TYPE_MESSAGE);
    f->set_type_name("." + std::string(kPackage) + "." + type);
  }

  std::vector<std::string> t_;
  size_t pos_ = 0;
  pb::FileDescriptorProto* file_;
  std::set<std::string> enums_;
};

struct Schema {
  Schema() : pool(pb::DescriptorPool::generated_pool()), factory(&pool) {
    // The wrappers (DoubleValue, ...) come from the wheel's generated pool.
    pb::DoubleValue::descriptor();
    pb::FileDescriptorProto file;
    file.set_name("xai/tfma_schema.proto");
    file.set_package(kPackage);
    file.set_syntax("proto3");
    file.add_dependency("google/protobuf/wrappers.proto");
    SchemaParser(Tokenize(kSchema), &file).Parse();
    if (pool.BuildFile(file) == nullptr) {
      std::cerr << "xai: internal error: the TFMA schema does not build\n";
      std::abort();
    }
  }
  pb::DescriptorPool pool;
  pb::DynamicMessageFactory factory;
};

Schema& GetSchema() {
  static Schema* schema = new Schema();
  return *schema;
}

}  // namespace

const google::protobuf::DescriptorPool& SchemaPool() { return GetSchema().pool; }

std::unique_ptr<google::protobuf::Message> NewMessage(const std::string& name) {
  Schema& schema = GetSchema();
  const pb::Descriptor* d = schema.pool.FindMessageTypeByName(std::string(kPackage) + "." + name);
  if (d == nullptr) {
    std::cerr << "xai: internal error: no TFMA schema message " << name << "\n";
    std::abort();
  }
  return std::unique_ptr<pb::Message>(schema.factory.GetPrototype(d)->New());
}

}  // namespace xai::tfma
