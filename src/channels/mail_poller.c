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
#include <time.h>

#include "channels/imap.h"
#include "channels/mail_parse.h"
#include "core/attachment.h"
#include "core/mail_ingest.h"
#include "store/attachments.h"
#include "store/mailboxes.h"
#include "util/clock.h"
#include "util/log.h"

#define LIST_PAGE 100
#define SEARCH_MAX 5000
#define GROUP_BYTES ((size_t)8 << 20)    /* fetched in one command */
#define IDLE_MS_DEFAULT (25 * 60 * 1000) /* re-IDLE before servers' 29 min */

/* The IDLE connection of one mailbox, on a thread of its own (the
 * poller's thread only searches and fetches): on EXISTS it wakes the
 * poller, which then searches that mailbox at once. */
struct watcher {
  lk_mail_poller *p;
  lk_mailbox_row row;
  pthread_t thread;
  atomic_bool stop;
  atomic_bool wake; /* a new mail: search now */
};

struct box {
  char id[LK_CONV_ID_LEN + 1];
  int64_t version;
  int64_t due_at;
  int64_t backoff_ms;
  bool open;
  bool seen; /* listed in this pass */
  lk_imap imap;
  struct watcher *watcher; /* NULL: none (yet) */
};

struct item {
  lk_write w;
  lk_mail_poller *p;
  uint32_t uid;
  bool skip;       /* not written: gone, refused or a temporary failure */
  bool refused;    /* never to be filed: marked, logged, not written */
  bool unreadable; /* no message: written as a conversation with a note */
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
  bool woken;  /* a watcher saw new mail */
  struct box **boxes;
  int nboxes, capboxes;
  lk_mailbox_row *rows;
  int nrows, caprows;
  bool rows_oom;
  uint32_t uids[SEARCH_MAX];
  _Atomic uint64_t fetched, created, joined, duplicates, ignored, bounces,
      unreadable, errors, deferred, wakeups;
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
  if (p->opt.idle_ms <= 0)
    p->opt.idle_ms = IDLE_MS_DEFAULT;
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

/* A temporary failure of message `uid`: it is left without the keyword
 * for the next pass; the batch ends in a backoff. */
static void defer(lk_mail_poller *p, struct item *it, bool *temporary,
                  char *err, size_t errlen, const char *why) {
  it->skip = true;
  *temporary = true;
  atomic_fetch_add(&p->deferred, 1);
  snprintf(err, errlen, "%s", why);
}

/* Parses and prepares message `uid`, fetched into `raw` with `fetched`
 * (0, LK_IMAP_TOO_BIG or LK_IMAP_GONE from lk_imap_fetch_many).  A
 * temporary failure (memory, disk) sets it->skip and *temporary with
 * err; only a mail that can never be parsed becomes an "unreadable"
 * note. */
static void prepare_item(lk_mail_poller *p, struct box *bx,
                         const lk_mailbox_row *mb, struct item *it, lk_buf *raw,
                         int fetched, bool *temporary, char *err,
                         size_t errlen) {
  lk_inmail m;
  const char *refs[LK_INMAIL_REFS_MAX];
  const char *rcpts[LK_INMAIL_BOUNCE_MAX];
  lk_mail_in in;
  char *content;
  int refused = 0;
  bool big = false;
  int rc;

  if (fetched == LK_IMAP_GONE) { /* deleted by someone since the SEARCH */
    it->skip = true;
    return;
  }
  if (fetched == LK_IMAP_TOO_BIG && !too_big(raw)) {
    /* Not even its header in fetch_max bytes: only the note. */
    lk_buf_reset(raw);
    lk_buf_printf(raw,
                  "Subject: (te grote e-mail)\r\n"
                  "Message-ID: <te-groot-%u.%s@loket.invalid>\r\n\r\n",
                  (unsigned)it->uid, mb->id);
  }
  big = fetched == LK_IMAP_TOO_BIG;
  atomic_fetch_add(&p->fetched, 1);
  rc = lk_mail_parse(raw->data != NULL ? raw->data : "", raw->len,
                     &(lk_inmail_limits){.authserv_id = mb->authserv_id}, &m);
  lk_buf_free(raw);
  if (rc != 0 && rc != -1) {
    lk_inmail_free(&m);
    defer(p, it, temporary, err, errlen, "out of memory while parsing a mail");
    return;
  }
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
      defer(p, it, temporary, err, errlen, "out of memory");
      return;
    }
    free(m.text);
    m.text = lk_buf_steal(&note);
  }
  if (rc == -1) {
    /* No message at all, now or ever: a conversation with a note, under
     * the hash of its bytes, so that an agent looks in the mailbox. */
    it->unreadable = true;
    in = (lk_mail_in){.message_id = m.message_id,
                      .subject = "(onleesbare e-mail)",
                      .text = "[Loket kon deze e-mail niet lezen; lees hem "
                              "in de mailbox zelf.]"};
    rc = lk_mail_ingest_prepare(&it->op, p->key, mb, &in);
    lk_inmail_free(&m);
    if (rc == -ENOMEM)
      defer(p, it, temporary, err, errlen, "out of memory");
    return;
  }
  for (int i = 0; i < m.nrefs; i++)
    refs[i] = m.refs[i];
  for (int i = 0; i < m.nbounce_rcpts; i++)
    rcpts[i] = m.bounce_rcpts[i];
  content = content_of(&m, 0);
  in = (lk_mail_in){.message_id = m.message_id,
                    .refs = refs,
                    .nrefs = m.nrefs,
                    .from = m.from,
                    .from_name = m.from_name,
                    .from_proven = m.from_proven,
                    .subject = m.subject,
                    .text = content != NULL ? content : m.text,
                    .noise = m.noise,
                    .dsn_failed = m.dsn_failed,
                    .bounce_rcpts = rcpts,
                    .nbounce_rcpts = m.nbounce_rcpts};
  rc = lk_mail_ingest_prepare(&it->op, p->key, mb, &in);
  if (rc == 0 && content == NULL)
    rc = -ENOMEM; /* the note of lost attachments would be missing */
  for (int i = 0; rc == 0 && m.noise == NULL && i < m.nparts; i++) {
    lk_attachment_op a;
    lk_invalid why;
    int brc;

    if (lk_attachment_prepare(&a, &it->op.caller, m.parts[i].media_type,
                              m.parts[i].filename, m.parts[i].data,
                              m.parts[i].len, &why) != 0) {
      refused++; /* the upload rules: permanent */
      continue;
    }
    brc = lk_attachment_store_blob(lk_store_dir(p->store), &a, m.parts[i].data,
                                   m.parts[i].len);
    if (brc != 0) { /* the disk: temporary, the whole mail waits */
      char why_s[160];

      snprintf(why_s, sizeof(why_s), "an attachment cannot be stored: %s",
               strerror(-brc));
      lk_mail_ingest_free(&it->op);
      free(content);
      lk_inmail_free(&m);
      defer(p, it, temporary, err, errlen, why_s);
      return;
    }
    if (lk_mail_ingest_attach(&it->op, &a) != 0)
      refused++; /* over the number a message may have */
  }
  if (rc == 0 && refused > 0) {
    char *with_note = content_of(&m, refused);

    if (with_note == NULL) {
      rc = -ENOMEM;
    } else {
      free(it->op.text);
      it->op.text = with_note;
    }
  }
  free(content);
  lk_inmail_free(&m);
  if (rc == -ENOMEM) {
    lk_mail_ingest_free(&it->op);
    defer(p, it, temporary, err, errlen, "out of memory");
  } else if (rc != 0) {
    it->refused = true; /* an unusable Message-ID: marked, logged */
    it->skip = true;
  }
  return;
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

