/* actueel.js - live updates on /actueel pages (progressive enhancement).
 *
 * The page works fully without this script.  With it, the page listens to
 * the Server-Sent Events stream named in its data-stream attribute and,
 * when a notice changes, fetches the page's JSON and inserts the updates
 * it does not show yet (or reloads the list page).  The browser's
 * EventSource resumes with Last-Event-ID after a dropped connection.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-stream]");
  if (!root || !window.EventSource || !window.fetch) return;

  var list = document.querySelector(".loket-updates");
  var pending = false;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function insertUpdates(doc) {
    var updates = (doc && doc.updates) || [];
    for (var i = updates.length - 1; i >= 0; i--) {
      var u = updates[i];
      var existing = document.getElementById("update-" + u.id);
      var li = document.createElement("li");
      var time = document.createElement("p");
      var body = document.createElement("p");
      var t = new Date(u.publishedAt);
      li.className = "loket-update";
      li.id = "update-" + u.id;
      time.className = "utrecht-paragraph loket-update-time";
      time.textContent = pad(t.getHours()) + ":" + pad(t.getMinutes());
      if (u.editedAt) {
        var e = new Date(u.editedAt);
        time.textContent += " (bijgewerkt om " + pad(e.getHours()) + ":" +
          pad(e.getMinutes()) + ")";
      }
      body.className = "utrecht-paragraph loket-text";
      body.textContent = u.body; /* text, never markup */
      li.appendChild(time);
      li.appendChild(body);
      if (existing) existing.parentNode.replaceChild(li, existing);
      else list.insertBefore(li, list.firstChild);
    }
  }

  function refresh() {
    if (pending) return;
    pending = true;
    if (!list) {
      window.location.reload();
      return;
    }
    fetch(window.location.pathname + ".json", {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(insertUpdates)
      .catch(function () {})
      .then(function () { pending = false; });
  }

  var es = new EventSource(root.getAttribute("data-stream"));
  ["notice.published", "notice.updated", "notice.ended",
   "notice.update_added", "notice.update_edited"].forEach(function (type) {
    es.addEventListener(type, refresh);
  });
})();
