#include "dwarf2btf/pipeline/pahole_args.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace d2b {

namespace {

/// The encoder switches pahole's features and legacy flags act on.
struct Switches {
  bool encodeForce = false;
  bool var = true;
  bool floats = false;
  bool declTag = true;
  bool typeTag = true;
  bool enum64 = true;
  bool optimizedFunc = false;
  bool consistentFunc = false;
  bool kfuncs = false;
  bool reproducible = false;
  bool globalVar = false;
  bool distilledBase = false;
};

struct Feature {
  const char *name;
  bool Switches::*flag;
  bool inDefault;
};

// pahole's order (encode_force .. decl_tag_kfuncs are its default set).
constexpr Feature kFeatures[] = {
    {"encode_force", &Switches::encodeForce, true},
    {"var", &Switches::var, true},
    {"float", &Switches::floats, true},
    {"decl_tag", &Switches::declTag, true},
    {"type_tag", &Switches::typeTag, true},
    {"enum64", &Switches::enum64, true},
    {"optimized_func", &Switches::optimizedFunc, true},
    {"consistent_func", &Switches::consistentFunc, true},
    {"decl_tag_kfuncs", &Switches::kfuncs, true},
    {"reproducible_build", &Switches::reproducible, false},
    {"distilled_base", &Switches::distilledBase, false},
    {"global_var", &Switches::globalVar, false},
};

enum class Arg { None, Required, Optional };

enum class Opt {
  Encode,
  Jobs,
  Verbose,
  Format,
  BtfBase,
  Detached,
  Features,
  FeaturesStrict,
  SupportedFeatures,
  LangExclude,
  Lang,
  SkipVars,
  SkipDeclTag,
  SkipTypeTag,
  SkipEnum64,
  SkipInconsistentProto,
  GenFloats,
  GenOptimized,
  GenAll,
  EncodeForce,
  Reproducible,
  Attributes,
  Version,
  NumericVersion,
  Help,
  Usage,
};

struct OptSpec {
  const char *longName; // nullptr: short only
  char shortName;       // 0: long only
  Arg arg;
  Opt id;
};

// Only the options that matter for BTF encoding; pahole's pretty-printer
// options are rejected as unknown (this is not a pretty-printer).
constexpr OptSpec kOpts[] = {
    {"btf_encode", 'J', Arg::None, Opt::Encode},
    {"jobs", 'j', Arg::Optional, Opt::Jobs},
    {"verbose", 'V', Arg::None, Opt::Verbose},
    {"format_path", 'F', Arg::Required, Opt::Format},
    {"btf_base", 0, Arg::Required, Opt::BtfBase},
    {"btf_encode_detached", 0, Arg::Required, Opt::Detached},
    {"btf_features", 0, Arg::Required, Opt::Features},
    {"btf_features_strict", 0, Arg::Required, Opt::FeaturesStrict},
    {"supported_btf_features", 0, Arg::None, Opt::SupportedFeatures},
    {"lang_exclude", 0, Arg::Required, Opt::LangExclude},
    {"lang", 0, Arg::Required, Opt::Lang},
    {"skip_encoding_btf_vars", 0, Arg::None, Opt::SkipVars},
    {"skip_encoding_btf_decl_tag", 0, Arg::None, Opt::SkipDeclTag},
    {"skip_encoding_btf_type_tag", 0, Arg::None, Opt::SkipTypeTag},
    {"skip_encoding_btf_enum64", 0, Arg::None, Opt::SkipEnum64},
    {"skip_encoding_btf_inconsistent_proto", 0, Arg::None, Opt::SkipInconsistentProto},
    {"btf_gen_floats", 0, Arg::None, Opt::GenFloats},
    {"btf_gen_optimized", 0, Arg::None, Opt::GenOptimized},
    {"btf_gen_all", 0, Arg::None, Opt::GenAll},
    {"btf_encode_force", 0, Arg::None, Opt::EncodeForce},
    {"reproducible_build", 0, Arg::None, Opt::Reproducible},
    {"btf_attributes", 0, Arg::None, Opt::Attributes},
    {"version", 0, Arg::None, Opt::Version},
    {"numeric_version", 0, Arg::None, Opt::NumericVersion},
    {"help", '?', Arg::None, Opt::Help},
    {"usage", 0, Arg::None, Opt::Usage},
};

const Feature *findFeature(const std::string &name) {
  for (const Feature &f : kFeatures)
    if (name == f.name)
      return &f;
  return nullptr;
}

class Parser {
public:
  explicit Parser(const PaholeEnv &env) : env_(env) { req_.opts.encode.jobs = 1; }

  Expected<PaholeRequest> run(const std::vector<std::string> &args);

private:
  Error apply(Opt id, const std::optional<std::string> &arg, const std::string &spelled);
  Error parseFeatures(const std::string &list, bool strict);
  Error finish();

