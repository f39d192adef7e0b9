/* teams.c - /api/v1/agents and /api/v1/teams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/teams.h"
#include "core/assign.h"
#include "http/json.h"
#include "http/problem.h"

#define TEAMS_SHOWN 32    /* teams listed with an agent */
#define MEMBERS_SHOWN 100 /* members listed with a team */

static const lk_api_route routes[] = {
    {"GET", "/api/v1/agents", lk_api_agents_list, 0},
    {"POST", "/api/v1/agents", lk_api_agents_create, 0},
    {"GET", "/api/v1/agents/{id}", lk_api_agents_get, 0},
    {"PATCH", "/api/v1/agents/{id}", lk_api_agents_update, 0},
    {"PUT", "/api/v1/agents/{id}/presence", lk_api_agents_presence, 0},
    {"GET", "/api/v1/teams", lk_api_teams_list, 0},
    {"POST", "/api/v1/teams", lk_api_teams_create, 0},
    {"GET", "/api/v1/teams/{id}", lk_api_teams_get, 0},
    {"PATCH", "/api/v1/teams/{id}", lk_api_teams_update, 0},
    {"PUT", "/api/v1/teams/{id}/members/{agentId}", lk_api_teams_member_put, 0},
    {"DELETE", "/api/v1/teams/{id}/members/{agentId}",
     lk_api_teams_member_delete, 0},
    {"POST", "/api/v1/conversations/{id}/assignment",
     lk_api_conversations_assign, 0},
    {"POST", "/api/v1/conversations/{id}/claim", lk_api_conversations_claim, 0},
    {"POST", "/api/v1/party-merges", lk_api_merges_create, 0},
    {"GET", "/api/v1/party-merges", lk_api_merges_list, 0},
    {"GET", "/api/v1/party-merges/{id}", lk_api_merges_get, 0},
};

int lk_teams_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}

/* ---- body helpers --------------------------------------------------- */

static void wrong_type(lk_req *req, const char *key, const char *what) {
  char field[64];
  char detail[96];

  snprintf(field, sizeof(field), "/%s", key);
  snprintf(detail, sizeof(detail), "must be %s", what);
  lk_req_problem(req, 422, "invalid-field", "Invalid field", detail, field);
}

int lk_json_int(lk_req *req, json_t *obj, const char *key, bool required,
                long long min, long long max, long long *out, bool *present) {
  json_t *v = json_object_get(obj, key);
  char what[80];

  *present = v != NULL;
  if (v == NULL && !required)
    return 0;
  snprintf(what, sizeof(what), "an integer from %lld to %lld", min, max);
  if (!json_is_integer(v) || json_integer_value(v) < min ||
      json_integer_value(v) > max) {
    wrong_type(req, key, what);
    return -1;
  }
  *out = json_integer_value(v);
  return 0;
}

int lk_json_bool(lk_req *req, json_t *obj, const char *key, bool *out,
                 bool *present) {
  json_t *v = json_object_get(obj, key);

  *present = v != NULL;
  if (v == NULL)
    return 0;
  if (!json_is_boolean(v)) {
    wrong_type(req, key, "true or false");
    return -1;
  }
  *out = json_is_true(v);
  return 0;
}

int lk_json_string_or_null(lk_req *req, json_t *obj, const char *key,
                           bool required, const char **out) {
  json_t *v = json_object_get(obj, key);

  *out = NULL;
  if (v == NULL && required) {
    wrong_type(req, key, "given (a string or null)");
    return -1;
  }
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_string(v)) {
    wrong_type(req, key, "a string or null");
    return -1;
  }
  *out = json_string_value(v);
  return 0;
}

/* ---- agents --------------------------------------------------------- */

static void team_ref(const lk_team_row *t, void *ud) {
  lk_buf *b = ud;

  if (b->len > 1)
    lk_buf_putc(b, ',');
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, t->id);
  lk_buf_puts(b, ",\"name\":");
  lk_buf_json_str(b, t->name);
  lk_buf_putc(b, '}');
}

/* Appends the agent with its teams to `b`.  Returns 0 or a store code. */
static int agent_full(lk_store *s, lk_buf *b, const lk_agent_row *a) {
  lk_buf teams = LK_BUF_INIT;
  int rc;

  lk_buf_putc(&teams, '[');
  rc = lk_store_agent_teams(s, a->id, TEAMS_SHOWN, team_ref, &teams);
  lk_buf_putc(&teams, ']');
  if (rc >= 0 && !lk_buf_ok(&teams))
    rc = LK_STORE_NOMEM;
  if (rc >= 0)
    lk_agent_json(b, a, teams.data);
  lk_buf_free(&teams);
  return rc < 0 ? rc : 0;
}

