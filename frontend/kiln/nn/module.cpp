// Module: scoped registration of variables and children, and the recursive listings.
#include "kiln/nn/module.h"

#include <unordered_set>

namespace kiln::nn {
namespace {

// The full scope the next Module built on this thread takes (set by register_module<M>).
thread_local std::string t_child_scope;

bool contains(const Module& root, const Module* target) {
  if (&root == target) return true;
  for (const auto& c : root.children())
    if (contains(*c, target)) return true;
  return false;
}

}  // namespace

namespace detail {

ChildScope::ChildScope(std::string scope) : saved_(std::move(t_child_scope)) {
  t_child_scope = std::move(scope);
}

ChildScope::~ChildScope() { t_child_scope = std::move(saved_); }

}  // namespace detail

Module::Module(std::string name, const Loc& loc) {
  if (!t_child_scope.empty()) {
    // Built by register_module<M>(): the registration name wins over the module's own.
    scope_ = std::move(t_child_scope);
    t_child_scope.clear();
    name_ = scope_.substr(scope_.find_last_of('/') + 1);
    return;
  }
  kiln::detail::ApiScope api("Module", loc);
  if (name.empty()) kiln::detail::fail("Module", "a module needs a non-empty name");
  name_ = scope_ = std::move(name);
}

void Module::check_new_name(const char* op, const std::string& name) const {
  if (name.empty()) kiln::detail::fail(op, "names in module '" + scope_ + "' must be non-empty");
  if (name.find('/') != std::string::npos)
    kiln::detail::fail(op, "name '" + name + "' must not contain '/': scopes nest by module");
  for (const Entry& e : entries_)
    if (e.name == name)
      kiln::detail::fail(op, "module '" + scope_ + "' already has a " +
                                 (e.child ? "child module" : "variable") + " named '" + name + "'");
}

Variable Module::register_variable(const std::string& name, const Tensor& initial, bool trainable,
                                   const Loc& loc) {
  kiln::detail::ApiScope api("register_variable", loc);
  check_new_name("register_variable", name);
  Variable v(scope_ + "/" + name, initial, trainable);
  entries_.push_back(Entry{name, v, nullptr});
  return v;
}

void Module::adopt(const detail::NameAt& name, std::shared_ptr<Module> child) {
  kiln::detail::ApiScope api("register_module", name.loc);
  check_new_name("register_module", name.value);
  if (!child) kiln::detail::fail("register_module", "child '" + name.value + "' is null");
  if (contains(*child, this))
    kiln::detail::fail("register_module", "registering '" + child->scope() + "' in '" + scope_ +
                                              "' would make a cycle");
  std::string want = scope_ + "/" + name.value;
  if (child->scope_ != want && child->parents_ == 0)
    kiln::detail::fail("register_module", "module '" + child->scope_ + "' was built outside '" +
                                              scope_ + "', so its variables are named '" +
                                              child->scope_ + "/...'; build it in place with " +
                                              "register_module<Type>(\"" + name.value +
                                              "\", args...) to name them '" + want + "/...'");
  ++child->parents_;
  entries_.push_back(Entry{name.value, Variable(), std::move(child)});
}

void Module::collect(std::vector<Variable>* out, std::unordered_set<uint64_t>* seen) const {
  for (const Entry& e : entries_) {
    if (e.child) {
      e.child->collect(out, seen);
    } else if (seen->insert(e.variable.id()).second) {
      out->push_back(e.variable);
    }
  }
}

std::vector<Variable> Module::variables() const {
  std::vector<Variable> out;
  std::unordered_set<uint64_t> seen;
  collect(&out, &seen);
  return out;
}

std::vector<Variable> Module::trainable_variables() const {
  std::vector<Variable> out;
  for (const Variable& v : variables())
    if (v.trainable()) out.push_back(v);
  return out;
}

std::vector<Variable> Module::non_trainable_variables() const {
  std::vector<Variable> out;
  for (const Variable& v : variables())
    if (!v.trainable()) out.push_back(v);
  return out;
}

std::map<std::string, Variable> Module::named_variables(const Loc& loc) const {
  kiln::detail::ApiScope api("named_variables", loc);
  std::map<std::string, Variable> out;
  for (const Variable& v : variables()) {
    auto [it, inserted] = out.emplace(v.name(), v);
    if (!inserted)
      kiln::detail::fail("named_variables", "two different variables in '" + scope_ +
                                                "' are named '" + v.name() + "'");
  }
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const Entry& e : entries_)
    if (e.child) out.push_back(e.child);
  return out;
}

}  // namespace kiln::nn