  const PaholeEnv &env_;
  PaholeRequest req_;
  Switches sw_;
  bool featuresSeen_ = false;
  bool encode_ = false;
  bool actionSet_ = false;
  std::optional<std::string> langExclude_;
};

Expected<PaholeRequest> Parser::run(const std::vector<std::string> &args) {
  bool optionsDone = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (optionsDone || a.size() < 2 || a[0] != '-') {
      req_.inputs.push_back(a);
      continue;
    }
    if (a == "--") {
      optionsDone = true;
      continue;
    }
    if (a[1] == '-') {
      // --name[=value], abbreviations allowed when unambiguous (getopt_long).
      size_t eq = a.find('=');
      std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const OptSpec *match = nullptr;
      std::vector<std::string> candidates;
      for (const OptSpec &o : kOpts) {
        if (!o.longName)
          continue;
        std::string ln = o.longName;
        if (ln == name) {
          match = &o;
          candidates.clear();
          break;
        }
        if (ln.rfind(name, 0) == 0) {
          candidates.push_back("--" + ln);
          match = &o;
        }
      }
      if (candidates.size() > 1)
        return Error(fmt::format("option '--{}' is ambiguous; possibilities: {}", name,
                                 fmt::join(candidates, " ")));
      if (!match)
        return Error(fmt::format("unrecognized option '{}' (only BTF encoding is supported)", a));
      std::optional<std::string> value;
      if (eq != std::string::npos) {
        if (match->arg == Arg::None)
          return Error(fmt::format("option '--{}' doesn't allow an argument", match->longName));
        value = a.substr(eq + 1);
      } else if (match->arg == Arg::Required) {
        if (i + 1 >= args.size())
          return Error(fmt::format("option '--{}' requires an argument", match->longName));
        value = args[++i];
      }
      if (Error e = apply(match->id, value, "--" + std::string(match->longName)))
        return e;
      continue;
    }
    // A cluster of short options: -JV, -j8, -Fbtf, -F btf.
    for (size_t k = 1; k < a.size(); ++k) {
      const OptSpec *match = nullptr;
      for (const OptSpec &o : kOpts)
        if (o.shortName == a[k])
          match = &o;
      if (!match)
        return Error(fmt::format("invalid option -- '{}' (only BTF encoding is supported)", a[k]));
      std::optional<std::string> value;
      bool rest = k + 1 < a.size();
      if (match->arg == Arg::Optional && rest) {
        value = a.substr(k + 1);
        k = a.size();
      } else if (match->arg == Arg::Required) {
        if (rest) {
          value = a.substr(k + 1);
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          return Error(fmt::format("option requires an argument -- '{}'", a[k]));
        }
        k = a.size();
      }
      if (Error e = apply(match->id, value, std::string("-") + match->shortName))
        return e;
    }
  }
  if (Error e = finish())
    return e;
  return std::move(req_);
}

Error Parser::apply(Opt id, const std::optional<std::string> &arg, const std::string &spelled) {
  auto setAction = [&](PaholeAction a) {
    // The first informational request wins, as argp acts on it at once.
    if (!actionSet_)
      req_.action = a;
    actionSet_ = true;
  };
  switch (id) {
  case Opt::Encode:
    encode_ = true;
    break;
  case Opt::Jobs:
    if (!arg) {
      req_.allCores = true;
      req_.opts.encode.jobs = 0;
    } else {
      unsigned n = 0;
      auto [p, ec] = std::from_chars(arg->data(), arg->data() + arg->size(), n);
      if (ec != std::errc() || p != arg->data() + arg->size() || n == 0)
        return Error(fmt::format("{}: invalid number of jobs '{}'", spelled, *arg));
      req_.allCores = false;
      req_.opts.encode.jobs = n;
    }
    break;
  case Opt::Verbose:
    req_.verbose = true;
    break;
  case Opt::Format:
    // Only the DWARF loader is implemented; "dwarf" (or a list starting
    // with it, as "-F dwarf,btf") is what encoding needs.
    if (arg->rfind("dwarf", 0) != 0)
      return Error(fmt::format("{} {}: only the DWARF input format is supported", spelled, *arg));
    break;
  case Opt::BtfBase:
    req_.opts.basePath = *arg;
    break;
  case Opt::Detached:
    req_.detached = *arg;
    encode_ = true;
    break;
  case Opt::Features:
    return parseFeatures(*arg, false);
  case Opt::FeaturesStrict:
    return parseFeatures(*arg, true);
  case Opt::SupportedFeatures:
    setAction(PaholeAction::SupportedFeatures);
    break;
  case Opt::LangExclude:
    langExclude_ = *arg;
    break;
  case Opt::Lang:
    return Error(fmt::format("{}: selecting languages to include is not supported "
                             "(use --lang_exclude)",
                             spelled));
  case Opt::SkipVars:
    sw_.var = false;
    break;
  case Opt::SkipDeclTag:
    sw_.declTag = false;
    break;
  case Opt::SkipTypeTag:
    sw_.typeTag = false;
    break;
  case Opt::SkipEnum64:
    sw_.enum64 = false;
    break;
  case Opt::SkipInconsistentProto:
    sw_.consistentFunc = true;
    break;
  case Opt::GenFloats:
    sw_.floats = true;
    break;
  case Opt::GenOptimized:
    sw_.optimizedFunc = true;
    break;
  case Opt::GenAll:
    // As pahole 1.27: --btf_features=all. (Later pahole releases turned this
    // into "every feature off" by accident; not copied.)
    return parseFeatures("all", false);
  case Opt::EncodeForce:
    sw_.encodeForce = true;
    break;
  case Opt::Reproducible:
    sw_.reproducible = true;
    break;
  case Opt::Attributes:
    req_.notes.push_back("--btf_attributes ignored: the attributes feature is not implemented");
    break;
  case Opt::Version:
    setAction(PaholeAction::Version);
    break;
  case Opt::NumericVersion:
    setAction(PaholeAction::NumericVersion);
    break;
  case Opt::Help:
  case Opt::Usage:
    setAction(PaholeAction::Help);
    break;
  }
  return Error::success();
}

