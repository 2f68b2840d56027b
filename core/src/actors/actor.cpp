// Facet bookkeeping and the interception loop around the behaviour.
#include <algorithm>
#include <array>

#include <caf/mailbox_element.hpp>
#include <caf/system_messages.hpp>

#include <horae/core/actor.hpp>
#include <horae/core/detail/control_messages.hpp>
#include <horae/core/detail/runtime_system_config.hpp>
#include <horae/core/runtime.hpp>

namespace horae {

namespace {

runtime* owner_of(caf::actor_system& sys) {
  auto cfg = dynamic_cast<const detail::runtime_system_config*>(&sys.config());
  if (cfg == nullptr)
    throw std::logic_error("horae::actor must be spawned through a "
                           "horae::runtime, not a plain caf::actor_system");
  return cfg->owner();
}

} // namespace

// -- constructors, destructors, and assignment operators ----------------------

actor::actor(caf::actor_config& cfg)
  : super(cfg), runtime_(owner_of(home_system())) {
  last_activity_ = runtime_->clock().now();
}

actor::~actor() = default;

// -- facets -------------------------------------------------------------------

void actor::attach(std::unique_ptr<horae::facet> ptr) {
  auto type = std::type_index{typeid(*ptr)};
  attach_impl(type, std::move(ptr));
}

void actor::attach_impl(std::type_index type,
                        std::unique_ptr<horae::facet> ptr) {
  if (find_impl(type) != nullptr)
    throw std::logic_error(display_name() + ": facet '"
                           + std::string{ptr->name()}
                           + "' is already attached");
  auto raw = ptr.get();
  // Keep descending priority; equal priorities keep attachment order.
  auto pos = std::find_if(facets_.begin(), facets_.end(), [&](const entry& e) {
    return e.ptr->priority() < raw->priority();
  });
  auto filter = raw->intercepts();
  facets_.insert(pos, entry{type, std::move(ptr), std::move(filter)});
  update_interest();
  raw->on_attach(*this);
  if (active_)
    raw->on_activate(*this);
}

horae::facet* actor::find_impl(std::type_index type) const noexcept {
  for (const auto& e : facets_)
    if (e.type == type)
      return e.ptr.get();
  return nullptr;
}

void actor::update_interest() {
  interest_ = message_filter::nothing();
  for (const auto& e : facets_)
    interest_.merge(e.filter);
  token_decides_ = interest_.custom_types_only();
}

bool actor::detach_impl(std::type_index type) {
  auto i = std::find_if(facets_.begin(), facets_.end(),
                        [&](const entry& e) { return e.type == type; });
  if (i == facets_.end())
    return false;
  auto ptr = std::move(i->ptr);
  facets_.erase(i);
  update_interest();
  ++detachments_;
  if (active_)
    ptr->on_deactivate(*this);
  ptr->on_detach(*this);
  // The facet may be on the call stack (detaching itself from a hook), so
  // destroy it only after the current message.
  retired_.push_back(std::move(ptr));
  return true;
}

std::string actor::missing_facet_message(const char* type_name) const {
  return display_name() + " has no facet of type " + type_name
         + "; attach it with self->attach<T>(...) in the behaviour factory"
           " or list it in the actor type's facets=[...] config entry";
}

// -- identity and environment -------------------------------------------------

horae::clock& actor::clock() const noexcept {
  return runtime_->clock();
}

std::string actor::display_name() const {
  if (identity_)
    return identity_->type + "/" + identity_->key;
  return "actor#" + std::to_string(id());
}

void actor::set_identity(virtual_identity id, vacate_hook vacate) {
  identity_ = std::move(id);
  vacate_ = std::move(vacate);
  tracks_idle_ = identity_->idle_timeout > clock::duration::zero();
}

void actor::stamp_activity() {
  // Only virtual actors with an idle timeout get here; everyone else skips
  // the clock on every message.
  last_activity_ = clock().now();
}

// -- lifecycle ----------------------------------------------------------------

void actor::deactivate() {
  run_deactivate_hooks();
  quit(caf::exit_reason::normal);
}

void actor::run_deactivate_hooks() {
  if (!active_ || deactivated_)
    return;
  deactivated_ = true;
  // Index loop: a hook may detach facets.
  for (size_t i = 0; i < facets_.size(); ++i)
    facets_[i].ptr->on_deactivate(*this);
  active_ = false;
}

void actor::run_detach_hooks() {
  while (!facets_.empty()) {
    auto ptr = std::move(facets_.back().ptr);
    facets_.pop_back();
    ++detachments_;
    ptr->on_detach(*this);
    retired_.push_back(std::move(ptr));
  }
  interest_ = message_filter::nothing(); // no facet left to ask
  retired_.clear();
}

void actor::initialize() {
  super::initialize();
  if (getf(is_terminated_flag))
    return;
  active_ = true;
  for (size_t i = 0; i < facets_.size(); ++i)
    facets_[i].ptr->on_activate(*this);
  if (tracks_idle_)
    schedule_idle_check(identity_->idle_timeout);
}

void actor::on_exit() {
  run_deactivate_hooks();
  run_detach_hooks();
  super::on_exit();
}

void actor::schedule_idle_check(clock::duration delay) {
  delayed_send(caf::actor_cast<caf::actor>(this), delay,
               detail::idle_check{identity_->incarnation});
}

// -- message handling ---------------------------------------------------------

bool actor::handle_control_message(const std::type_info& type) {
  if (type == typeid(detail::idle_check)) {
    if (!identity_ || deactivated_)
      return true;
    auto idle = clock().now() - last_activity_;
    auto timeout = identity_->idle_timeout;
    if (idle < timeout) {
      schedule_idle_check(timeout - idle);
    } else if (vacate_(*this)) {
      deactivate();
    } else {
      // Messages are waiting. They may be passive (timer fires), so look
      // again soon rather than a whole timeout later.
      schedule_idle_check(
        std::max(clock::duration{std::chrono::milliseconds{1}}, timeout / 10));
    }
    return true;
  }
  if (type == typeid(detail::deactivate_request)) {
    if (deactivated_)
      return true;
    // A busy actor ignores the request: re-queueing it would keep the
    // mailbox from ever running empty.
    if (!identity_ || vacate_(*this))
      deactivate();
    return true;
  }
  return false;
}

namespace {

/// @returns the type of the only element of `content`, or
///          `message_filter::none()` if it has more or fewer.
caf::rtti_pair head_of(const caf::type_erased_tuple& content) noexcept {
  return content.size() == 1 ? content.type(0) : message_filter::none();
}

} // namespace

caf::invoke_message_result actor::consume(caf::mailbox_element& x) {
  // One virtual call reads the message's type token. A message that is not
  // a single value of a user-defined type is never a control message, and
  // the facets' filters decide it from the token: the common case (ints,
  // atoms, strings, several values) costs two virtual calls and a few
  // compares more than CAF's own path, and ends in a tail call to it.
  auto& content = x.content();
  auto token = content.type_token();
  // Exit messages are the runtime's business, not the facets'.
  constexpr auto exit_token = caf::make_type_token<caf::exit_msg>();
  if (__builtin_expect(!message_filter::single_custom(token), 1)
      && (token_decides_ || !interest_.accepts_token(token)
          || token == exit_token)) {
    note_activity();
    return super::consume(x);
  }
  return consume_inspecting(x, content, token);
}

caf::invoke_message_result
actor::consume_inspecting(caf::mailbox_element& x,
                          caf::type_erased_tuple& content, uint32_t token) {
  if (!message_filter::single_custom(token))
    return consume_with_facets(x, head_of(content));
  auto head = content.type(0);
  // Control messages are horae's own single-value types.
  if (handle_control_message(*head.second))
    return caf::invoke_message_result::consumed;
  if (!interest_.accepts(head)) {
    note_activity();
    return super::consume(x);
  }
  return consume_with_facets(x, head);
}

caf::invoke_message_result actor::consume_with_facets(caf::mailbox_element& x,
                                                      caf::rtti_pair head) {
  // Snapshot the facets that see this message: the behaviour may attach or
  // detach facets, and only those that ran before_message run after it.
  constexpr size_t inline_capacity = 8;
  std::array<horae::facet*, inline_capacity> inline_seen;
  std::vector<horae::facet*> heap_seen;
  auto n = facets_.size();
  horae::facet** seen = inline_seen.data();
  if (n > inline_capacity) {
    heap_seen.resize(n);
    seen = heap_seen.data();
  }
  caf::mailbox_element_ptr replaced;
  caf::mailbox_element* current = &x;
  const caf::type_erased_tuple* view = &x.content();
  bool passive = false;
  size_t passed = 0;
  // Taken before any hook runs: a facet that detaches itself (or another)
  // from `before_message` must not get `after_message` either.
  auto detachments_before = detachments_;
  // A hook that detaches a facet shortens the list: stay within it.
  for (size_t i = 0; i < n && i < facets_.size(); ++i) {
    if (!facets_[i].filter.accepts(head))
      continue;
    auto f = facets_[i].ptr.get();
    auto verdict = f->before_message(*this, *view);
    passive = passive || verdict.is_passive();
    if (verdict.what() == intercept::verdict::drop) {
      retired_.clear();
      return caf::invoke_message_result::dropped;
    }
    if (verdict.what() == intercept::verdict::replace) {
      replaced = caf::make_mailbox_element(x.sender, x.mid, x.stages,
                                           std::move(verdict.replacement()));
      current = replaced.get();
      view = &current->content();
      head = head_of(*view); // later facets filter on what they will see
    }
    seen[passed++] = f;
  }
  if (!passive)
    note_activity();
  auto after = [&](message_outcome outcome) {
    for (size_t i = passed; i > 0; --i) {
      auto f = seen[i - 1];
      // Skip facets detached meanwhile; only then is the search needed.
      if (detachments_ == detachments_before
          || std::any_of(facets_.begin(), facets_.end(),
                         [f](const entry& e) { return e.ptr.get() == f; }))
        f->after_message(*this, *view, outcome);
    }
    retired_.clear();
  };
  auto result = caf::invoke_message_result::consumed;
  message_outcome outcome;
  try {
    outcome = consume_watching_default_handler(*current, result);
  } catch (...) {
    // The facets learn of the failure before CAF's exception handler runs
    // (and, by default, terminates the actor).
    after(message_outcome::threw);
    throw;
  }
  after(outcome);
  return result;
}

namespace {

/// Stands in for the actor's default handler during one message: notes that
/// no handler matched, then passes the message on to the real one.
struct unmatched_spy {
  bool* unmatched;
  caf::scheduled_actor::default_handler* real;

  caf::result<caf::message> operator()(caf::scheduled_actor* self,
                                       caf::message_view& xs) const {
    *unmatched = true;
    return (*real)(self, xs);
  }
};

} // namespace

message_outcome
actor::consume_watching_default_handler(caf::mailbox_element& x,
                                        caf::invoke_message_result& result) {
  // The stand-in is installed once and stays; only when the behaviour set a
  // handler of its own is that one wrapped in turn. A message then costs a
  // type check and a flag, not a swap of handlers.
  if (default_handler_.target<unmatched_spy>() == nullptr) {
    real_default_handler_ = std::move(default_handler_);
    default_handler_ = unmatched_spy{&unmatched_, &real_default_handler_};
  }
  unmatched_ = false;
  result = super::consume(x);
  switch (result) {
    case caf::invoke_message_result::skipped:
      return message_outcome::skipped;
    case caf::invoke_message_result::dropped:
      return message_outcome::unhandled;
    default:
      return unmatched_ ? message_outcome::unhandled : message_outcome::handled;
  }
}

} // namespace horae
