/* mail_poller.c - IMAP into conversations (see mail_poller.h).
 *
 * One thread walks the mailboxes; per mailbox it keeps a connection and
 * a backoff.  A batch is: fetch and parse up to `batch` messages, store
 * their attachment blobs, submit their writes together, wait for all of
 * them, then set the keyword on those that committed.  The writes of one
 * batch are applied in order by the single store writer, so a reply in
 * the same batch as the mail it answers finds it.
 */
#include "channels/mail_poller.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/imap.h"
#include "channels/mail_parse.h"
#include "core/attachment.h"
#include "core/mail_ingest.h"
#include "store/attachments.h"
#include "store/mailboxes.h"
#include "util/clock.h"
#include "util/log.h"

#define MAILBOXES_MAX 64
#define SEARCH_MAX 5000

struct box {
  char id[LK_CONV_ID_LEN + 1];
  int64_t version;
  int64_t due_at;
  int64_t backoff_ms;
  bool open;
  bool seen; /* listed in this pass */
  lk_imap imap;
};

struct item {
  lk_write w;
  lk_mail_poller *p;
  uint32_t uid;
  bool unreadable;
  int status;
  lk_mail_ingest_op op;
};

struct lk_mail_poller {
  lk_store *store;
  const lk_mail_key *key;
  lk_mail_poller_options opt;
  pthread_t thread;
  bool started;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool stop;
  int pending; /* writes of the batch not yet done */
  struct box boxes[MAILBOXES_MAX];
  int nboxes;
  lk_mailbox_row rows[MAILBOXES_MAX];
  int nrows;
  uint32_t uids[SEARCH_MAX];
  _Atomic uint64_t fetched, created, joined, duplicates, ignored, bounces,
      unreadable, errors;
};

lk_mail_poller *lk_mail_poller_new(lk_store *store, const lk_mail_key *key,
                                   const lk_mail_poller_options *opt) {
  lk_mail_poller *p = calloc(1, sizeof(*p));

  if (p == NULL)
    return NULL;
  p->store = store;
  p->key = key;
  if (opt != NULL)
    p->opt = *opt;
  if (p->opt.batch <= 0)
    p->opt.batch = 64;
  if (p->opt.backoff_min_ms <= 0)
    p->opt.backoff_min_ms = 1000;
  if (p->opt.backoff_max_ms <= 0)
    p->opt.backoff_max_ms = 300000;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  return p;
}

static int item_apply(lk_tx *tx, void *arg) {
  struct item *it = arg;

  return lk_mail_ingest_apply(tx, &it->op);
}