Error Parser::parseFeatures(const std::string &list, bool strict) {
  if (!featuresSeen_) {
    // The first --btf_features makes the set opt-in.
    for (const Feature &f : kFeatures)
      sw_.*f.flag = false;
    featuresSeen_ = true;
  }
  auto enableDefault = [&] {
    for (const Feature &f : kFeatures)
      if (f.inDefault)
        sw_.*f.flag = true;
  };
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos)
      end = list.size();
    std::string name = list.substr(start, end - start);
    start = end + 1;
    if (name.empty())
      continue;
    if (name[0] == '+') {
      enableDefault();
      name = name.substr(1);
    }
    if (name == "default" || name == "all") {
      enableDefault();
      continue;
    }
    if (const Feature *f = findFeature(name)) {
      sw_.*f->flag = true;
      continue;
    }
    if (strict)
      return Error(fmt::format("Feature '{}' in '{}' is not supported. Supported BTF features "
                               "are: {}",
                               name, list, fmt::join(paholeSupportedFeatures(), ",")));
    req_.notes.push_back(fmt::format("Ignoring unsupported feature '{}'", name));
  }
  return Error::success();
}

Error Parser::finish() {
  for (const Feature &f : kFeatures)
    if (sw_.*f.flag)
      req_.features.push_back(f.name);
  if (actionSet_)
    return Error::success();
  if (!encode_)
    return Error("only BTF encoding is supported: pass -J or --btf_encode_detached=FILE");
  if (req_.inputs.empty())
    return Error("no input file (usage: pahole -J [OPTIONS] FILE...)");
  if (!req_.detached.empty() && req_.inputs.size() != 1)
    return Error("--btf_encode_detached takes exactly one input file");

  PipelineOptions &o = req_.opts;
  o.verbose = req_.verbose;
  lower::Policy &p = o.encode.policy;
  p.floats = sw_.floats;
  p.enum64 = sw_.enum64;
  p.declTags = sw_.declTag;
  p.typeTags = sw_.typeTag;
  p.flattenArrays = true; // pahole always flattens multi-dimensional arrays
  p.funcs = true;
  p.consistentFunc = sw_.consistentFunc;
  p.vars = sw_.globalVar ? lower::Policy::VarScope::All
           : sw_.var     ? lower::Policy::VarScope::PerCpu
                         : lower::Policy::VarScope::None;
  // As pahole: distilled_base needs a base and applies to ELF output only
  // (the detached path writes the split BTF alone).
  if (sw_.distilledBase) {
    if (o.basePath.empty())
      req_.notes.push_back("distilled_base ignored: no --btf_base");
    else if (!req_.detached.empty())
      req_.notes.push_back("distilled_base ignored: --btf_encode_detached writes raw BTF");
    else
      o.distilledBase = true;
  }
  // pahole tags kfuncs only when decl tags are on at all.
  o.kfuncTags = sw_.kfuncs && sw_.declTag;
  // encode_force, optimized_func and reproducible_build need nothing: bad
  // variables are always skipped, clones always matched, and the output is
  // byte-identical for every -j.

  std::optional<std::string> langs = langExclude_ ? langExclude_ : env_.langExclude;
  if (langs && !langs->empty()) {
    auto codes = parseLanguageList(*langs);
    if (!codes)
      return Error("--lang_exclude: " + codes.error().message());
    p.langExclude = *codes;
  }
  if (env_.includeLangs && !env_.includeLangs->empty()) {
    auto keep = parseLanguageList(*env_.includeLangs);
    if (!keep)
      return Error("DWARF2BTF_INCLUDE_LANGS: " + keep.error().message());
    std::erase_if(p.langExclude, [&](int code) {
      return std::find(keep->begin(), keep->end(), code) != keep->end();
    });
  }
  return Error::success();
}

} // namespace

const std::vector<std::string> &paholeSupportedFeatures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Feature &f : kFeatures)
      v.push_back(f.name);
    return v;
  }();
  return names;
}

Expected<PaholeRequest> parsePaholeArgs(const std::vector<std::string> &args,
                                        const PaholeEnv &env) {
  return Parser(env).run(args);
}

} // namespace d2b