/* Answers with the agent `id` as it is now. */
static void respond_agent(lk_req *req, int status, const char *id) {
  lk_store *s = lk_req_app(req)->store;
  lk_buf b = LK_BUF_INIT;
  lk_agent_row a;
  int rc;

  rc = lk_store_agent_get(s, id, &a);
  if (rc == 0)
    rc = agent_full(s, &b, &a);
  if (rc != 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_putc(&b, '\n');
  if (status == 201)
    lk_api_location(req, "agents", a.id);
  lk_req_respond_buf(req, status, "application/json", &b);
}

struct agent_list {
  lk_store *s;
  lk_buf *b;
  int n;
  int rc;
  char last[LK_ACTOR_ID_LEN + 1];
};

static void agent_one(const lk_agent_row *a, void *ud) {
  struct agent_list *al = ud;

  if (al->n++ > 0)
    lk_buf_putc(al->b, ',');
  if (al->rc == 0)
    al->rc = agent_full(al->s, al->b, a);
  snprintf(al->last, sizeof(al->last), "%s", a->id);
}

void lk_api_agents_list(lk_req *req) {
  const char *after = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct agent_list al = {.b = &b};
  int limit;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit))
    return;
  al.s = lk_req_app(req)->store;
  lk_buf_puts(&b, "{\"items\":[");
  /* Each agent's teams are read after the page's rows (nested reads each
   * borrow their own connection). */
  rc = lk_store_agent_list(al.s, after ? after : "", limit, agent_one, &al);
  if (rc >= 0 && al.rc != 0)
    rc = al.rc;
  lk_api_list_end(req, &b, rc, limit, al.last);
}

void lk_api_agents_get(lk_req *req) {
  if (lk_api_auth(req, "api") != 0)
    return;
  respond_agent(req, 200, lk_req_param(req, "id"));
}

struct agent_create_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_agent_create_op op;
};

static void agent_created(lk_req *req, int status) {
  struct agent_create_ctx *ctx = lk_req_data(req);

  if (status == LK_STORE_CONFLICT) {
    lk_req_problem(req, 409, "already-an-agent", "Conflict",
                   "this staff account is an agent already", "/userId");
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  respond_agent(req, 201, ctx->op.agent.id);
}

/* Reads "teamIds" (an array of strings) into ids[]. */
static int team_ids(lk_req *req, json_t *body, const char **ids, int *n) {
  json_t *arr = json_object_get(body, "teamIds");
  json_t *v;
  size_t i;

  *n = 0;
  if (arr == NULL)
    return 0;
  if (!json_is_array(arr) || json_array_size(arr) > LK_AGENT_TEAMS_MAX) {
    wrong_type(req, "teamIds", "an array of at most 32 team ids");
    return -1;
  }
  json_array_foreach(arr, i, v) {
    if (!json_is_string(v)) {
      wrong_type(req, "teamIds", "an array of at most 32 team ids");
      return -1;
    }
    ids[(*n)++] = json_string_value(v);
  }
  return 0;
}

void lk_api_agents_create(lk_req *req) {
  static const char *const allowed[] = {"userId", "name", "capacity", "teamIds",
                                        NULL};
  const char *ids[LK_AGENT_TEAMS_MAX];
  struct agent_create_ctx *ctx;
  const char *user_id;
  const char *name;
  long long capacity = -1;
  bool has_capacity;
  lk_invalid why;
  json_t *body;
  int nteams;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "userId", true, &user_id) != 0 ||
      lk_json_string(req, body, "name", false, &name) != 0 ||
      lk_json_int(req, body, "capacity", false, 0, LK_CAPACITY_MAX, &capacity,
                  &has_capacity) != 0 ||
      team_ids(req, body, ids, &nteams) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_agent_create_prepare(&ctx->op, lk_req_actor(req), user_id, name,
                               has_capacity ? (int)capacity : -1, ids, nteams,
                               &why);
  json_decref(body);
  if (rc != 0) {
    lk_api_invalid(req, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_agent_create_apply, &ctx->op, agent_created);
}

struct agent_update_ctx {
  lk_api_write aw;
  lk_agent_update_op op;
};

static void agent_updated(lk_req *req, int status) {
  struct agent_update_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  respond_agent(req, 200, ctx->op.id);
}

/* A new update op for the agent in the path, or NULL after answering. */
static struct agent_update_ctx *agent_update_ctx(lk_req *req) {
  struct agent_update_ctx *ctx = lk_api_data(req, sizeof(*ctx), free);
  lk_invalid why;

  if (ctx == NULL)
    return NULL;
  if (lk_agent_update_prepare(&ctx->op, lk_req_actor(req),
                              lk_req_param(req, "id"), &why) != 0) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND); /* names no agent */
    return NULL;
  }
  return ctx;
}

void lk_api_agents_update(lk_req *req) {
  static const char *const allowed[] = {"name", "capacity", "active", NULL};
  struct agent_update_ctx *ctx;
  const char *name;
  long long capacity;
  bool active = false;
  bool has_capacity;
  bool has_active;
  lk_invalid why;
  json_t *body;
  int rc = 0;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "name", false, &name) != 0 ||
      lk_json_int(req, body, "capacity", false, 0, LK_CAPACITY_MAX, &capacity,
                  &has_capacity) != 0 ||
      lk_json_bool(req, body, "active", &active, &has_active) != 0) {
    json_decref(body);
    return;
  }
  ctx = agent_update_ctx(req);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  if (name != NULL)
    rc = lk_agent_set_name(&ctx->op, name, &why);
  if (rc == 0 && has_capacity)
    rc = lk_agent_set_capacity(&ctx->op, capacity, &why);
  if (has_active)
    lk_agent_set_active(&ctx->op, active);
  json_decref(body);
  if (rc != 0) {
    lk_api_invalid(req, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_agent_update_apply, &ctx->op, agent_updated);
}