static void write_done(int status, void *arg) {
  struct item *it = arg;
  lk_mail_poller *p = it->p;

  it->status = status;
  pthread_mutex_lock(&p->mu);
  p->pending--;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* The mail's text with a line for each attachment that was not kept. */
static char *content_of(const lk_inmail *m, int refused) {
  lk_buf b = LK_BUF_INIT;
  int lost = m->dropped + refused;

  lk_buf_puts(&b, m->text);
  if (lost > 0) {
    char note[160];
    size_t n = (size_t)snprintf(
        note, sizeof(note),
        "\n\n[%d bijlage%s niet opgeslagen: te groot, te veel of een type "
        "dat Loket niet aanneemt]",
        lost, lost == 1 ? "" : "n");

    /* Room for the note within the content limit. */
    if (b.len + n > LK_INMAIL_TEXT_MAX) {
      size_t keep = LK_INMAIL_TEXT_MAX - n;
      while (keep > 0 && ((unsigned char)b.data[keep] & 0xc0) == 0x80)
        keep--;
      b.len = keep;
    }
    lk_buf_puts(&b, note);
  }
  return lk_buf_steal(&b);
}

/* A mail cut off at the fetch limit: keeps its header (with an empty
 * body) so that it can still become a conversation.  False if not even
 * the header came in. */
static bool too_big(lk_buf *raw) {
  const char *end;

  if (raw->data == NULL || !lk_buf_ok(raw))
    return false;
  lk_buf_putc(raw, '\0');
  if (!lk_buf_ok(raw))
    return false;
  end = strstr(raw->data, "\r\n\r\n");
  if (end == NULL)
    return false;
  raw->len = (size_t)(end - raw->data) + 4;
  raw->data[raw->len] = '\0';
  return true;
}

/* Fetches, parses and prepares message `uid`.  Returns 0 (the item may be
 * marked unreadable), or -1 when the connection failed. */
static int prepare_item(lk_mail_poller *p, struct box *bx,
                        const lk_mailbox_row *mb, struct item *it, char *err,
                        size_t errlen) {
  lk_buf raw = LK_BUF_INIT;
  lk_inmail m;
  const char *refs[LK_INMAIL_REFS_MAX];
  lk_mail_in in;
  char *content;
  int refused = 0;
  bool big = false;
  int rc;

  rc = lk_imap_fetch(&bx->imap, it->uid, &raw, err, errlen);
  if (rc == LK_IMAP_TOO_BIG && too_big(&raw)) {
    rc = 0;
    big = true;
  }
  if (rc != 0) {
    lk_buf_free(&raw);
    return -1;
  }
  atomic_fetch_add(&p->fetched, 1);
  rc = lk_mail_parse(raw.data != NULL ? raw.data : "", raw.len, NULL, &m);
  lk_buf_free(&raw);
  if (rc == 0 && big) {
    /* Its header only: a conversation that says so, so that an agent
     * knows and the mailbox is not blocked by it (it gets the keyword). */
    size_t max =
        bx->imap.fetch_max > 0 ? bx->imap.fetch_max : LK_IMAP_FETCH_MAX;
    lk_buf note = LK_BUF_INIT;

    lk_buf_printf(&note,
                  "[Deze e-mail is te groot (meer dan %zu KiB) en is niet "
                  "opgehaald; lees hem in de mailbox zelf.]",
                  max >> 10);
    if (!lk_buf_ok(&note)) {
      lk_buf_free(&note);
      lk_inmail_free(&m);
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    free(m.text);
    m.text = lk_buf_steal(&note);
  }
  if (rc != 0) {
    lk_inmail_free(&m);
    it->unreadable = true;
    return 0;
  }
  for (int i = 0; i < m.nrefs; i++)
    refs[i] = m.refs[i];
  content = content_of(&m, 0);
  in = (lk_mail_in){.message_id = m.message_id,
                    .refs = refs,
                    .nrefs = m.nrefs,
                    .from = m.from,
                    .from_name = m.from_name,
                    .subject = m.subject,
                    .text = content != NULL ? content : m.text,
                    .noise = m.noise,
                    .bounced_id = m.bounced_id};
  rc = lk_mail_ingest_prepare(&it->op, p->key, mb, &in);
  for (int i = 0; rc == 0 && m.noise == NULL && i < m.nparts; i++) {
    lk_attachment_op a;
    lk_invalid why;

    if (lk_attachment_prepare(&a, &it->op.caller, m.parts[i].media_type,
                              m.parts[i].filename, m.parts[i].data,
                              m.parts[i].len, &why) != 0 ||
        lk_attachment_store_blob(lk_store_dir(p->store), &a, m.parts[i].data,
                                 m.parts[i].len) != 0 ||
        lk_mail_ingest_attach(&it->op, &a) != 0) {
      refused++;
      continue;
    }
  }
  if (rc == 0 && refused > 0) {
    char *with_note = content_of(&m, refused);

    if (with_note != NULL) {
      free(it->op.text);
      it->op.text = with_note;
    }
  }
  free(content);
  lk_inmail_free(&m);
  if (rc != 0)
    it->unreadable = true;
  return 0;
}

static void count(lk_mail_poller *p, const struct item *it) {
  switch (it->op.outcome) {
  case LK_MAIL_CREATED:
    atomic_fetch_add(&p->created, 1);
    break;
  case LK_MAIL_JOINED:
    atomic_fetch_add(&p->joined, 1);
    break;
  case LK_MAIL_DUPLICATE:
    atomic_fetch_add(&p->duplicates, 1);
    break;
  case LK_MAIL_BOUNCE:
    atomic_fetch_add(&p->bounces, 1);
    break;
  case LK_MAIL_IGNORED:
    atomic_fetch_add(&p->ignored, 1);
    break;
  default:
    break;
  }
}

/* One batch of `n` UIDs.  Returns 0 or -1 with err. */
static int run_batch(lk_mail_poller *p, struct box *bx,
                     const lk_mailbox_row *mb, const uint32_t *uids, int n,
                     char *err, size_t errlen) {
  struct item *items = calloc((size_t)n, sizeof(*items));
  uint32_t *done = calloc((size_t)n, sizeof(*done));
  int ndone = 0, rc = 0;

  if (items == NULL || done == NULL) {
    free(items);
    free(done);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (int i = 0; i < n && rc == 0; i++) {
    items[i].p = p;
    items[i].uid = uids[i];
    rc = prepare_item(p, bx, mb, &items[i], err, errlen);
    if (rc != 0)
      break;
    if (items[i].unreadable)
      continue;
    items[i].w.apply = item_apply;
    items[i].w.done = write_done;
    items[i].w.arg = &items[i];
    pthread_mutex_lock(&p->mu);
    p->pending++;
    pthread_mutex_unlock(&p->mu);
    if (lk_store_submit(p->store, &items[i].w) != 0) {
      pthread_mutex_lock(&p->mu);
      p->pending--;
      pthread_mutex_unlock(&p->mu);
      items[i].status = LK_STORE_CLOSED;
      snprintf(err, errlen, "the store is closed");
      rc = -1;
      break;
    }
  }
  pthread_mutex_lock(&p->mu);
  while (p->pending > 0)
    pthread_cond_wait(&p->cv, &p->mu);
  pthread_mutex_unlock(&p->mu);

  /* Only what committed (or could never be read) is marked. */
  for (int i = 0; i < n; i++) {
    if (items[i].uid == 0)
      continue;
    if (items[i].w.apply != NULL && items[i].status == LK_EINVALID &&
        items[i].op.outcome == LK_MAIL_REFUSED)
      items[i].unreadable = true;
    if (items[i].unreadable) {
      atomic_fetch_add(&p->unreadable, 1);
      lk_log(LK_LOG_WARN,
             "mail: a message that cannot be parsed or filed is left "
             "on the server",
             "mailbox", mb->id, NULL);
      done[ndone++] = items[i].uid;
    } else if (items[i].w.apply != NULL && items[i].status == 0) {
      count(p, &items[i]);
      done[ndone++] = items[i].uid;
    } else if (items[i].w.apply != NULL && rc == 0) {
      snprintf(err, errlen, "a write failed: %s",
               lk_store_strerror(items[i].status));
      rc = -1;
    }
    lk_mail_ingest_free(&items[i].op);
  }
  if (ndone > 0) {
    char spare[128];

    /* After a failed write its reason is kept; the mark still runs. */
    if (lk_imap_mark(&bx->imap, done, ndone, LK_IMAP_KEYWORD,
                     rc == 0 ? err : spare,
                     rc == 0 ? errlen : sizeof(spare)) != 0)
      rc = -1;
  }
  free(items);
  free(done);
  return rc;
}

/* Searches and takes in one mailbox.  Returns 1 when more messages wait,
 * 0 when done, -1 on failure (err says why, without secrets). */
static int poll_box(lk_mail_poller *p, struct box *bx, const lk_mailbox_row *mb,
                    char *err, size_t errlen) {
  int n, off = 0;

  if (!bx->open) {
    if (lk_imap_init(&bx->imap, mb->imap_host, mb->imap_port, mb->imap_tls,
                     mb->folder, mb->imap_user, mb->imap_password_file, err,
                     errlen) != 0)
      return -1;
    bx->imap.insecure = p->opt.insecure;
    bx->imap.fetch_max = p->opt.fetch_max;
    bx->open = true;
  }
  n = lk_imap_search_new(&bx->imap, p->uids, SEARCH_MAX, err, errlen);
  if (n < 0)
    return -1;
  /* libcurl's fetch is BODY[], which sets \Seen on each message: one flag
   * change per FETCH, which costs Dovecot (Maildir) 2-3 ms each.  Set for
   * all of them in a few commands first, the fetches change nothing.  The
   * keyword, not \Seen, says a message is taken in. */
  if (n > 0 && lk_imap_mark(&bx->imap, p->uids, n, "\\Seen", err, errlen) != 0)
    return -1;
  while (off < n) {
    int k = n - off < p->opt.batch ? n - off : p->opt.batch;
    bool stopping;

    if (run_batch(p, bx, mb, p->uids + off, k, err, errlen) != 0)
      return -1;
    off += k;
    pthread_mutex_lock(&p->mu);
    stopping = p->stop;
    pthread_mutex_unlock(&p->mu);
    if (stopping)
      return 1;
  }
  return n == SEARCH_MAX ? 1 : 0;
}

static void close_box(struct box *bx) {
  if (bx->open)
    lk_imap_close(&bx->imap);
  bx->open = false;
}

static void list_row(const lk_mailbox_row *m, void *ud) {
  lk_mail_poller *p = ud;

  if (p->nrows < MAILBOXES_MAX)
    p->rows[p->nrows++] = *m;
}

static struct box *box_for(lk_mail_poller *p, const lk_mailbox_row *m) {
  for (int i = 0; i < p->nboxes; i++) {
    if (strcmp(p->boxes[i].id, m->id) == 0)
      return &p->boxes[i];
  }
  if (p->nboxes == MAILBOXES_MAX)
    return NULL;
  memset(&p->boxes[p->nboxes], 0, sizeof(p->boxes[0]));
  snprintf(p->boxes[p->nboxes].id, sizeof(p->boxes[0].id), "%s", m->id);
  p->boxes[p->nboxes].version = m->version;
  return &p->boxes[p->nboxes++];
}

/* One look at every mailbox; returns when the next one is due. */
static int64_t pass(lk_mail_poller *p) {
  int64_t now = lk_clock_mono_ms();
  int64_t next = now + 1000; /* the list is read again within a second */
  char err[256];

  p->nrows = 0;
  if (lk_store_mailbox_list(p->store, "", MAILBOXES_MAX, true, list_row, p) < 0)
    return next;
  for (int i = 0; i < p->nboxes; i++)
    p->boxes[i].seen = false;
  for (int i = 0; i < p->nrows; i++) {
    const lk_mailbox_row *mb = &p->rows[i];
    struct box *bx = box_for(p, mb);
    int rc;

    if (bx == NULL)
      continue;
    bx->seen = true;
    if (bx->version != mb->version) { /* changed: connect afresh */
      close_box(bx);
      bx->version = mb->version;
      bx->due_at = 0;
      bx->backoff_ms = 0;
    }
    if (bx->due_at > now)
      continue;
    err[0] = '\0';
    rc = poll_box(p, bx, mb, err, sizeof(err));
    now = lk_clock_mono_ms();
    if (rc < 0) {
      atomic_fetch_add(&p->errors, 1);
      bx->backoff_ms =
          bx->backoff_ms == 0 ? p->opt.backoff_min_ms : bx->backoff_ms * 2;
      if (bx->backoff_ms > p->opt.backoff_max_ms)
        bx->backoff_ms = p->opt.backoff_max_ms;
      bx->due_at = now + bx->backoff_ms;
      close_box(bx);
      lk_log(LK_LOG_WARN, "mail: mailbox not read", "mailbox", mb->id, "error",
             err, NULL);
    } else {
      bx->backoff_ms = 0;
      bx->due_at = rc == 1 ? now : now + (int64_t)mb->poll_seconds * 1000;
    }
  }
  /* Mailboxes gone or disabled: their connections close. */
  for (int i = 0; i < p->nboxes;) {
    if (!p->boxes[i].seen) {
      close_box(&p->boxes[i]);
      p->boxes[i] = p->boxes[--p->nboxes];
      continue;
    }
    if (p->boxes[i].due_at < next)
      next = p->boxes[i].due_at;
    i++;
  }
  return next;
}

static void *run(void *arg) {
  lk_mail_poller *p = arg;

  for (;;) {
    int64_t next = pass(p);
    int64_t wait;
    struct timespec ts;

    pthread_mutex_lock(&p->mu);
    if (p->stop) {
      pthread_mutex_unlock(&p->mu);
      break;
    }
    wait = next - lk_clock_mono_ms();
    if (wait > 0) {
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_sec += (time_t)(wait / 1000);
      ts.tv_nsec += (long)(wait % 1000) * 1000000L;
      if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait(&p->cv, &p->mu, &ts);
    }
    if (p->stop) {
      pthread_mutex_unlock(&p->mu);
      break;
    }
    pthread_mutex_unlock(&p->mu);
  }
  for (int i = 0; i < p->nboxes; i++)
    close_box(&p->boxes[i]);
  return NULL;
}

int lk_mail_poller_start(lk_mail_poller *p) {
  int rc = pthread_create(&p->thread, NULL, run, p);

  if (rc != 0)
    return -rc;
  p->started = true;
  return 0;
}

void lk_mail_poller_stop(lk_mail_poller *p) {
  if (p == NULL || !p->started)
    return;
  pthread_mutex_lock(&p->mu);
  p->stop = true;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  pthread_join(p->thread, NULL);
  p->started = false;
}

void lk_mail_poller_free(lk_mail_poller *p) {
  if (p == NULL)
    return;
  lk_mail_poller_stop(p);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
  free(p);
}

void lk_mail_poller_stats_get(lk_mail_poller *p, lk_mail_poller_stats *out) {
  out->fetched = atomic_load(&p->fetched);
  out->created = atomic_load(&p->created);
  out->joined = atomic_load(&p->joined);
  out->duplicates = atomic_load(&p->duplicates);
  out->ignored = atomic_load(&p->ignored);
  out->bounces = atomic_load(&p->bounces);
  out->unreadable = atomic_load(&p->unreadable);
  out->errors = atomic_load(&p->errors);
}

void lk_mail_poller_metrics(lk_buf *b, void *ud) {
  lk_mail_poller_stats st;

  lk_mail_poller_stats_get(ud, &st);
  lk_buf_printf(b,
                "# HELP loket_mail_in_total Incoming mails by outcome.\n"
                "# TYPE loket_mail_in_total counter\n"
                "loket_mail_in_total{outcome=\"created\"} %llu\n"
                "loket_mail_in_total{outcome=\"joined\"} %llu\n"
                "loket_mail_in_total{outcome=\"duplicate\"} %llu\n"
                "loket_mail_in_total{outcome=\"ignored\"} %llu\n"
                "loket_mail_in_total{outcome=\"bounce\"} %llu\n"
                "loket_mail_in_total{outcome=\"unreadable\"} %llu\n"
                "# HELP loket_mail_poll_errors_total Mailbox passes that "
                "failed (connection, login, write).\n"
                "# TYPE loket_mail_poll_errors_total counter\n"
                "loket_mail_poll_errors_total %llu\n",
                (unsigned long long)st.created, (unsigned long long)st.joined,
                (unsigned long long)st.duplicates,
                (unsigned long long)st.ignored, (unsigned long long)st.bounces,
                (unsigned long long)st.unreadable,
                (unsigned long long)st.errors);
}
