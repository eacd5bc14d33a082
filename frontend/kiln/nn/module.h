// kiln::nn::Module: the base of models and layers, as in libtorch and Keras. A module owns
// named variables and child modules; variable names nest by scope ("model/dense/kernel") and
// are the checkpoint keys, listed in a deterministic order.
//
//   struct Huber : kiln::nn::Module {
//     kiln::Variable w, b;
//     Huber() : Module("huber") {
//       w = register_variable("w", kiln::zeros({}));  // named "huber/w"
//       b = register_variable("b", kiln::zeros({}));
//     }
//   };
//
// Children. A Variable's name is fixed when it is created, so a child's variables nest under
// the parent only if the child is built in the parent's scope:
//
//   dense = register_module<Dense>("dense", /*in=*/2, /*out=*/1);  // "model/dense/kernel"
//
// register_module(name, std::shared_ptr) adds a child that already exists: one built in this
// scope, or one that belongs to another module too (weights shared between the two). A
// stand-alone module cannot be adopted after the fact (its variables would keep their
// top-level names); that is an error which says how to build it in place.
#pragma once

#include <concepts>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kiln/tensor.h"
#include "kiln/variable.h"

namespace kiln::nn {

class Module;

namespace detail {

// A name argument that remembers the caller's source line (a parameter pack cannot be followed
// by a defaulted location, so the conversion from a string captures it, as Operand does).
struct NameAt {
  NameAt(const char* n, const Loc& l = Loc::current()) : value(n), loc(l) {}             // NOLINT
  NameAt(std::string n, const Loc& l = Loc::current()) : value(std::move(n)), loc(l) {}  // NOLINT
  std::string value;
  Loc loc;
};

// While alive, the next Module constructed on this thread takes `scope` as its full scope.
class ChildScope {
 public:
  explicit ChildScope(std::string scope);
  ~ChildScope();
  ChildScope(const ChildScope&) = delete;
  ChildScope& operator=(const ChildScope&) = delete;

 private:
  std::string saved_;
};

}  // namespace detail

class Module {
 public:
  // `name` is the module's scope when it is built at top level; register_module<M>() gives
  // it "<parent scope>/<registration name>" instead.
  explicit Module(std::string name, const Loc& loc = Loc::current());
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& name() const { return name_; }    // the last part of scope()
  const std::string& scope() const { return scope_; }  // "model/dense"

  // A new variable "<scope>/<name>" owned by this module, initialized with a copy of `initial`.
  Variable register_variable(const std::string& name, const Tensor& initial, bool trainable = true,
                             const Loc& loc = Loc::current());

  // Builds M(args...) as a child named `name`, in this module's scope.
  template <std::derived_from<Module> M, class... Args>
  std::shared_ptr<M> register_module(const detail::NameAt& name,
                                     Args&&... args) requires std::constructible_from<M, Args...>;

  // Adds an existing child: one built in this scope, or one shared with another module.
  template <std::derived_from<Module> M>
  std::shared_ptr<M> register_module(const detail::NameAt& name, std::shared_ptr<M> child) {
    adopt(name, child);
    return child;
  }

  // This module's variables and its children's, recursively, in registration order (a
  // variable reachable twice through a shared child is listed once).
  std::vector<Variable> variables() const;
  std::vector<Variable> trainable_variables() const;
  std::vector<Variable> non_trainable_variables() const;
  // Variable name -> variable; two distinct variables with one name are an error.
  std::map<std::string, Variable> named_variables(const Loc& loc = Loc::current()) const;
  // Direct children, in registration order.
  std::vector<std::shared_ptr<Module>> children() const;

 private:
  struct Entry {
    std::string name;  // local: "kernel", "dense"
    Variable variable;
    std::shared_ptr<Module> child;  // set for children, else variable is
  };

  void check_new_name(const char* op, const std::string& name) const;
  void adopt(const detail::NameAt& name, std::shared_ptr<Module> child);
  void collect(std::vector<Variable>* out, std::unordered_set<uint64_t>* seen) const;

  std::string name_;
  std::string scope_;
  std::vector<Entry> entries_;
  int parents_ = 0;  // modules this one is registered in
};

template <std::derived_from<Module> M, class... Args>
std::shared_ptr<M> Module::register_module(
    const detail::NameAt& name, Args&&... args) requires std::constructible_from<M, Args...> {
  // Errors from M's constructor name the caller's line too.
  kiln::detail::ApiScope api("register_module", name.loc);
  check_new_name("register_module", name.value);
  std::shared_ptr<M> child;
  {
    detail::ChildScope in_scope(scope_ + "/" + name.value);
    child = std::make_shared<M>(std::forward<Args>(args)...);
  }
  adopt(name, child);
  return child;
}

}  // namespace kiln::nn