void lk_api_agents_presence(lk_req *req) {
  static const char *const allowed[] = {"presence", NULL};
  const lk_principal *p;
  struct agent_update_ctx *ctx;
  const char *presence;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  /* Agents set their own presence; supervisors anyone's. */
  p = lk_req_principal(req);
  if ((p->actor_id[0] == '\0' ||
       strcmp(p->actor_id, lk_req_param(req, "id")) != 0) &&
      lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  if (lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "presence", true, &presence) != 0) {
    json_decref(body);
    return;
  }
  ctx = agent_update_ctx(req);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_agent_set_presence(&ctx->op, presence, &why);
  json_decref(body);
  if (rc != 0) {
    lk_api_invalid(req, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_agent_update_apply, &ctx->op, agent_updated);
}

/* ---- teams ---------------------------------------------------------- */

static void member_ref(const lk_agent_row *a, void *ud) {
  lk_buf *b = ud;

  if (b->data[b->len - 1] != '[')
    lk_buf_putc(b, ',');
  lk_agent_json(b, a, NULL);
}

/* Answers with the team `id` as it is now, with its members. */
static void respond_team(lk_req *req, int status, const char *id) {
  lk_store *s = lk_req_app(req)->store;
  lk_buf b = LK_BUF_INIT;
  lk_team_row t;
  int rc;

  rc = lk_store_team_get(s, id, &t);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_team_json(&b, &t);
  b.len--; /* reopen the object */
  lk_buf_puts(&b, ",\"members\":[");
  rc = lk_store_team_members(s, id, MEMBERS_SHOWN, member_ref, &b);
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "]}\n");
  if (status == 201)
    lk_api_location(req, "teams", t.id);
  lk_req_respond_buf(req, status, "application/json", &b);
}

struct team_list {
  lk_buf *b;
  int n;
  char last[LK_ACTOR_ID_LEN + 1];
};

static void team_one(const lk_team_row *t, void *ud) {
  struct team_list *tl = ud;

  if (tl->n++ > 0)
    lk_buf_putc(tl->b, ',');
  lk_team_json(tl->b, t);
  snprintf(tl->last, sizeof(tl->last), "%s", t->id);
}

void lk_api_teams_list(lk_req *req) {
  const char *after = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct team_list tl = {.b = &b};
  int limit;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit))
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_team_list(lk_req_app(req)->store, after ? after : "", limit,
                          team_one, &tl);
  lk_api_list_end(req, &b, rc, limit, tl.last);
}

void lk_api_teams_get(lk_req *req) {
  if (lk_api_auth(req, "api") != 0)
    return;
  respond_team(req, 200, lk_req_param(req, "id"));
}

struct team_ctx {
  lk_api_write aw;
  lk_team_op op;
};

static void team_written(lk_req *req, int status) {
  struct team_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  respond_team(req, ctx->op.create ? 201 : 200, ctx->op.team.id);
}

static void team_write(lk_req *req, bool create) {
  static const char *const allowed[] = {"name", "active", NULL};
  struct team_ctx *ctx;
  const char *name;
  bool active = true;
  bool has_active;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "name", create, &name) != 0 ||
      lk_json_bool(req, body, "active", &active, &has_active) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  if (create)
    rc = lk_team_create_prepare(&ctx->op, lk_req_actor(req), name, &why);
  else
    rc = lk_team_update_prepare(&ctx->op, lk_req_actor(req),
                                lk_req_param(req, "id"), name,
                                has_active ? active : -1, &why);
  if (rc == 0 && create && has_active)
    ctx->op.active = active;
  json_decref(body);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_team_apply, &ctx->op, team_written);
}

void lk_api_teams_create(lk_req *req) {
  team_write(req, true);
}

void lk_api_teams_update(lk_req *req) {
  team_write(req, false);
}

struct member_ctx {
  lk_api_write aw;
  lk_team_member_op op;
};

static void member_written(lk_req *req, int status) {
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_req_respond(req, 204, NULL, "", 0);
}

static void member_write(lk_req *req, bool member) {
  struct member_ctx *ctx;
  lk_invalid why;

  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_team_member_prepare(&ctx->op, lk_req_actor(req),
                             lk_req_param(req, "id"),
                             lk_req_param(req, "agentId"), member, &why) != 0) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_team_member_apply, &ctx->op, member_written);
}

void lk_api_teams_member_put(lk_req *req) {
  member_write(req, true);
}

void lk_api_teams_member_delete(lk_req *req) {
  member_write(req, false);
}
