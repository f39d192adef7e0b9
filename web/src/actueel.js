/* actueel.js - live updates on a notice page (progressive enhancement).
 *
 * The page works fully without this script.  With it, the page listens to
 * the Server-Sent Events stream named in its data-stream attribute; when
 * the notice changes it fetches the page's JSON and inserts the updates it
 * does not show yet (or replaces an edited one), each keyed by its id, so
 * an update is never shown twice.  After a dropped connection the browser
 * resumes the stream with Last-Event-ID; if the stream cannot be resumed
 * (the server restarted, a proxy answered instead), the script opens a new
 * one after a pause.  Each (re)connection fetches the JSON once, which
 * also catches what happened while the connection was down.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-stream]");
  if (!root || !window.EventSource || !window.fetch) return;

  var list = document.querySelector(".loket-updates");
  var TYPES = ["notice.published", "notice.updated", "notice.ended",
               "notice.update_added", "notice.update_edited"];
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

  /* The <li> of one update, as the server renders it. */
  function render(u) {
    var li = document.createElement("li");
    var head = document.createElement("p");
    var time = document.createElement("time");
    var body = document.createElement("p");
    var at = new Date(u.publishedAt);

    li.className = "loket-update";
    li.id = "update-" + u.id;
    head.className = "utrecht-paragraph loket-update-time";
    time.setAttribute("datetime", u.publishedAt);
    time.textContent = longTime(at);
    head.appendChild(time);
    if (u.editedAt) {
      var edited = document.createElement("span");
      edited.className = "loket-edited";
      edited.textContent = "(bijgewerkt om " +
        shortTime(new Date(u.editedAt)) + ")";
      head.appendChild(document.createTextNode(" "));
      head.appendChild(edited);
    }
    body.className = "utrecht-paragraph loket-text";
    body.textContent = u.body; /* text, never markup */
    li.appendChild(head);
    li.appendChild(body);
    return li;
  }

  function same(li, u) {
    var body = li.querySelector(".loket-text");
    var edited = li.querySelector(".loket-edited");
    return body && body.textContent === u.body && !!edited === !!u.editedAt;
  }

  function mark(li) {
    li.classList.add("loket-update--new");
    window.setTimeout(function () {
      li.classList.remove("loket-update--new");
    }, 4000);
  }

  function apply(doc) {
    var updates = (doc && doc.updates) || [];
    /* newest first in the JSON; insert the oldest new one first */
    for (var i = updates.length - 1; i >= 0; i--) {
      var u = updates[i];
      var have = document.getElementById("update-" + u.id);
      if (have && same(have, u)) continue;
      var li = render(u);
      if (have) have.parentNode.replaceChild(li, have);
      else list.insertBefore(li, list.firstChild);
      mark(li);
    }
    if (doc && doc.status === "ended" && !document.querySelector(
      ".loket-ended")) {
      window.location.reload(); /* the server renders the ended notice */
    }
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
  connect();
})();