/* One batch of `n` UIDs.  Returns 0 or -1 with err: a connection
 * failure, or a temporary failure of some message (memory, disk, a
 * write), which is then left for the next pass after a backoff. */
static int run_batch(lk_mail_poller *p, struct box *bx,
                     const lk_mailbox_row *mb, const uint32_t *uids, int n,
                     char *err, size_t errlen) {
  struct item *items = calloc((size_t)n, sizeof(*items));
  uint32_t *done = calloc((size_t)n, sizeof(*done));
  lk_buf *raws = calloc((size_t)n, sizeof(*raws));
  int *status = calloc((size_t)n, sizeof(*status));
  size_t *sizes = calloc((size_t)n, sizeof(*sizes));
  size_t max = bx->imap.fetch_max > 0 ? bx->imap.fetch_max : LK_IMAP_FETCH_MAX;
  bool temporary = false;
  int ndone = 0, rc = 0;

  if (items == NULL || done == NULL || raws == NULL || status == NULL ||
      sizes == NULL) {
    free(items);
    free(done);
    free(raws);
    free(status);
    free(sizes);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (int i = 0; i < n; i++) {
    items[i].p = p;
    items[i].uid = uids[i];
  }
  /* Sizes first; then the messages in commands of at most GROUP_BYTES
   * (one larger than fetch_max alone, cut off), each group parsed and
   * its writes submitted before the next is fetched. */
  rc = lk_imap_sizes(&bx->imap, uids, n, sizes, err, errlen);
  for (int i = 0, j; rc == 0 && i < n; i = j) {
    size_t total = sizes[i];

    j = i + 1;
    if (sizes[i] == SIZE_MAX) { /* gone since the SEARCH */
      items[i].skip = true;
      continue;
    }
    while (sizes[i] <= max && j < n && sizes[j] <= max &&
           total + sizes[j] <= GROUP_BYTES) /* SIZE_MAX > max: stops */
      total += sizes[j++];
    rc = lk_imap_fetch_many(&bx->imap, uids + i, j - i, raws + i, status + i,
                            err, errlen);
    for (int k = i; rc == 0 && k < j; k++) {
      struct item *it = &items[k];

      prepare_item(p, bx, mb, it, &raws[k], status[k], &temporary, err, errlen);
      lk_buf_free(&raws[k]);
      if (it->skip)
        continue;
      it->w.apply = item_apply;
      it->w.done = write_done;
      it->w.arg = it;
      pthread_mutex_lock(&p->mu);
      p->pending++;
      pthread_mutex_unlock(&p->mu);
      if (lk_store_submit(p->store, &it->w) != 0) {
        pthread_mutex_lock(&p->mu);
        p->pending--;
        pthread_mutex_unlock(&p->mu);
        it->w.apply = NULL;
        it->skip = true;
        snprintf(err, errlen, "the store is closed");
        rc = -1;
      }
    }
  }
  for (int i = 0; i < n; i++)
    lk_buf_free(&raws[i]);
  pthread_mutex_lock(&p->mu);
  while (p->pending > 0)
    pthread_cond_wait(&p->cv, &p->mu);
  pthread_mutex_unlock(&p->mu);

  /* Only what committed (or can never be filed) is marked.  A write that
   * failed for any other reason than the core's refusal (the disk is
   * full, an I/O error, out of memory) leaves the mail for later. */
  for (int i = 0; i < n; i++) {
    struct item *it = &items[i];

    if (it->uid == 0)
      continue;
    if (it->w.apply != NULL && it->status == LK_EINVALID &&
        it->op.outcome == LK_MAIL_REFUSED)
      it->refused = true;
    if (it->refused) {
      atomic_fetch_add(&p->unreadable, 1);
      lk_log(LK_LOG_WARN,
             "mail: a message that cannot be filed is left on the server",
             "mailbox", mb->id, NULL);
      done[ndone++] = it->uid;
    } else if (it->w.apply != NULL && it->status == 0) {
      if (it->unreadable && it->op.outcome == LK_MAIL_CREATED)
        atomic_fetch_add(&p->unreadable, 1);
      else
        count(p, it);
      done[ndone++] = it->uid;
    } else if (it->w.apply != NULL) {
      atomic_fetch_add(&p->deferred, 1);
      if (!temporary && rc == 0)
        snprintf(err, errlen, "a write failed: %s",
                 lk_store_strerror(it->status));
      temporary = true;
    }
    lk_mail_ingest_free(&it->op);
  }
  if (ndone > 0) {
    char spare[256];

    /* After a failure its reason is kept; the mark still runs. */
    if (lk_imap_mark(&bx->imap, done, ndone, LK_IMAP_DONE_FLAGS,
                     rc == 0 && !temporary ? err : spare,
                     rc == 0 && !temporary ? errlen : sizeof(spare)) != 0)
      rc = -1;
  }
  free(items);
  free(done);
  free(raws);
  free(status);
  free(sizes);
  return rc == 0 && temporary ? -1 : rc;
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

/* Sleeps `ms` in short steps, so that a stop is seen.  False when
 * stopped. */
static bool nap(struct watcher *w, int64_t ms) {
  int64_t end = lk_clock_mono_ms() + ms;

  while (!atomic_load(&w->stop)) {
    int64_t left = end - lk_clock_mono_ms();
    struct timespec ts = {0, 100 * 1000000L};

    if (left <= 0)
      return true;
    if (left < 100)
      ts.tv_nsec = (long)left * 1000000L;
    nanosleep(&ts, NULL);
  }
  return false;
}

static void wake(struct watcher *w) {
  lk_mail_poller *p = w->p;

  atomic_store(&w->wake, true);
  atomic_fetch_add(&p->wakeups, 1);
  pthread_mutex_lock(&p->mu);
  p->woken = true;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* The watcher's thread: LOGIN, SELECT, IDLE until EXISTS (wake the
 * poller) or idle_ms (IDLE again); a failure reconnects after 1 s,
 * doubling to backoff_max_ms.  Without IDLE in the server's CAPABILITY
 * it ends: the mailbox is polled only. */
static void *watch(void *arg) {
  struct watcher *w = arg;
  lk_mail_poller *p = w->p;
  const lk_mailbox_row *mb = &w->row;
  int64_t backoff = 0;
  bool first = true;

  while (!atomic_load(&w->stop)) {
    char err[256] = "";
    lk_imap c;
    int rc =
        lk_imap_init(&c, mb->imap_host, mb->imap_port, mb->imap_tls, mb->folder,
                     mb->imap_user, mb->imap_password_file, err, sizeof(err));

    c.insecure = p->opt.insecure;
    c.cancel = &w->stop;
    if (rc == 0)
      rc = lk_imap_open(&c, err, sizeof(err));
    if (rc == 0 && !c.can_idle) {
      lk_log(LK_LOG_INFO, "mail: the server offers no IDLE; polling", "mailbox",
             mb->id, NULL);
      lk_imap_close(&c);
      break;
    }
    if (rc == 0) {
      /* Mail that came while nobody watched is searched for now. */
      if (!first)
        wake(w);
      first = false;
      backoff = 0;
      while (!atomic_load(&w->stop)) {
        rc = lk_imap_idle(&c, p->opt.idle_ms, err, sizeof(err));
        if (rc < 0)
          break;
        if (rc == 1)
          wake(w);
      }
    }
    lk_imap_close(&c);
    if (atomic_load(&w->stop))
      break;
    lk_log(LK_LOG_WARN, "mail: mailbox not watched", "mailbox", mb->id, "error",
           err, NULL);
    backoff = backoff == 0 ? p->opt.backoff_min_ms : backoff * 2;
    if (backoff > p->opt.backoff_max_ms)
      backoff = p->opt.backoff_max_ms;
    if (!nap(w, backoff))
      break;
  }
  return NULL;
}

static void watcher_stop(struct box *bx) {
  if (bx->watcher == NULL)
    return;
  atomic_store(&bx->watcher->stop, true);
  pthread_join(bx->watcher->thread, NULL);
  free(bx->watcher);
  bx->watcher = NULL;
}

static void watcher_start(lk_mail_poller *p, struct box *bx,
                          const lk_mailbox_row *mb) {
  struct watcher *w = calloc(1, sizeof(*w));

  if (w == NULL)
    return; /* polling still takes the mail in */
  w->p = p;
  w->row = *mb;
  atomic_init(&w->stop, false);
  atomic_init(&w->wake, false);
  if (pthread_create(&w->thread, NULL, watch, w) != 0) {
    free(w);
    return;
  }
  bx->watcher = w;
}

static void close_box(struct box *bx) {
  if (bx->open)
    lk_imap_close(&bx->imap);
  bx->open = false;
}

static void list_row(const lk_mailbox_row *m, void *ud) {
  lk_mail_poller *p = ud;

  if (p->nrows == p->caprows) {
    int cap = p->caprows > 0 ? p->caprows * 2 : LIST_PAGE;
    lk_mailbox_row *r = realloc(p->rows, (size_t)cap * sizeof(*r));

    if (r == NULL) {
      p->rows_oom = true;
      return;
    }
    p->rows = r;
    p->caprows = cap;
  }
  p->rows[p->nrows++] = *m;
}

/* Every enabled mailbox, a page at a time: there is no limit on their
 * number.  Returns 0, or -1 when the list is incomplete. */
static int list_all(lk_mail_poller *p) {
  char after[LK_CONV_ID_LEN + 1] = "";

  p->nrows = 0;
  p->rows_oom = false;
  for (;;) {
    int before = p->nrows;
    int n =
        lk_store_mailbox_list(p->store, after, LIST_PAGE, true, list_row, p);

    if (n < 0 || p->rows_oom)
      return -1;
    if (n < LIST_PAGE)
      return 0;
    if (p->nrows == before)
      return -1;
    snprintf(after, sizeof(after), "%s", p->rows[p->nrows - 1].id);
  }
}

static struct box *box_for(lk_mail_poller *p, const lk_mailbox_row *m) {
  struct box *bx;

  for (int i = 0; i < p->nboxes; i++) {
    if (strcmp(p->boxes[i]->id, m->id) == 0)
      return p->boxes[i];
  }
  if (p->nboxes == p->capboxes) {
    int cap = p->capboxes > 0 ? p->capboxes * 2 : 16;
    struct box **b = realloc(p->boxes, (size_t)cap * sizeof(*b));

    if (b == NULL)
      return NULL;
    p->boxes = b;
    p->capboxes = cap;
  }
  bx = calloc(1, sizeof(*bx));
  if (bx == NULL)
    return NULL;
  snprintf(bx->id, sizeof(bx->id), "%s", m->id);
  bx->version = m->version;
  p->boxes[p->nboxes++] = bx;
  return bx;
}

/* One look at every mailbox; returns when the next one is due. */
static int64_t pass(lk_mail_poller *p) {
  int64_t now = lk_clock_mono_ms();
  int64_t next = now + 1000; /* the list is read again within a second */
  char err[256];

  if (list_all(p) != 0) {
    lk_log(LK_LOG_WARN, "mail: the list of mailboxes cannot be read", NULL);
    return next;
  }
  for (int i = 0; i < p->nboxes; i++)
    p->boxes[i]->seen = false;
  for (int i = 0; i < p->nrows; i++) {
    const lk_mailbox_row *mb = &p->rows[i];
    struct box *bx = box_for(p, mb);
    int rc;

    if (bx == NULL)
      continue; /* out of memory: the next pass tries again */
    bx->seen = true;
    if (bx->version != mb->version) { /* changed: connect afresh */
      close_box(bx);
      watcher_stop(bx);
      bx->version = mb->version;
      bx->due_at = 0;
      bx->backoff_ms = 0;
    }
    if (bx->watcher == NULL && !p->opt.no_idle)
      watcher_start(p, bx, mb);
    if (bx->watcher != NULL && atomic_exchange(&bx->watcher->wake, false) &&
        bx->backoff_ms == 0)
      bx->due_at = 0;
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
    struct box *bx = p->boxes[i];

    if (!bx->seen) {
      close_box(bx);
      watcher_stop(bx);
      free(bx);
      p->boxes[i] = p->boxes[--p->nboxes];
      continue;
    }
    if (bx->due_at < next)
      next = bx->due_at;
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
    if (wait > 0 && !p->woken) {
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_sec += (time_t)(wait / 1000);
      ts.tv_nsec += (long)(wait % 1000) * 1000000L;
      if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait(&p->cv, &p->mu, &ts);
    }
    p->woken = false;
    if (p->stop) {
      pthread_mutex_unlock(&p->mu);
      break;
    }
    pthread_mutex_unlock(&p->mu);
  }
  for (int i = 0; i < p->nboxes; i++) {
    close_box(p->boxes[i]);
    watcher_stop(p->boxes[i]);
    free(p->boxes[i]);
  }
  p->nboxes = 0;
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
  free(p->boxes);
  free(p->rows);
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
  out->deferred = atomic_load(&p->deferred);
  out->wakeups = atomic_load(&p->wakeups);
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
                "loket_mail_poll_errors_total %llu\n"
                "# HELP loket_mail_deferred_total Mails left for a later "
                "pass after a temporary failure (memory, disk, a write).\n"
                "# TYPE loket_mail_deferred_total counter\n"
                "loket_mail_deferred_total %llu\n"
                "# HELP loket_mail_idle_wakeups_total New mail announced "
                "by IMAP IDLE.\n"
                "# TYPE loket_mail_idle_wakeups_total counter\n"
                "loket_mail_idle_wakeups_total %llu\n",
                (unsigned long long)st.created, (unsigned long long)st.joined,
                (unsigned long long)st.duplicates,
                (unsigned long long)st.ignored, (unsigned long long)st.bounces,
                (unsigned long long)st.unreadable,
                (unsigned long long)st.errors, (unsigned long long)st.deferred,
                (unsigned long long)st.wakeups);
}
