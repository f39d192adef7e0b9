/* actueel.js - live updates on a notice page (progressive enhancement).
 *
 * The page works fully without this script.  With it, the page listens to
 * the Server-Sent Events stream named in its data-stream attribute; when
 * the notice changes it fetches the page's JSON and brings the page in
 * line with it: updates it does not show yet are inserted, an edited one
 * is replaced (with its "Eerdere versie" history), and the "Veelgestelde
 * vragen" section shows exactly the published FAQs, in order, hidden when
 * there are none.  Items are keyed by their element ids (update-<id>,
 * faq-<id>), so nothing is shown twice, and an item whose content did not
 * change is left alone (a history someone opened stays open).  Server
 * text goes in as textContent, never as markup.
 *
 * After a dropped connection the browser resumes the stream with
 * Last-Event-ID; if the stream cannot be resumed (the server restarted, a
 * proxy answered instead), the script opens a new one after a pause.
 * Each (re)connection fetches the JSON once, which also catches what
 * happened while the connection was down.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-stream]");
  if (!root || !window.EventSource || !window.fetch) return;

  var list = document.querySelector(".loket-updates");
  var faqs = document.getElementById("veelgestelde-vragen");
  var faqList = faqs && faqs.querySelector(".loket-faq-list");
  var TYPES = ["notice.published", "notice.updated", "notice.ended",
               "notice.update_added", "notice.update_edited",
               "notice.faq_added", "notice.faq_updated",
               "notice.faq_removed"];
  var busy = false;
  var again = false;
  var retry = 1000;
  var es = null;

  var fmt = null;
  var hm = null;
  try {
    fmt = new Intl.DateTimeFormat("nl-NL", {
      timeZone: "Europe/Amsterdam", day: "numeric", month: "long",
      year: "numeric", hour: "2-digit", minute: "2-digit"});
    hm = new Intl.DateTimeFormat("nl-NL", {
      timeZone: "Europe/Amsterdam", hour: "2-digit", minute: "2-digit"});
  } catch (e) {
    /* an old browser: times show as the browser writes them */
  }

  function longTime(d) {
    return fmt ? fmt.format(d).replace(/, /, " om ") : d.toLocaleString();
  }
  function shortTime(d) {
    return hm ? hm.format(d) : d.toLocaleTimeString();
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text; /* text, never markup */
    return e;
  }

  function text(s) {
    return document.createTextNode(s);
  }

  /* <time datetime="...Z">28 november 2026 om 18:25</time> */
  function time(iso) {
    var t = el("time");
    if (!iso) return t;
    t.setAttribute("datetime", iso);
    t.textContent = longTime(new Date(iso));
    return t;
  }

  /* "Eerdere versie": the earlier texts of an update or FAQ, newest
   * first, in a closed <details>; null when there are none. */
  function history(versions, total) {
    if (!versions || !versions.length) return null;
    total = Math.max(total || 0, versions.length);
    var d = el("details", "loket-history");
    var ol = el("ol", "loket-history-list");
    d.appendChild(el("summary", null, total > 1 ?
      "Eerdere versies (" + total + ")" : "Eerdere versie"));
    versions.forEach(function (v) {
      var li = el("li");
      var when = el("p", "utrecht-paragraph loket-history-time", "Tekst tot ");
      when.appendChild(time(v.until));
      when.appendChild(text(":"));
      li.appendChild(when);
      if (v.question !== undefined) {
        li.appendChild(labelled("Vraag:", v.question));
        li.appendChild(labelled("Antwoord:", v.answer));
      } else {
        li.appendChild(el("p", "utrecht-paragraph loket-text", v.body));
      }
      ol.appendChild(li);
    });
    d.appendChild(ol);
    if (total > versions.length) {
      d.appendChild(el("p", "utrecht-paragraph", "De " +
        (total - versions.length) + " oudste versies staan niet op deze " +
        "pagina."));
    }
    return d;
  }

  function labelled(label, s) {
    var p = el("p", "utrecht-paragraph loket-text");
    p.appendChild(el("strong", null, label));
    p.appendChild(text(" " + s));
    return p;
  }

  /* The <li> of one update, as the server renders it. */
  function renderUpdate(u) {
    var li = el("li", "loket-update");
    var head = el("p", "utrecht-paragraph loket-update-time");
    var earlier = history(u.previousVersions, u.previousVersionsTotal);

    li.id = "update-" + u.id;
    head.appendChild(time(u.publishedAt));
    if (u.editedAt) {
      head.appendChild(text(" "));
      head.appendChild(el("span", "loket-edited", "(bijgewerkt om " +
        shortTime(new Date(u.editedAt)) + ")"));
    }
    li.appendChild(head);
    li.appendChild(el("p", "utrecht-paragraph loket-text", u.body));
    if (earlier) li.appendChild(earlier);
    return li;
  }

  /* The <div> of one FAQ in the section's <dl>, as the server renders it. */
  function renderFaq(f) {
    var div = el("div", "loket-faq");
    var dd = el("dd", "loket-faq-answer");
    var earlier = history(f.previousVersions, f.previousVersionsTotal);

    div.id = "faq-" + f.id;
    div.appendChild(el("dt", "loket-faq-question", f.question));
    dd.appendChild(el("p", "utrecht-paragraph loket-text", f.answer));
    if (f.editedAt) {
      var edited = el("p", "utrecht-paragraph loket-edited", "Bijgewerkt op ");
      edited.appendChild(time(f.editedAt));
      dd.appendChild(edited);
    }
    if (earlier) dd.appendChild(earlier);
    div.appendChild(dd);
    return div;
  }

  /* What an item says, to compare the server's rendering with the
   * script's: its text, with each <time> as its datetime (the browser
   * may word a time differently from the server) and an edit note as
   * only its presence.  Whitespace between elements does not count. */
  function key(node) {
    var out = [];
    (function walk(n, edited) {
      for (var c = n.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === 3) {
          if (!edited && /\S/.test(c.data))
            out.push(c.data.replace(/\r\n?/g, "\n"));
        } else if (c.nodeType === 1) {
          if (c.tagName === "TIME") {
            out.push("@" + c.getAttribute("datetime"));
          } else {
            var e = c.classList.contains("loket-edited");
            if (e) out.push("(edited)");
            walk(c, edited || e);
          }
        }
      }
    })(node, false);
    return out.join("\u0000");
  }

  /* `fresh` replaces `have` unless both say the same; returns the node
   * that stays.  A history the reader opened stays open. */
  function swap(have, fresh) {
    if (key(have) === key(fresh)) return have;
    var was = have.querySelector("details.loket-history");
    var now = fresh.querySelector("details.loket-history");
    if (was && now && was.open) now.open = true;
    have.parentNode.replaceChild(fresh, have);
    mark(fresh);
    return fresh;
  }

  function mark(node) {
    var cls = node.classList.contains("loket-faq") ?
      "loket-faq--new" : "loket-update--new";
    node.classList.add(cls);
    window.setTimeout(function () {
      node.classList.remove(cls);
    }, 4000);
  }

  function applyUpdates(updates) {
    /* newest first in the JSON; insert the oldest new one first */
    for (var i = updates.length - 1; i >= 0; i--) {
      var fresh = renderUpdate(updates[i]);
      var have = document.getElementById(fresh.id);
      if (have) {
        swap(have, fresh);
      } else {
        list.insertBefore(fresh, list.firstChild);
        mark(fresh);
      }
    }
  }

  /* The section shows the published FAQs in the JSON's order, no
   * others; withdrawn ones disappear. */
  function applyFaqs(items) {
    for (var i = 0; i < items.length; i++) {
      var fresh = renderFaq(items[i]);
      var have = document.getElementById(fresh.id);
      var node = fresh;
      if (have) {
        node = swap(have, fresh);
      } else {
        mark(fresh);
      }
      var at = faqList.children[i] || null;
      if (at !== node) faqList.insertBefore(node, at);
    }
    while (faqList.children.length > items.length)
      faqList.removeChild(faqList.lastElementChild);
    faqs.hidden = items.length === 0;
  }

  function apply(doc) {
    if (!doc) return;
    if (doc.status === "ended" && !document.querySelector(".loket-ended")) {
      window.location.reload(); /* the server renders the ended notice */
      return;
    }
    applyUpdates(doc.updates || []);
    if (faqList && doc.faqs) applyFaqs(doc.faqs);
  }

  function refresh() {
    if (!list) {
      window.location.reload();
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(window.location.pathname + ".json", {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(apply)
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function connect() {
    es = new EventSource(root.getAttribute("data-stream"));
    es.onopen = function () {
      retry = 1000;
      refresh();
    };
    es.onerror = function () {
      /* CONNECTING: the browser retries by itself, with Last-Event-ID.
       * CLOSED: it gave up; start a new stream after a pause. */
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        window.setTimeout(connect, retry);
        retry = Math.min(retry * 2, 30000);
      }
    };
    TYPES.forEach(function (type) {
      es.addEventListener(type, refresh);
    });
  }

  if (list) list.setAttribute("aria-live", "polite");
  if (faqList) faqList.setAttribute("aria-live", "polite");
  connect();
})();
